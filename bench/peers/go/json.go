package main

import (
	"encoding/json"
	"strconv"
	"strings"
)

// jsonStage decodes a JSON line, as Alloy's stage.json does (encoding/json into a map), and maps
// its top-level keys through json_keys, in the order json_keys lists them.
type jsonStage struct {
	cfg *config
}

func (s jsonStage) Process(e *Entry) {
	if e.jsonText == "" {
		return
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(e.jsonText), &obj); err != nil {
		return // not JSON after all: the record keeps its format and no field
	}
	for _, kv := range s.cfg.jsonKeys {
		v, ok := obj[kv.key]
		if !ok {
			continue
		}
		switch kv.value {
		case "exception_text":
			if text, ok := v.(string); ok {
				setExceptionText(s.cfg, e, text)
			}
		case "error_detail":
			setErrorDetail(s.cfg, e, v)
		default:
			if text, ok := jsonText(v); ok {
				e.set(s.cfg, kv.value, text)
			}
		}
	}
}

// jsonText is a value as text: a string as decoded, an integer (also written `2.0`) in decimal;
// anything else is none.
func jsonText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case float64:
		if v == float64(int64(v)) {
			return strconv.FormatInt(int64(v), 10), true
		}
	}
	return "", false
}

// setExceptionText reads a rendered traceback: its last non-empty line is `Type: message`.
func setExceptionText(c *config, e *Entry, text string) {
	text = strings.TrimRight(text, " \t\r\n")
	last := text[strings.LastIndexByte(text, '\n')+1:]
	typ, msg, _ := strings.Cut(last, ": ")
	e.set(c, "exception_type", typ)
	e.set(c, "exception_message", msg)
}

// setErrorDetail reads structlog's exception list: element 0 names the exception.
func setErrorDetail(c *config, e *Entry, v any) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return
	}
	first, ok := list[0].(map[string]any)
	if !ok {
		return
	}
	if t, ok := first["exc_type"].(string); ok {
		e.set(c, "exception_type", t)
	}
	if m, ok := first["exc_value"].(string); ok {
		e.set(c, "exception_message", m)
	}
}
