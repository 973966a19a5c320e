package lokipush

import (
	"testing"

	"github.com/golang/snappy"
)

// Whatever a client sends, decoding ends with a request or an error — never a panic — and a
// decoded request encodes and decodes again to the same request. `go test` runs the seeds (and
// any failing input Go saved under testdata/fuzz/); tools/serve/fuzz.sh explores each target
// for FUZZ_SECONDS (`make fuzz`, `make test`).
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
		checkRoundTrip(t, req)
	})
}

// The snappy layer too: a snappy bomb is refused by its announced size, before any allocation.
func FuzzDecodeSnappyProto(f *testing.F) {
	body := EncodeSnappyProto(sample())
	f.Add(body)
	f.Add(body[:len(body)-3])
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		const limit = 64 << 10
		req, err := DecodeSnappyProto(b, Limits{MaxDecodedBytes: limit})
		if err != nil {
			return
		}
		if n, _ := snappy.DecodedLen(b); n > limit {
			t.Fatalf("a body of %d decoded bytes passed the limit of %d", n, limit)
		}
		checkRoundTrip(t, req)
	})
}

// A JSON push that decodes carries over to protobuf unchanged: the two encodings agree.
func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"streams":[{"stream":{"job":"a"},"values":[["1","x"],["2","y",{"k":"v"}]]}]}`))
	f.Add([]byte(`{"streams":[{"stream":{"job":"a"},"values":[["-1","x"]]}]}`))
	f.Add([]byte(`{"streams":[{"stream":{"b":"2","a":"1"},"values":[["9223372036854775807","\ud83d\ude00\n",{"z":"1","a":"2"}]]}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := DecodeJSON(b)
		if err != nil {
			return
		}
		checkRoundTrip(t, req)
	})
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

// decode(encode(req)) == req through the snappy protobuf body.
func checkRoundTrip(t *testing.T, req *Request) {
	t.Helper()
	again, err := DecodeSnappyProto(EncodeSnappyProto(req), Limits{})
	if err != nil {
		t.Fatalf("re-encoded request does not decode: %v", err)
	}
	if !again.Equal(req) {
		t.Fatalf("re-encoded request decodes to another one:\n%+v\n%+v", req, again)
	}
}
