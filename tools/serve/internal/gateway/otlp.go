package gateway

import (
	"strconv"
	"sync"
	"unicode/utf8"

	airlog "github.com/airlog/airlog/bindings/go"
)

// otelNames maps a contract key to its OpenTelemetry attribute name (from the field table, as
// rendered events report it); keys without one, and incoming metadata, keep their own name.
var otelNames sync.Map

func rememberOTelNames(fields []airlog.LokiField) {
	for _, f := range fields {
		if f.OTel != "" {
			if _, ok := otelNames.Load(f.Name); !ok {
				otelNames.Store(f.Name, f.OTel)
			}
		}
	}
}

func otelName(key string) string {
	if v, ok := otelNames.Load(key); ok {
		return v.(string)
	}
	return key
}

// otlpSink encodes batches as OTLP/HTTP JSON ExportLogsServiceRequests: one resource per label
// set (labels as resource attributes), one log record per entry.
type otlpSink struct{ buf []byte }

func (s *otlpSink) name() string { return "otlp" }

// severity numbers of the OpenTelemetry log data model, by airlog level.
var severityNumber = [...]int{airlog.LevelNone: 0, airlog.LevelDebug: 5, airlog.LevelInfo: 9,
	airlog.LevelWarning: 13, airlog.LevelError: 17, airlog.LevelCritical: 21}

func (s *otlpSink) encode(b *batch) ([]byte, string) {
	o := append(s.buf[:0], `{"resourceLogs":[`...)
	for i, bs := range b.order {
		if i > 0 {
			o = append(o, ',')
		}
		o = append(o, `{"resource":{"attributes":[`...)
		for j, l := range bs.labels {
			if j > 0 {
				o = append(o, ',')
			}
			o = appendAttr(o, l.Name, l.Value)
		}
		o = append(o, `]},"scopeLogs":[{"scope":{"name":"airlog","version":`...)
		o = appendJSONString(o, airlog.Version())
		o = append(o, `},"logRecords":[`...)
		for k := range bs.entries {
			e := &bs.entries[k]
			if k > 0 {
				o = append(o, ',')
			}
			o = append(o, `{"timeUnixNano":"`...)
			o = strconv.AppendInt(o, e.TimeNs, 10)
			o = append(o, '"')
			if lv := airlog.Level(bs.severities[k]); lv != airlog.LevelNone && int(lv) < len(severityNumber) {
				o = append(o, `,"severityNumber":`...)
				o = strconv.AppendInt(o, int64(severityNumber[lv]), 10)
				o = append(o, `,"severityText":`...)
				o = appendJSONString(o, lv.String())
			}
			o = append(o, `,"body":{"stringValue":`...)
			o = appendJSONString(o, e.Line)
			o = append(o, `},"attributes":[`...)
			for m, kv := range e.Metadata {
				if m > 0 {
					o = append(o, ',')
				}
				o = appendAttr(o, otelName(kv.Name), kv.Value)
			}
			o = append(o, "]}"...)
		}
		o = append(o, "]}]}"...)
	}
	o = append(o, "]}"...)
	s.buf = o
	return o, "application/json"
}

func appendAttr(o []byte, key, value string) []byte {
	o = append(o, `{"key":`...)
	o = appendJSONString(o, key)
	o = append(o, `,"value":{"stringValue":`...)
	o = appendJSONString(o, value)
	return append(o, "}}"...)
}

// appendJSONString writes s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(o []byte, s string) []byte {
	const hex = "0123456789abcdef"
	o = append(o, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				o = append(o, '\\', c)
			case c == '\n':
				o = append(o, '\\', 'n')
			case c == '\t':
				o = append(o, '\\', 't')
			case c == '\r':
				o = append(o, '\\', 'r')
			case c < 0x20:
				o = append(o, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				o = append(o, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			o = append(o, "\ufffd"...)
		} else {
			o = append(o, s[i:i+n]...)
		}
		i += n
	}
	return append(o, '"')
}
