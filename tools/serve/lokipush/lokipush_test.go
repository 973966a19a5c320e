package lokipush

import (
	"bytes"
	"strings"
	"testing"

	"github.com/golang/snappy"
)

func sample() *Request {
	return &Request{Streams: []Stream{
		{Labels: []Label{{"app", "airflow-scheduler"}, {"namespace", `we"ird\n`}},
			Entries: []Entry{{TimeNs: 1700000000123456789, Line: "[2024-01-01T00:00:00.000+0000] {x.py:1} INFO - a"},
				{TimeNs: 5, Line: "", Metadata: []Label{{"trace_id", "abc"}}}}},
		{Labels: []Label{{"job", "x"}}, Entries: []Entry{{TimeNs: 0, Line: "héllo"}}},
	}}
}

func TestProtoRoundTrip(t *testing.T) {
	in := sample()
	body := EncodeSnappyProto(in)
	out, err := DecodeSnappyProto(body, Limits{MaxDecodedBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Streams) != 2 || FormatLabels(out.Streams[0].Labels) != FormatLabels(in.Streams[0].Labels) {
		t.Fatalf("streams: %+v", out.Streams)
	}
	for i := range in.Streams {
		for j, e := range in.Streams[i].Entries {
			g := out.Streams[i].Entries[j]
			if g.TimeNs != e.TimeNs || g.Line != e.Line || len(g.Metadata) != len(e.Metadata) {
				t.Fatalf("entry %d/%d: got %+v want %+v", i, j, g, e)
			}
		}
	}
}

func TestBombAndTruncation(t *testing.T) {
	big := snappy.Encode(nil, bytes.Repeat([]byte{0}, 10<<20))
	if _, err := DecodeSnappyProto(big, Limits{MaxDecodedBytes: 1 << 20}); err != ErrTooLarge {
		t.Fatalf("bomb: %v", err)
	}
	raw := snappy.Encode(nil, nil)
	_ = raw
	body := EncodeSnappyProto(sample())
	plain, _ := snappy.Decode(nil, body)
	for cut := 1; cut < len(plain); cut += 7 {
		if _, err := DecodeProto(plain[:cut]); err == nil && cut < len(plain)-1 {
			// a cut on a field boundary is a valid shorter message; it must not panic either way
			continue
		}
	}
	if _, err := DecodeSnappyProto([]byte("garbage!"), Limits{}); err == nil {
		t.Fatal("garbage accepted")
	}
}

func TestLabels(t *testing.T) {
	ls, err := ParseLabels(`{namespace="airflow", pod="airflow-scheduler-0",app="a\"b"}`)
	if err != nil || len(ls) != 3 || ls[0].Name != "app" || ls[0].Value != `a"b` {
		t.Fatalf("%v %v", ls, err)
	}
	for _, bad := range []string{`{1a="x"}`, `{a=x}`, `a="x"`, `{a="x",a="y"}`, `{a="x}`, `{__bad-name="x"}`} {
		if _, err := ParseLabels(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestJSON(t *testing.T) {
	req, err := DecodeJSON([]byte(`{"streams":[{"stream":{"job":"a","pod":"p"},"values":[["1700000000000000000","line one"],["5","two",{"k":"v"}]]}]}`))
	if err != nil || len(req.Streams[0].Entries) != 2 || req.Streams[0].Entries[1].Metadata[0].Value != "v" {
		t.Fatalf("%+v %v", req, err)
	}
	for _, bad := range []string{`{`, `{"streams":[{"stream":{"a-b":"x"},"values":[]}]}`, `{"streams":[{"stream":{"a":"x"},"values":[["x","y"]]}]}`, `{"streams":[{"stream":{},"values":[]}]}`} {
		if _, err := DecodeJSON([]byte(bad)); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
