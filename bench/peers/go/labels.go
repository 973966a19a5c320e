package main

import (
	"strconv"
	"strings"
)

// The labels stage's conversions, as Alloy's stage.labels / stage.template would normalise the
// values the regex stages extracted: levels and states to airlog's lower-case names, integers.

// normalizeLevel maps level text through patterns.json "levels", case-insensitively.
func normalizeLevel(c *config, text string) (string, bool) {
	level, ok := c.levels[strings.ToLower(text)]
	return level, ok
}

// normalizeState maps state text through "states" and "state_aliases", case-insensitively.
func normalizeState(c *config, text string) (string, bool) {
	state, ok := c.states[strings.ToLower(text)]
	return state, ok
}

// toInt reads an optionally negative decimal integer.
func toInt(text string) (int64, bool) {
	n, err := strconv.ParseInt(text, 10, 64)
	return n, err == nil && !strings.HasPrefix(text, "+")
}

// exitCode reads an integer or a signal repr `<Negsignal.SIGKILL: -9>` (the integer after its
// last ": ").
func exitCode(text string) (int64, bool) {
	if len(text) > 2 && text[0] == '<' && text[len(text)-1] == '>' {
		colon := strings.LastIndex(text, ": ")
		if colon < 0 {
			return 0, false
		}
		return toInt(text[colon+2 : len(text)-1])
	}
	return toInt(text)
}

// labelsStage closes a record as step 6 of the algorithm says: the exception line names the
// exception, a record that saw a traceback is an exception event, an access logger's record
// with a status an http_access event. The level
// becomes the entry's label, as a Loki pipeline would index it.
type labelsStage struct {
	cfg *config
}

func (s labelsStage) Process(e *Entry) {
	if e.exceptionLine != "" && !e.has("exception_type") {
		if m := s.cfg.exceptionLine.FindStringSubmatch(e.exceptionLine); m != nil {
			e.set(s.cfg, "exception_type", m[1])
			e.set(s.cfg, "exception_message", m[2])
		}
	}
	if !e.has("event") && (e.tracebackSeen || e.has("exception_type")) {
		e.Extracted["event"] = "exception"
	}
	markHTTPAccess(s.cfg, e)
	if level, ok := e.Extracted["level"].(string); ok {
		if e.Labels == nil {
			e.Labels = map[string]string{}
		}
		e.Labels["level"] = level
	}
}

// markHTTPAccess: a record of the access logger with an http_status is an http_access event.
func markHTTPAccess(c *config, e *Entry) {
	if logger, _ := e.Extracted["logger"].(string); logger == c.httpAccessLogger && e.has("http_status") {
		e.put("event", "http_access")
	}
}
