package gateway

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/golang/snappy"

	"github.com/airlog/airlog/tools/serve/lokipush"
)

var (
	fuzzContentTypes = []string{"application/x-protobuf", "application/json", "", "text/plain", "application/json; charset=utf-8"}
	fuzzEncodings    = []string{"", "gzip", "identity", "br", "GZIP"}
)

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func pushRequest(body []byte, contentType, encoding string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/loki/api/v1/push", bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if encoding != "" {
		r.Header.Set("Content-Encoding", encoding)
	}
	return r
}

// airlog serve's request decoding (Content-Type x Content-Encoding x body): a request or a client
// error (400, 413, 415) — never a panic or another status; nothing over the decoded-size limit
// passes (gzip and snappy bombs); and a push accepted in one encoding decodes to the same request
// gzip-compressed (its protobuf unsnappied first), so the encodings agree.
func FuzzDecodeRequest(f *testing.F) {
	proto := lokipush.EncodeSnappyProto(&lokipush.Request{Streams: []lokipush.Stream{{
		Labels:  []lokipush.Label{{Name: "job", Value: "airflow"}},
		Entries: []lokipush.Entry{{TimeNs: 1700000000123456789, Line: "[2024-01-01T00:00:00.000+0000] {x.py:1} INFO - a"}}}}})
	raw, _ := snappy.Decode(nil, proto)
	json := []byte(`{"streams":[{"stream":{"job":"a"},"values":[["1","x"],["2","y",{"k":"v"}]]}]}`)
	f.Add(uint8(0), proto)
	f.Add(uint8(5), raw)
	f.Add(uint8(5), gzipped(raw))
	f.Add(uint8(1), json)
	f.Add(uint8(6), gzipped(json))
	f.Add(uint8(6), gzipped(bytes.Repeat([]byte{'{'}, 1<<20))) // a gzip bomb of a sort
	f.Add(uint8(16), json)
	f.Fuzz(func(t *testing.T, mode uint8, body []byte) {
		g := &Gateway{cfg: Defaults()}
		g.cfg.MaxRequestBytes = 256 << 10
		g.cfg.MaxDecodedBytes = 512 << 10
		ct := fuzzContentTypes[int(mode)%len(fuzzContentTypes)]
		enc := fuzzEncodings[int(mode)/len(fuzzContentTypes)%len(fuzzEncodings)]
		req, perr := g.decode(pushRequest(body, ct, enc))
		if perr != nil {
			switch perr.status {
			case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
			default:
				t.Fatalf("status %d (%s) for a bad push", perr.status, perr.reason)
			}
			return
		}
		size := 0 // the text decoded: labels, lines, metadata
		for _, s := range req.Streams {
			for _, l := range s.Labels {
				size += len(l.Name) + len(l.Value)
			}
			for _, e := range s.Entries {
				size += len(e.Line)
				for _, m := range e.Metadata {
					size += len(m.Name) + len(m.Value)
				}
			}
		}
		if size > g.cfg.MaxDecodedBytes {
			t.Fatalf("a push of %d decoded bytes passed the limit of %d", size, g.cfg.MaxDecodedBytes)
		}
		if enc != "" && enc != "identity" {
			return
		}
		// The same push gzip-compressed (a snappy protobuf body unsnappied first).
		plain := body
		if ct != "application/json" && ct != "application/json; charset=utf-8" {
			if plain, _ = snappy.Decode(nil, body); plain == nil {
				plain = []byte{}
			}
		}
		again, perr := g.decode(pushRequest(gzipped(plain), ct, "gzip"))
		if perr != nil {
			t.Fatalf("accepted as is but refused gzip-compressed: %d %s", perr.status, perr.reason)
		}
		if !again.Equal(req) {
			t.Fatalf("gzip-compressed push decodes to another request:\n%+v\n%+v", req, again)
		}
	})
}
