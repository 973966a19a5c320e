package main

import (
	"bufio"
	"encoding/json"
	"strconv"
	"time"
)

// The event keys a peer writes, in airlog's contract order (docs/schema.md); `line` and `lines`
// come first and are always present. Integers are written as numbers, the rest as strings.
var eventKeys = []string{
	"ts_ns", "level", "format", "logger", "file", "lineno", "message", "dag_id", "task_id", "run_id",
	"logical_date", "try_number", "map_index", "event", "state", "return_code", "exception_type",
	"exception_message", "http_method", "http_path", "http_status", "client",
}

// countedKeys are the keys the summary counts (every peer counts the same ones): the event keys
// but the format and the message, which every event has.
var countedKeys = func() (keys []string) {
	for _, key := range eventKeys {
		if key != "format" && key != "message" {
			keys = append(keys, key)
		}
	}
	return keys
}()

// fieldCounts counts, per key of countedKeys, the events that have it: the proof of work.
type fieldCounts []int

func newFieldCounts() fieldCounts { return make(fieldCounts, len(countedKeys)) }

func (c fieldCounts) add(e *Entry) {
	for i, key := range countedKeys {
		if _, ok := e.Extracted[key]; ok {
			c[i]++
		}
	}
}

// writeEvent writes one event as a JSON line (--dump); not timed.
func writeEvent(w *bufio.Writer, e *Entry) {
	w.WriteString(`{"line":`)
	w.WriteString(strconv.Itoa(e.Line))
	w.WriteString(`,"lines":`)
	w.WriteString(strconv.Itoa(e.Lines))
	for _, key := range eventKeys {
		v, ok := e.Extracted[key]
		if !ok {
			continue
		}
		w.WriteString(`,"`)
		w.WriteString(key)
		w.WriteString(`":`)
		switch v := v.(type) {
		case int64:
			if key == "logical_date" { // written as airlog writes it
				w.WriteString(`"` + rfc3339(v) + `"`)
				continue
			}
			w.WriteString(strconv.FormatInt(v, 10))
		case string:
			b, _ := json.Marshal(v) // invalid UTF-8 becomes U+FFFD, as airlog writes it
			w.Write(b)
		}
	}
	w.WriteString("}\n")
}

// rfc3339 writes ns as `2024-01-01T00:00:00Z`, a fraction only when non-zero, trailing zeros cut.
func rfc3339(ns int64) string {
	return time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.999999999Z")
}

// writeSummary writes the one-object summary the suite reads.
func writeSummary(w *bufio.Writer, peer string, bytes, lines, events int, seconds float64, c fieldCounts) {
	w.WriteString(`{"peer":"` + peer + `","bytes":` + strconv.Itoa(bytes) + `,"lines":` + strconv.Itoa(lines) +
		`,"events":` + strconv.Itoa(events) + `,"seconds":` + strconv.FormatFloat(seconds, 'g', 9, 64) + `,"fields":{`)
	for i, key := range countedKeys {
		if i > 0 {
			w.WriteString(",")
		}
		w.WriteString(`"` + key + `":` + strconv.Itoa(c[i]))
	}
	w.WriteString("}}\n")
}
