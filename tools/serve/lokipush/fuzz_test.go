package lokipush

import (
	"testing"

	"github.com/golang/snappy"
)

// Whatever a client sends, decoding ends with a request or an error — never a panic — and a
// decoded request encodes and decodes again to the same streams. `go test` runs the seeds;
// `go test -fuzz FuzzDecodeProto ./lokipush` explores.
func FuzzDecodeProto(f *testing.F) {
	raw, _ := snappy.Decode(nil, EncodeSnappyProto(sample()))
	f.Add(raw)
	f.Add(raw[:len(raw)/2])
	f.Add([]byte{0x0a, 0x80, 0x80, 0x80, 0x80, 0x10})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := DecodeProto(b)
		if err != nil {
			return
		}
		again, err := DecodeSnappyProto(EncodeSnappyProto(req), Limits{})
		if err != nil || len(again.Streams) != len(req.Streams) {
			t.Fatalf("re-encoded request does not decode: %v", err)
		}
		for i := range req.Streams {
			if FormatLabels(again.Streams[i].Labels) != FormatLabels(req.Streams[i].Labels) ||
				len(again.Streams[i].Entries) != len(req.Streams[i].Entries) {
				t.Fatalf("stream %d changed", i)
			}
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"streams":[{"stream":{"job":"a"},"values":[["1","x"],["2","y",{"k":"v"}]]}]}`))
	f.Add([]byte(`{"streams":[{"stream":{"job":"a"},"values":[["-1","x"]]}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = DecodeJSON(b) })
}

func FuzzParseLabels(f *testing.F) {
	f.Add(`{a="b", c="d\"e"}`)
	f.Add(`{a="\xff"}`)
	f.Add(`{`)
	f.Fuzz(func(t *testing.T, s string) {
		ls, err := ParseLabels(s)
		if err != nil {
			return
		}
		again, err := ParseLabels(FormatLabels(ls))
		if err != nil || FormatLabels(again) != FormatLabels(ls) {
			t.Fatalf("%q -> %q does not read back: %v", s, FormatLabels(ls), err)
		}
	})
}
