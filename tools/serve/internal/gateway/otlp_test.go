package gateway

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/airlog/airlog/tools/serve/lokipush"
)

// logRecordFields walks an encoded ExportLogsServiceRequest down to its first LogRecord and
// returns that record's bytes fields by number.
func logRecordFields(t *testing.T, body []byte) map[protowire.Number][][]byte {
	t.Helper()
	// message -> field `num` (bytes) of it, first occurrence
	sub := func(b []byte, num protowire.Number) []byte {
		for len(b) > 0 {
			n, typ, l := protowire.ConsumeTag(b)
			if l < 0 {
				t.Fatalf("bad tag")
			}
			b = b[l:]
			m := protowire.ConsumeFieldValue(n, typ, b)
			if m < 0 {
				t.Fatalf("bad field %d", n)
			}
			if n == num && typ == protowire.BytesType {
				v, _ := protowire.ConsumeBytes(b)
				return v
			}
			b = b[m:]
		}
		t.Fatalf("no field %d", num)
		return nil
	}
	rec := sub(sub(sub(body, otlpResourceLogs), otlpScopeLogs), otlpLogRecords)
	fields := map[protowire.Number][][]byte{}
	for len(rec) > 0 {
		n, typ, l := protowire.ConsumeTag(rec)
		rec = rec[l:]
		m := protowire.ConsumeFieldValue(n, typ, rec)
		if typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(rec)
			fields[n] = append(fields[n], v)
		}
		rec = rec[m:]
	}
	return fields
}

// The contract's trace_id / span_id become the LogRecord's own ids (bytes), so backends link the
// log to its trace; a value that is no id stays an attribute.
func TestOTLPTraceContextIsTheRecordsIDs(t *testing.T) {
	bs := &batchStream{
		labels:     []lokipush.Label{{Name: "component", Value: "task"}},
		severities: []uint8{0},
		entries: []lokipush.Entry{{TimeNs: 1, Line: `{"message":"Pushing xcom"}`, Metadata: []lokipush.Label{
			{Name: "trace_id", Value: "0b4b2e79be970e4b0f7443dc65f2e8e0"},
			{Name: "span_id", Value: "fa71e9dec87bcefe"},
			{Name: "ti_id", Value: "01a2511d-80bc-7413-bcf7-be099c70444a"},
		}}},
	}
	var s otlpSink
	body, _ := s.encode(&batch{order: []*batchStream{bs}})
	f := logRecordFields(t, body)
	want := []byte{0x0b, 0x4b, 0x2e, 0x79, 0xbe, 0x97, 0x0e, 0x4b, 0x0f, 0x74, 0x43, 0xdc, 0x65, 0xf2, 0xe8, 0xe0}
	if len(f[otlpTraceID]) != 1 || !bytes.Equal(f[otlpTraceID][0], want) {
		t.Errorf("trace_id field = %x, want %x", f[otlpTraceID], want)
	}
	if len(f[otlpSpanID]) != 1 || !bytes.Equal(f[otlpSpanID][0], []byte{0xfa, 0x71, 0xe9, 0xde, 0xc8, 0x7b, 0xce, 0xfe}) {
		t.Errorf("span_id field = %x", f[otlpSpanID])
	}
	if n := len(f[otlpRecAttrs]); n != 1 { // ti_id only
		t.Errorf("%d attributes, want 1 (ti_id)", n)
	}

	bs.entries[0].Metadata = []lokipush.Label{{Name: "trace_id", Value: "not-an-id"}}
	body, _ = s.encode(&batch{order: []*batchStream{bs}})
	f = logRecordFields(t, body)
	if len(f[otlpTraceID]) != 0 || len(f[otlpRecAttrs]) != 1 {
		t.Errorf("an invalid trace_id must stay an attribute: %v", f)
	}
}
