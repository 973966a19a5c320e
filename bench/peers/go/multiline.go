package main

import "strings"

// multilineStage groups physical lines into records, as Alloy's stage.multiline does with a
// first-line regex: here a record's first line is one a layout matches (the layouts tried in
// order; the first that matches the whole line, and whose level text is a level, wins), directly
// or once compose / docker prefixes are peeled off. A line no layout reads folds into the open
// record, whose traceback is followed to its closing `Type: message` line.
type multilineStage struct {
	cfg     *config
	opened  func(*Entry) // runs the stages that read a record's first line
	flush   func(*Entry) // runs the remaining stages and hands the record on
	open    *Entry
	message strings.Builder // the open record's message with its folded lines
	folded  bool
}

func (s *multilineStage) Process(number int, line, sourceTS string, coloured bool) {
	if line != "" {
		if r, groups, inner, outerTS := s.matchLine(line, 0); r != nil {
			if r.Continues && s.open != nil && s.open.foldable && s.open.Extracted["format"] == r.Format {
				s.fold(line) // the next line of one printed banner
				return
			}
			s.finish()
			e := newEntry(number, inner)
			e.rule, e.groups, e.foldable = r, groups, r.foldable
			e.Extracted["format"] = r.Format
			if coloured && r.Format == "airflow-text" {
				e.Extracted["format"] = "airflow-color"
			}
			e.outerTS = outerTS
			if e.outerTS == "" {
				e.outerTS = sourceTS
			}
			s.start(e)
			if !e.foldable {
				s.finish()
			}
			return
		}
	}
	if s.open != nil && s.open.foldable {
		s.fold(line)
		return
	}
	// A record of its own: a traceback that follows no record takes the lines after it.
	s.finish()
	e := newEntry(number, line)
	if line != "" {
		e.Extracted["message"] = line
	}
	if s.cfg.tracebackStart.MatchString(line) {
		e.Extracted["format"] = "traceback"
		e.Extracted["level"] = "error"
		e.foldable, e.inTraceback, e.tracebackSeen = true, true, true
		s.start(e)
		return
	}
	e.Extracted["format"] = "raw"
	s.start(e)
	s.finish()
}

// matchLine finds the layout that reads line. A line no layout reads is tried with the line
// envelopes from `first` on (compose, then docker --timestamps): an envelope counts when a layout
// reads its inner line, possibly after a later envelope. It returns the layout, its groups, the
// text it read and the innermost envelope time.
func (s *multilineStage) matchLine(line string, first int) (*rule, []string, string, string) {
	for i := range s.cfg.layouts {
		r := &s.cfg.layouts[i]
		if m := r.re.FindStringSubmatch(line); m != nil && s.cfg.levelOK(r, m) {
			return r, m, line, ""
		}
	}
	for i := first; i < len(s.cfg.lineEnvelopes); i++ {
		env := &s.cfg.lineEnvelopes[i]
		m := env.re.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		inner, outerTS := envelopeParts(env, m)
		if r, groups, text, innerTS := s.matchLine(inner, i+1); r != nil {
			if innerTS != "" {
				outerTS = innerTS
			}
			return r, groups, text, outerTS
		}
	}
	return nil, nil, "", ""
}

// levelOK: a layout whose level text is no level does not match (`KeyError: 'x'`, a traceback's
// last line, is not a uvicorn record).
func (c *config) levelOK(r *rule, m []string) bool {
	if r.levelAt == 0 || m[r.levelAt] == "" {
		return true
	}
	_, ok := normalizeLevel(c, m[r.levelAt])
	return ok
}

func (s *multilineStage) start(e *Entry) {
	s.open = e
	s.opened(e)
	s.message.Reset()
	s.folded = false
}

func (s *multilineStage) fold(line string) {
	e := s.open
	e.Lines++
	if !s.folded {
		s.folded = true
		msg, _ := e.Extracted["message"].(string)
		s.message.WriteString(msg)
	}
	s.message.WriteByte('\n')
	s.message.WriteString(line)
	if s.cfg.tracebackStart.MatchString(line) {
		e.inTraceback, e.tracebackSeen = true, true
		return
	}
	if !e.inTraceback || line == "" || line[0] == ' ' || line[0] == '\t' {
		return
	}
	if s.cfg.exceptionLine.MatchString(line) {
		e.exceptionLine = line
	}
	e.inTraceback = false
}

// finish hands the open record on.
func (s *multilineStage) finish() {
	e := s.open
	if e == nil {
		return
	}
	s.open = nil
	if s.folded {
		e.Extracted["message"] = s.message.String()
	}
	s.flush(e)
}
