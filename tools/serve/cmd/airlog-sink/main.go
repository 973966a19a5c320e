// Command airlog-sink is a minimal Loki push endpoint for tests and benchmarks: it decodes what it
// receives, counts it, optionally writes every entry to a file, and can play a slow or flaky store.
//
//	airlog-sink --listen 127.0.0.1:3199 --delay 20ms --fail-every 10 --dump got.jsonl
//
// POST /loki/api/v1/push (also /api/prom/push): snappy protobuf (any content type but JSON) or
// application/json (Content-Encoding: gzip allowed); 204 when decoded, 400 with the reason when not.
// --fail-every N answers every Nth push request with the next code of --fail-codes (500, 429, …)
// before reading it. --delay D holds every push request for D before answering.
// GET /stats: the counts as JSON. GET /ready: 200.
// --dump FILE appends one JSON line per received entry, flushed before the push is answered:
//
//	{"tenant":"…","labels":{"job":"…"},"ts":1700000000000000000,"line":"…","metadata":{"k":"v"}}
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/airlog/airlog/tools/serve/lokipush"
)

// Stats is what GET /stats answers.
type Stats struct {
	Requests        int64            `json:"requests"`        // push requests, failed ones included
	Pushes          int64            `json:"pushes"`          // accepted (204)
	Failed          int64            `json:"failed"`          // answered by --fail-every
	Rejected        int64            `json:"rejected"`        // 400/413
	Streams         int64            `json:"streams"`         // distinct tenant + label sets
	StreamsInPush   int64            `json:"streams_in_push"` // stream objects over all pushes
	Entries         int64            `json:"entries"`
	Lines           int64            `json:"lines"` // physical lines: an entry of k '\n' holds k+1
	Bytes           int64            `json:"bytes"` // entry line text
	BodyBytes       int64            `json:"body_bytes"`
	EntriesByTenant map[string]int64 `json:"entries_by_tenant"`
}

type sink struct {
	maxBody    int64
	maxDecoded int
	delay      time.Duration
	failEvery  int64
	failCodes  []int
	failUntil  time.Time // every push before then is answered with the first failure code

	mu      sync.Mutex
	st      Stats
	streams map[string]struct{}
	dump    *bufio.Writer
	dumpF   *os.File
}

func main() {
	listen := flag.String("listen", "127.0.0.1:3199", "address to listen on")
	delay := flag.Duration("delay", 0, "hold every push request this long before answering")
	failEvery := flag.Int64("fail-every", 0, "answer every Nth push request with a failure code (0 = never)")
	failCodes := flag.String("fail-codes", "500,429", "failure codes, used in turn")
	failFor := flag.Duration("fail-for", 0, "answer every push with the first failure code for this long after start (an outage)")
	dumpPath := flag.String("dump", "", "append every received entry as a JSON line to this file")
	maxBody := flag.Int64("max-request-bytes", 64<<20, "body limit (413 past it)")
	maxDecoded := flag.Int("max-decoded-bytes", 256<<20, "decoded body limit (413 past it)")
	flag.Parse()

	s := &sink{maxBody: *maxBody, maxDecoded: *maxDecoded, delay: *delay, failEvery: *failEvery,
		failUntil: time.Now().Add(*failFor), streams: map[string]struct{}{}}
	s.st.EntriesByTenant = map[string]int64{}
	for _, c := range strings.Split(*failCodes, ",") {
		code, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || code < 100 || code > 599 {
			log.Fatalf("airlog-sink: --fail-codes: %q is not an HTTP status", c)
		}
		s.failCodes = append(s.failCodes, code)
	}
	if *dumpPath != "" {
		f, err := os.OpenFile(*dumpPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			log.Fatalf("airlog-sink: %v", err)
		}
		s.dumpF, s.dump = f, bufio.NewWriterSize(f, 1<<20)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("airlog-sink: %v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/loki/api/v1/push", s.push)
	mux.HandleFunc("/api/prom/push", s.push)
	mux.HandleFunc("/stats", s.stats)
	mux.HandleFunc("/ready", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ready") })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("airlog-sink listening on %s\n", ln.Addr())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("airlog-sink: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dump != nil {
		s.dump.Flush()
		s.dumpF.Close()
	}
}

func (s *sink) push(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	s.st.Requests++
	n := s.st.Requests
	failCode := 0
	if time.Now().Before(s.failUntil) {
		failCode = s.failCodes[0]
		s.st.Failed++
	} else if s.failEvery > 0 && n%s.failEvery == 0 {
		failCode = s.failCodes[(n/s.failEvery-1)%int64(len(s.failCodes))]
		s.st.Failed++
	}
	s.mu.Unlock()
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	if failCode != 0 {
		if failCode == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		http.Error(w, "airlog-sink: failing on purpose", failCode)
		return
	}

	body, err := io.ReadAll(io.LimitReader(r.Body, s.maxBody+1))
	if err != nil {
		s.reject(w, http.StatusBadRequest, "reading body: "+err.Error())
		return
	}
	if int64(len(body)) > s.maxBody {
		s.reject(w, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	req, code, err := s.decode(r, body)
	if err != nil {
		s.reject(w, code, err.Error())
		return
	}
	tenant := r.Header.Get("X-Scope-OrgID")

	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Pushes++
	s.st.BodyBytes += int64(len(body))
	var key []byte
	for i := range req.Streams {
		st := &req.Streams[i]
		key = lokipush.AppendLabels(append(append(key[:0], tenant...), 0), st.Labels)
		if _, ok := s.streams[string(key)]; !ok {
			s.streams[string(key)] = struct{}{}
			s.st.Streams++
		}
		s.st.StreamsInPush++
		for _, e := range st.Entries {
			s.st.Entries++
			s.st.Lines += int64(strings.Count(e.Line, "\n") + 1)
			s.st.Bytes += int64(len(e.Line))
		}
		s.st.EntriesByTenant[tenant] += int64(len(st.Entries))
		if s.dump != nil {
			s.dumpStream(tenant, st)
		}
	}
	if s.dump != nil {
		if err := s.dump.Flush(); err != nil {
			log.Printf("airlog-sink: dump: %v", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *sink) decode(r *http.Request, body []byte) (*lokipush.Request, int, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		req, err := lokipush.DecodeSnappyProto(body, lokipush.Limits{MaxDecodedBytes: s.maxDecoded})
		if errors.Is(err, lokipush.ErrTooLarge) {
			return nil, http.StatusRequestEntityTooLarge, err
		}
		return req, http.StatusBadRequest, err
	}
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(strings.NewReader(string(body)))
		if err != nil {
			return nil, http.StatusBadRequest, err
		}
		raw, err := io.ReadAll(io.LimitReader(zr, int64(s.maxDecoded)+1))
		if err != nil {
			return nil, http.StatusBadRequest, err
		}
		if len(raw) > s.maxDecoded {
			return nil, http.StatusRequestEntityTooLarge, lokipush.ErrTooLarge
		}
		body = raw
	}
	req, err := lokipush.DecodeJSON(body)
	return req, http.StatusBadRequest, err
}

func (s *sink) reject(w http.ResponseWriter, code int, reason string) {
	s.mu.Lock()
	s.st.Rejected++
	s.mu.Unlock()
	http.Error(w, reason, code)
}

type dumpEntry struct {
	Tenant   string            `json:"tenant"`
	Labels   map[string]string `json:"labels"`
	TimeNs   int64             `json:"ts"`
	Line     string            `json:"line"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

func (s *sink) dumpStream(tenant string, st *lokipush.Stream) {
	labels := make(map[string]string, len(st.Labels))
	for _, l := range st.Labels {
		labels[l.Name] = l.Value
	}
	enc := json.NewEncoder(s.dump)
	enc.SetEscapeHTML(false)
	for _, e := range st.Entries {
		d := dumpEntry{Tenant: tenant, Labels: labels, TimeNs: e.TimeNs, Line: e.Line}
		if len(e.Metadata) > 0 {
			d.Metadata = make(map[string]string, len(e.Metadata))
			for _, m := range e.Metadata {
				d.Metadata[m.Name] = m.Value
			}
		}
		enc.Encode(&d) // one line each: Encode appends '\n'
	}
}

func (s *sink) stats(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	b, _ := json.MarshalIndent(&s.st, "", "  ")
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(b, '\n'))
}
