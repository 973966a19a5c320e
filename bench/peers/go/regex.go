package main

import "strings"

// regexStage turns the layout's FindStringSubmatch into fields, as Alloy's stage.regex names its
// capture groups into the extracted map; here group i+1 is named by the layout's fields[i].
type regexStage struct {
	cfg *config
}

func (s regexStage) Process(e *Entry) {
	r := e.rule
	if r == nil {
		return
	}
	outer := e.groups
	groups := outer
	if r.Nested {
		groups = nestedRecord(s.cfg, r, outer)
	}
	s.apply(e, r, groups)
	if !e.has("ts_ns") && &groups[0] != &outer[0] {
		for i, name := range r.fields { // a nested record without a time keeps the outer one's
			if name == "ts" {
				e.set(s.cfg, name, outer[i+1])
			}
		}
	}
	markHTTPAccess(s.cfg, e)
}

func (s regexStage) apply(e *Entry, r *rule, groups []string) {
	for i, name := range r.fields {
		e.set(s.cfg, name, groups[i+1])
	}
	for name, value := range r.Set {
		e.set(s.cfg, name, value)
	}
}

// nestedRecord: a record printed inside another one's message (2.x DAG-processor stdout) is read
// with the same layout; when it matches with a level its fields replace the outer record's.
func nestedRecord(c *config, r *rule, outer []string) []string {
	for i, name := range r.fields {
		if name != "message" {
			continue
		}
		if inner := r.re.FindStringSubmatch(strings.Trim(outer[i+1], " \t")); inner != nil && c.levelOK(r, inner) {
			return inner
		}
		break
	}
	return outer
}

// templateStage searches every template in the record's message, in order, as a chain of
// stage.regex with `source = "message"` would: the first template that counts names the event,
// later ones only fill fields still empty.
type templateStage struct {
	cfg *config
}

func (s templateStage) Process(e *Entry) {
	message, ok := e.Extracted["message"].(string)
	if !ok || e.rule == nil {
		return // raw and traceback records are read by no template
	}
	for i := range s.cfg.templates {
		t := &s.cfg.templates[i]
		m := t.re.FindStringSubmatch(message)
		if m == nil {
			continue
		}
		if t.Needs != "" && !e.has(t.Needs) {
			continue
		}
		if t.stateAt > 0 && m[t.stateAt] != "" {
			if _, ok := normalizeState(s.cfg, m[t.stateAt]); !ok {
				continue
			}
		}
		if t.Event != nil {
			e.put("event", *t.Event)
		}
		for j, name := range t.fields {
			e.set(s.cfg, name, m[j+1])
		}
		for name, value := range t.Set {
			e.set(s.cfg, name, value)
		}
		if t.Traceback {
			e.inTraceback, e.tracebackSeen = true, true
		}
	}
}
