package main

import "strings"

// Entry is what flows through the pipeline, as in Alloy's loki.process: the record's text, its
// labels and the map of values the stages extracted. Extracted holds the event's fields under
// airlog's contract names, each a string or an int64 (ts_ns and logical_date in ns UTC).
type Entry struct {
	Line      int    // 1-based number of the record's first physical line
	Lines     int    // physical lines in the record
	Text      string // the record's first line, envelope and ANSI escapes removed
	Labels    map[string]string
	Extracted map[string]any

	// The multiline stage's view of the record, for the stages after it.
	rule          *rule    // the layout that opened it; nil for a raw or traceback record
	groups        []string // that layout's FindStringSubmatch of the first line
	outerTS       string   // an envelope's time, used when the line gave none
	inTraceback   bool
	tracebackSeen bool
	exceptionLine string // the last `Type: message` line that ended a traceback in the record
	jsonText      string // a JSON line for the json stage
	foldable      bool
}

func newEntry(number int, text string) *Entry {
	return &Entry{Line: number, Lines: 1, Text: text, Extracted: map[string]any{}}
}

func (e *Entry) has(key string) bool {
	_, ok := e.Extracted[key]
	return ok
}

// put stores a value unless the field already has one: the first writer wins.
func (e *Entry) put(key string, value any) {
	if !e.has(key) {
		e.Extracted[key] = value
	}
}

// set fills field (or pseudo-field) `name` from captured text, as bench/peers/README.md defines
// each; an empty text or Python's "None" sets nothing, nor does text that does not convert.
func (e *Entry) set(c *config, name, text string) {
	if name == "message" {
		text = strings.Trim(text, " \t")
	}
	if name == "" || text == "" || text == "None" {
		return
	}
	switch name {
	case "ts":
		if !e.has("ts_ns") {
			if ns, ok := parseTime(text, isoLayouts); ok {
				e.Extracted["ts_ns"] = ns
			}
		}
	case "ts_clf":
		if !e.has("ts_ns") {
			if ns, ok := parseTime(text, clfLayouts); ok {
				e.Extracted["ts_ns"] = ns
			}
		}
	case "outer_ts":
		if e.outerTS == "" {
			e.outerTS = text
		}
	case "level":
		if level, ok := normalizeLevel(c, text); ok {
			e.put("level", level)
		}
	case "state":
		if state, ok := normalizeState(c, text); ok {
			e.put("state", state)
		}
	case "lineno", "try_number", "http_status":
		if n, ok := toInt(text); ok {
			e.put(name, n)
		}
	case "map_index":
		if n, ok := toInt(text); ok && n != -1 {
			e.put(name, n)
		}
	case "return_code":
		if n, ok := exitCode(text); ok {
			e.put(name, n)
		}
	case "logical_date":
		if !e.has("logical_date") {
			if ns, ok := parseTime(strings.Trim(text, " \t"), dateLayouts); ok {
				e.Extracted["logical_date"] = ns
			}
		}
	case "run_id_or_date":
		if _, ok := parseTime(text, isoLayouts); ok {
			e.set(c, "logical_date", text)
		} else {
			e.put("run_id", text)
		}
	case "dag_task":
		e.setDagTask(text)
	case "kv":
		for _, m := range c.consoleKV.FindAllStringSubmatch(text, -1) {
			e.set(c, c.consoleKeys[m[1]], unquote(m[2]))
		}
	case "loc":
		if colon := strings.LastIndexByte(text, ':'); colon >= 0 {
			if n, ok := toInt(text[colon+1:]); ok {
				e.put("file", text[:colon])
				e.put("lineno", n)
				return
			}
		}
		e.put("file", text)
	case "json":
		if e.jsonText == "" {
			e.jsonText = text // decoded by the json stage
		}
	case "stream", "flag":
		if e.Labels == nil {
			e.Labels = map[string]string{}
		}
		e.Labels[name] = text
	default:
		e.put(name, text)
	}
}

// setDagTask splits `dag.task` as a TaskInstance repr or an executor report prints it; both ids
// may hold dots: after the record's own dag_id when it has one (only task_id is filled), else at
// the only dot (several dots and no dag_id: nothing, as the split needs the stream's history).
func (e *Entry) setDagTask(dotted string) {
	if dag, ok := e.Extracted["dag_id"].(string); ok {
		if len(dotted) > len(dag)+1 && strings.HasPrefix(dotted, dag) && dotted[len(dag)] == '.' {
			e.put("task_id", dotted[len(dag)+1:])
		}
		return
	}
	if dot := strings.IndexByte(dotted, '.'); dot > 0 && strings.Count(dotted, ".") == 1 {
		e.put("dag_id", dotted[:dot])
		e.put("task_id", dotted[dot+1:])
	}
}

// unquote removes one layer of matching quotes.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}
