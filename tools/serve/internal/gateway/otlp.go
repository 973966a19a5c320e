package gateway

import (
	"encoding/hex"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

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

// otlpSink encodes batches as OTLP/HTTP protobuf ExportLogsServiceRequests (the encoding every
// OTLP receiver takes; some, VictoriaLogs among them, take no other): one resource per label set
// (labels as resource attributes), one log record per entry, its metadata as attributes.
type otlpSink struct{ out, rec, res []byte }

func (s *otlpSink) name() string { return "otlp" }

// severity numbers of the OpenTelemetry log data model, by airlog level.
var severityNumber = [...]int{airlog.LevelNone: 0, airlog.LevelDebug: 5, airlog.LevelInfo: 9,
	airlog.LevelWarning: 13, airlog.LevelError: 17, airlog.LevelCritical: 21}

// Field numbers of opentelemetry/proto/collector/logs/v1 and logs/v1, common/v1, resource/v1.
const (
	otlpResourceLogs = 1  // ExportLogsServiceRequest.resource_logs
	otlpResource     = 1  // ResourceLogs.resource
	otlpScopeLogs    = 2  // ResourceLogs.scope_logs
	otlpAttributes   = 1  // Resource.attributes
	otlpScope        = 1  // ScopeLogs.scope
	otlpLogRecords   = 2  // ScopeLogs.log_records
	otlpScopeName    = 1  // InstrumentationScope.name
	otlpScopeVersion = 2  // InstrumentationScope.version
	otlpTime         = 1  // LogRecord.time_unix_nano (fixed64)
	otlpSevNumber    = 2  // LogRecord.severity_number
	otlpSevText      = 3  // LogRecord.severity_text
	otlpBody         = 5  // LogRecord.body
	otlpRecAttrs     = 6  // LogRecord.attributes
	otlpTraceID      = 9  // LogRecord.trace_id (16 bytes)
	otlpSpanID       = 10 // LogRecord.span_id (8 bytes)
	otlpObserved     = 11
	otlpKey          = 1 // KeyValue.key
	otlpValue        = 2 // KeyValue.value
	otlpString       = 1 // AnyValue.string_value
)

func (s *otlpSink) encode(b *batch) ([]byte, string) {
	s.out = s.out[:0]
	now := uint64(time.Now().UnixNano())
	for _, bs := range b.order {
		res := s.res[:0]
		// Resource{attributes}
		var resource []byte
		for _, l := range bs.labels {
			resource = appendKeyValue(resource, otlpAttributes, l.Name, l.Value)
		}
		res = protowire.AppendTag(res, otlpResource, protowire.BytesType)
		res = protowire.AppendBytes(res, resource)
		// ScopeLogs{scope, log_records...}
		var scope []byte
		scope = protowire.AppendTag(scope, otlpScopeName, protowire.BytesType)
		scope = protowire.AppendString(scope, "airlog")
		scope = protowire.AppendTag(scope, otlpScopeVersion, protowire.BytesType)
		scope = protowire.AppendString(scope, airlog.Version())
		var scopeLogs []byte
		scopeLogs = protowire.AppendTag(scopeLogs, otlpScope, protowire.BytesType)
		scopeLogs = protowire.AppendBytes(scopeLogs, scope)
		for k := range bs.entries {
			e := &bs.entries[k]
			rec := s.rec[:0]
			rec = protowire.AppendTag(rec, otlpTime, protowire.Fixed64Type)
			rec = protowire.AppendFixed64(rec, uint64(e.TimeNs))
			if lv := airlog.Level(bs.severities[k]); lv != airlog.LevelNone && int(lv) < len(severityNumber) {
				rec = protowire.AppendTag(rec, otlpSevNumber, protowire.VarintType)
				rec = protowire.AppendVarint(rec, uint64(severityNumber[lv]))
				rec = protowire.AppendTag(rec, otlpSevText, protowire.BytesType)
				rec = protowire.AppendString(rec, strings.ToUpper(lv.String()))
			}
			rec = protowire.AppendTag(rec, otlpBody, protowire.BytesType)
			rec = protowire.AppendVarint(rec, uint64(protowire.SizeTag(otlpString)+protowire.SizeBytes(len(e.Line))))
			rec = protowire.AppendTag(rec, otlpString, protowire.BytesType)
			rec = protowire.AppendString(rec, validUTF8(e.Line))
			for _, kv := range e.Metadata {
				// The contract's W3C ids are the record's own trace_id / span_id, so the log
				// links to its trace; anything else (or an id that is not one) is an attribute.
				if num, size := traceField(kv.Name); size > 0 && len(kv.Value) == 2*size {
					if id, err := hex.DecodeString(kv.Value); err == nil {
						rec = protowire.AppendTag(rec, num, protowire.BytesType)
						rec = protowire.AppendBytes(rec, id)
						continue
					}
				}
				rec = appendKeyValue(rec, otlpRecAttrs, otelName(kv.Name), kv.Value)
			}
			rec = protowire.AppendTag(rec, otlpObserved, protowire.Fixed64Type)
			rec = protowire.AppendFixed64(rec, now)
			s.rec = rec
			scopeLogs = protowire.AppendTag(scopeLogs, otlpLogRecords, protowire.BytesType)
			scopeLogs = protowire.AppendBytes(scopeLogs, rec)
		}
		res = protowire.AppendTag(res, otlpScopeLogs, protowire.BytesType)
		res = protowire.AppendBytes(res, scopeLogs)
		s.res = res
		s.out = protowire.AppendTag(s.out, otlpResourceLogs, protowire.BytesType)
		s.out = protowire.AppendBytes(s.out, res)
	}
	return s.out, "application/x-protobuf"
}

// traceField is the LogRecord field and id size of the contract keys trace_id and span_id
// (size 0 for any other key).
func traceField(key string) (protowire.Number, int) {
	switch key {
	case "trace_id":
		return otlpTraceID, 16
	case "span_id":
		return otlpSpanID, 8
	}
	return 0, 0
}

// appendKeyValue writes field `num` as a KeyValue{key, AnyValue{string_value}}.
func appendKeyValue(b []byte, num protowire.Number, key, value string) []byte {
	value = validUTF8(value)
	anyLen := protowire.SizeTag(otlpString) + protowire.SizeBytes(len(value))
	kvLen := protowire.SizeTag(otlpKey) + protowire.SizeBytes(len(key)) + protowire.SizeTag(otlpValue) + protowire.SizeBytes(anyLen)
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(kvLen))
	b = protowire.AppendTag(b, otlpKey, protowire.BytesType)
	b = protowire.AppendString(b, key)
	b = protowire.AppendTag(b, otlpValue, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(anyLen))
	b = protowire.AppendTag(b, otlpString, protowire.BytesType)
	return protowire.AppendString(b, value)
}

// validUTF8 repairs s (protobuf strings must be UTF-8; receivers reject the message otherwise).
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
