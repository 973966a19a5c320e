package gateway

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/airlog/airlog/tools/serve/lokipush"
)

// store is a downstream that records what it is sent.
type store struct {
	mu      sync.Mutex
	streams []lokipush.Stream
	tenants []string
	fail    int // answer 503 to this many requests first
}

func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		w.Header().Set("Retry-After", "0")
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	req, err := lokipush.DecodeSnappyProto(body, lokipush.Limits{})
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	s.streams = append(s.streams, req.Streams...)
	s.tenants = append(s.tenants, r.Header.Get("X-Scope-OrgID"))
	w.WriteHeader(204)
}

func (s *store) entries() []lokipush.Stream {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]lokipush.Stream(nil), s.streams...)
}

// runGateway starts a gateway forwarding to a recording store; stop() shuts it down.
func runGateway(t *testing.T, mutate func(*Config)) (url string, st *store, stop func() error) {
	t.Helper()
	st = &store{}
	down := httptest.NewServer(st)
	t.Cleanup(down.Close)
	cfg := Defaults()
	cfg.Workers = 2
	cfg.LokiURL = down.URL
	cfg.MultilineWait = 200 * time.Millisecond
	cfg.Downstream.BatchWait = 50 * time.Millisecond
	cfg.Downstream.MinBackoff = 10 * time.Millisecond
	if mutate != nil {
		mutate(&cfg)
	}
	g, err := New(cfg, log.New(os.Stderr, "gateway test: ", 0))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx, ln) }()
	url = "http://" + ln.Addr().String()
	for i := 0; i < 100 && !g.ready.Load(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { stop() })
	return url, st, stop
}

func push(t *testing.T, url, tenant string, streams ...lokipush.Stream) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/loki/api/v1/push",
		bytes.NewReader(lokipush.EncodeSnappyProto(&lokipush.Request{Streams: streams})))
	req.Header.Set("Content-Type", "application/x-protobuf")
	if tenant != "" {
		req.Header.Set("X-Scope-OrgID", tenant)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func mkStream(labels []lokipush.Label, lines ...string) lokipush.Stream {
	s := lokipush.Stream{Labels: labels}
	for i, l := range lines {
		s.Entries = append(s.Entries, lokipush.Entry{TimeNs: 1_700_000_000_000_000_000 + int64(i), Line: l})
	}
	return s
}

func waitEntries(t *testing.T, st *store, n int) []lokipush.Stream {
	t.Helper()
	for i := 0; i < 300; i++ {
		got := st.entries()
		c := 0
		for _, s := range got {
			c += len(s.Entries)
		}
		if c >= n {
			if c > n {
				t.Fatalf("%d entries arrived, want %d: %+v", c, n, got)
			}
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("fewer than %d entries arrived: %+v", n, st.entries())
	return nil
}

var taskLines = []string{
	"[2024-05-01T10:00:00.000+0000] {taskinstance.py:1} INFO - Dependencies all met for <TaskInstance: etl.extract manual__1 [queued]>",
	"[2024-05-01T10:00:01.000+0000] {taskinstance.py:2905} ERROR - Task failed with exception",
	"Traceback (most recent call last):",
	`  File "/opt/airflow/dags/etl.py", line 12, in extract`,
	"ValueError: boom",
}

func label(n, v string) lokipush.Label { return lokipush.Label{Name: n, Value: v} }

// Labels: the incoming ones, plus airlog's within the budget; past it, airlog's go to metadata.
func TestLabelsWithinTheBudget(t *testing.T) {
	url, st, _ := runGateway(t, nil)
	in := []lokipush.Label{label("filename", "dag_id=etl/run_id=manual__1/task_id=extract/attempt=1.log"), label("job", "a")}
	if code := push(t, url, "team-a", mkStream(in, taskLines...)); code != 204 {
		t.Fatalf("push: %d", code)
	}
	got := waitEntries(t, st, 2)
	last := got[len(got)-1]
	if lokipush.FormatLabels(last.Labels) != `{component="task", dag_id="etl", filename="dag_id=etl/run_id=manual__1/task_id=extract/attempt=1.log", job="a", level="error"}` {
		t.Errorf("labels %s", lokipush.FormatLabels(last.Labels))
	}
	e := last.Entries[0]
	if e.Line != strings.Join(taskLines[1:], "\n") {
		t.Errorf("line %q", e.Line)
	}
	meta := map[string]string{}
	for _, m := range e.Metadata {
		meta[m.Name] = m.Value
	}
	for k, v := range map[string]string{"run_id": "manual__1", "task_id": "extract", "try_number": "1", "exception_type": "ValueError"} {
		if meta[k] != v {
			t.Errorf("metadata %s=%q, want %q (%v)", k, meta[k], v, meta)
		}
	}
	if _, ok := meta["dag_id"]; ok {
		t.Error("dag_id is a label and metadata")
	}
	st.mu.Lock()
	if st.tenants[0] != "team-a" {
		t.Errorf("tenant %q not passed through", st.tenants[0])
	}
	st.mu.Unlock()

	// 14 incoming labels: airlog's three would make 17 > 15, so they go to metadata.
	var many []lokipush.Label
	for i := 0; i < 14; i++ {
		many = append(many, label(fmt.Sprintf("l%02d", i), "v"))
	}
	push(t, url, "", mkStream(many, taskLines[0]))
	got = waitEntries(t, st, 3)
	s := got[len(got)-1]
	if len(s.Labels) != 14 {
		t.Fatalf("%d labels: %s", len(s.Labels), lokipush.FormatLabels(s.Labels))
	}
	meta = map[string]string{}
	for _, m := range s.Entries[0].Metadata {
		meta[m.Name] = m.Value
	}
	if meta["component"] == "" || meta["level"] != "info" || meta["dag_id"] != "etl" {
		t.Errorf("airlog's labels did not go to metadata: %v", meta)
	}
}

// A store that fails first: the batch is retried until it lands, once.
func TestRetriesUntilDelivered(t *testing.T) {
	url, st, _ := runGateway(t, nil)
	st.fail = 3
	push(t, url, "", mkStream([]lokipush.Label{label("job", "r")}, taskLines[0]))
	waitEntries(t, st, 1)
	time.Sleep(100 * time.Millisecond)
	waitEntries(t, st, 1)
}

// A stream's pushes are parsed in order: a traceback split across two pushes is one entry.
func TestEventSpansPushes(t *testing.T) {
	url, st, _ := runGateway(t, nil)
	ls := []lokipush.Label{label("job", "s")}
	a, b := mkStream(ls, taskLines[:3]...), mkStream(ls, taskLines[3:]...)
	for i := range b.Entries {
		b.Entries[i].TimeNs += 10
	}
	push(t, url, "", a)
	push(t, url, "", b)
	got := waitEntries(t, st, 2)
	var lines []string
	for _, s := range got {
		for _, e := range s.Entries {
			lines = append(lines, e.Line)
		}
	}
	if len(lines) != 2 || lines[1] != strings.Join(taskLines[1:], "\n") {
		t.Fatalf("entries %q", lines)
	}
}

// SIGTERM's path: Run returns after the open event went out.
func TestShutdownFlushes(t *testing.T) {
	url, st, stop := runGateway(t, func(c *Config) { c.MultilineWait = time.Hour })
	push(t, url, "", mkStream([]lokipush.Label{label("job", "x")}, taskLines[1:]...))
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	got := st.entries()
	if len(got) != 1 || got[0].Entries[0].Line != strings.Join(taskLines[1:], "\n") {
		t.Fatalf("%+v", got)
	}
}

// The write-ahead log: records read back as written; a torn tail ends the segment cleanly.
func TestWALRecordsAndTornTail(t *testing.T) {
	dir := t.TempDir()
	w, err := openWAL(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.replay(func(string, []lokipush.Stream, uint64) {}); err != nil {
		t.Fatal(err)
	}
	s := mkStream([]lokipush.Label{label("job", "w")}, "a", "b\nc")
	s.Entries[0].Metadata = []lokipush.Label{label("k", "v")}
	key := streamKey("t1", s.Labels)
	for i := 0; i < 3; i++ {
		ticket, err := w.append("t1", []lokipush.Stream{s}, []string{key}, []uint64{physicalLines(&s)}, uint64(1+3*i))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.commit(ticket); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.delivered(map[string]uint64{key: 3}); err != nil {
		t.Fatal(err)
	}
	if err := w.sending(map[string]uint64{key: 6}); err != nil { // a crash while lines 4..6 are posted
		t.Fatal(err)
	}
	w.close()
	segs, _ := filepath.Glob(filepath.Join(dir, "wal-*.seg"))
	f, _ := os.OpenFile(segs[0], os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte{200, 0, 0, 0, 1, 2, 3}) // a crash mid-record
	f.Close()

	w2, err := openWAL(dir)
	if err != nil {
		t.Fatal(err)
	}
	var firsts []uint64
	next, err := w2.replay(func(tenant string, streams []lokipush.Stream, first uint64) {
		if tenant != "t1" || len(streams) != 1 || streams[0].Entries[1].Line != "b\nc" || streams[0].Entries[0].Metadata[0].Value != "v" {
			t.Errorf("record read back as %q %+v", tenant, streams)
		}
		firsts = append(firsts, first)
	})
	if err != nil || next != 10 || len(firsts) != 3 || w2.mark(key) != 3 {
		t.Fatalf("next %d, records %v, mark %d, err %v", next, firsts, w2.mark(key), err)
	}
	if d, none := w2.inDoubt(key, 4, 9), w2.inDoubt("other", 1, 9); d != 3 || none != 0 {
		t.Errorf("lines 4..9 after a crash posting up to 6: %d in doubt (want 3); another stream: %d", d, none)
	}
}

// A sender's repeated push is recognised; a push refused with 429 is not remembered.
func TestRetriedEntries(t *testing.T) {
	r := newRetried()
	s := mkStream([]lokipush.Label{label("job", "x")}, "a", "b", "c")
	if kept, d := r.filter("k", s.Entries); len(kept) != 3 || d != 0 {
		t.Fatal("a new stream's entries were dropped")
	}
	r.remember("k", s.Entries, time.Now())
	if kept, d := r.filter("k", s.Entries); len(kept) != 0 || d != 3 {
		t.Fatalf("repeat kept %d", len(kept))
	}
	next := mkStream([]lokipush.Label{label("job", "x")}, "a", "b", "c")
	for i := range next.Entries {
		next.Entries[i].TimeNs += 100 // same lines, new timestamps: new entries
	}
	if kept, _ := r.filter("k", append(next.Entries, s.Entries[2])); len(kept) != 3 {
		t.Fatalf("kept %d of 3 new + 1 repeated", len(kept))
	}
}

func TestComponentFromLabels(t *testing.T) {
	for _, c := range []struct {
		labels []lokipush.Label
		want   string
	}{
		{[]lokipush.Label{label("component", "scheduler")}, "scheduler"},
		{[]lokipush.Label{label("pod", "airflow-worker-0")}, "worker"},
		{[]lokipush.Label{label("container", "dag-processor")}, "dag-processor"},
		{[]lokipush.Label{label("service_name", "airflow-api-server")}, "api-server"},
		{[]lokipush.Label{label("app", "airflow-triggerer")}, "triggerer"},
		{[]lokipush.Label{label("pod", "etl-extract-7f9c")}, ""},
	} {
		if got := componentFromLabels(c.labels); got != c.want {
			t.Errorf("%v: %q, want %q", c.labels, got, c.want)
		}
	}
}

func TestEnvelopeAndParts(t *testing.T) {
	if got := stripEnvelope("2024-05-01T10:00:00.123456789Z stdout F hello world"); got != "hello world" {
		t.Errorf("CRI: %q", got)
	}
	if got := stripEnvelope(`{"log":"hello\n","stream":"stderr","time":"2024-05-01T10:00:00Z"}`); got != "hello" {
		t.Errorf("Docker: %q", got)
	}
	if got := stripEnvelope("plain line"); got != "plain line" {
		t.Errorf("plain: %q", got)
	}
	parts := splitUTF8(strings.Repeat("é", 10), 5)
	if strings.Join(parts, "") != strings.Repeat("é", 10) || len(parts) != 5 {
		t.Errorf("parts %q", parts)
	}
}

// The listener's auth and TLS, and the downstream's credentials and headers.
func TestAuthTLSAndDownstreamHeaders(t *testing.T) {
	var got http.Header
	var mu sync.Mutex
	down := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.Header.Clone()
		mu.Unlock()
		w.WriteHeader(204)
	}))
	defer down.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: down.Certificate().Raw}), 0o644)
	certFile, keyFile := selfSigned(t)

	url, _, _ := runGateway(t, func(c *Config) {
		c.LokiURL = down.URL
		c.AuthBearer = "s3cret"
		c.TLSCert, c.TLSKey = certFile, keyFile
		c.Downstream.CAFile = caFile
		c.Downstream.BasicAuth = "airlog:pw"
		c.Downstream.Headers = []lokipush.Label{label("X-Extra", "1")}
		c.Downstream.Tenant = "fixed"
	})
	url = strings.Replace(url, "http://", "https://", 1)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	body := lokipush.EncodeSnappyProto(&lokipush.Request{Streams: []lokipush.Stream{mkStream([]lokipush.Label{label("job", "t")}, taskLines[0])}})
	send := func(token string) int {
		req, _ := http.NewRequest(http.MethodPost, url+"/loki/api/v1/push", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-protobuf")
		req.Header.Set("X-Scope-OrgID", "incoming")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send(""); code != 401 {
		t.Fatalf("no token: %d", code)
	}
	if code := send("wrong"); code != 401 {
		t.Fatalf("wrong token: %d", code)
	}
	if code := send("s3cret"); code != 204 {
		t.Fatalf("right token: %d", code)
	}
	for i := 0; i < 300; i++ {
		mu.Lock()
		h := got
		mu.Unlock()
		if h != nil {
			user, pass, ok := (&http.Request{Header: h}).BasicAuth()
			if !ok || user != "airlog" || pass != "pw" || h.Get("X-Extra") != "1" || h.Get("X-Scope-OrgID") != "fixed" {
				t.Fatalf("downstream headers %v", h)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("nothing reached the TLS store")
}

func selfSigned(t *testing.T) (certFile, keyFile string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile
}

// --loki-line json: the line is the contract's JSON line; metadata keeps only what is not in it.
func TestLineJSON(t *testing.T) {
	url, st, _ := runGateway(t, func(c *Config) { c.LineJSON = true })
	push(t, url, "", mkStream([]lokipush.Label{label("job", "j"), label("filename", "dag_id=etl/run_id=r1/task_id=t/attempt=3.log")}, taskLines[1:]...))
	got := waitEntries(t, st, 1)
	e := got[0].Entries[0]
	var obj map[string]any
	if err := json.Unmarshal([]byte(e.Line), &obj); err != nil {
		t.Fatalf("line is not JSON: %q", e.Line)
	}
	if obj["run_id"] != "r1" || obj["try_number"] != float64(3) || obj["exception_type"] != "ValueError" || obj["lines"] != float64(4) {
		t.Errorf("contract line %v", obj)
	}
	if len(e.Metadata) != 0 {
		t.Errorf("metadata beside a JSON line: %v", e.Metadata)
	}
}

// An entry's trailing line end is not an empty line of its own; inner newlines are lines.
func TestEntryLineEnds(t *testing.T) {
	url, st, _ := runGateway(t, nil)
	in := mkStream([]lokipush.Label{label("job", "e")}, taskLines[0]+"\r\n", taskLines[1]+"\n"+taskLines[2]+"\n", taskLines[3], taskLines[4]+"\n")
	push(t, url, "", in)
	got := waitEntries(t, st, 2)
	var lines []string
	for _, s := range got {
		for _, e := range s.Entries {
			lines = append(lines, e.Line)
		}
	}
	if len(lines) != 2 || lines[0] != taskLines[0] || lines[1] != strings.Join(taskLines[1:], "\n") {
		t.Fatalf("entries %q", lines)
	}
}

// An agent that lost its positions file pushes three hours of a log again, with new entry times:
// the duplicate filter drops all of it, and its memory shows on /metrics.
func TestAgentReReadIsDropped(t *testing.T) {
	url, st, _ := runGateway(t, nil)
	ls := []lokipush.Label{label("job", "scheduler")}
	var lines []string
	for m := 0; m < 180; m += 5 {
		lines = append(lines, fmt.Sprintf("[2024-05-01T%02d:%02d:00.000+0000] {scheduler_job.py:1} INFO - loop %d", m/60, m%60, m))
	}
	first := mkStream(ls, lines...)
	again := mkStream(ls, lines...)
	for i := range again.Entries {
		again.Entries[i].TimeNs += int64(4 * time.Hour)
	}
	push(t, url, "", first)
	waitEntries(t, st, len(lines))
	push(t, url, "", again)
	time.Sleep(500 * time.Millisecond) // a multiline wait and a batch wait
	waitEntries(t, st, len(lines))
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{fmt.Sprintf("airlog_serve_duplicate_lines_dropped_total %d\n", len(lines)), "airlog_serve_dedup_memory_bytes "} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(string(body), "airlog_serve_dedup_memory_bytes 0\n") {
		t.Error("the duplicate filter's memory is not counted")
	}
}

// Secrets pushed in a stream's lines never reach the store (not in the line, not in the
// metadata), the rest of each line arrives as sent, and /metrics counts what was masked;
// with Redact off (--no-redact) the lines go through as written.
func TestPushedSecretsAreMasked(t *testing.T) {
	lines := []string{
		"[2024-05-01T12:00:00.000+0000] {base.py:84} INFO - Using connection postgresql://airflow:hunter2@db:5432/airflow",
		`{"timestamp":"2024-05-01T12:00:01.000000Z","level":"info","event":"login","logger":"x","password":"hunter2","token":12345}`,
		"[2024-05-01T12:00:02.000+0000] {base.py:84} INFO - nothing secret here",
	}
	want := []string{
		"[2024-05-01T12:00:00.000+0000] {base.py:84} INFO - Using connection postgresql://airflow:***@db:5432/airflow",
		`{"timestamp":"2024-05-01T12:00:01.000000Z","level":"info","event":"login","logger":"x","password":"***","token":"***"}`,
		lines[2],
	}
	for _, redact := range []bool{true, false} {
		url, st, _ := runGateway(t, func(c *Config) { c.Redact = redact })
		push(t, url, "", mkStream([]lokipush.Label{label("job", "worker")}, lines...))
		var got []string
		for _, s := range waitEntries(t, st, len(lines)) {
			for _, e := range s.Entries {
				got = append(got, e.Line)
				for _, m := range e.Metadata {
					if redact && strings.Contains(m.Value, "hunter2") {
						t.Errorf("metadata %s=%q holds the password", m.Name, m.Value)
					}
				}
			}
		}
		expect := append([]string(nil), want...)
		if !redact {
			expect = append(expect[:0], lines...)
		}
		sort.Strings(got) // the events may land in different Loki streams
		sort.Strings(expect)
		if strings.Join(got, "\n") != strings.Join(expect, "\n") {
			t.Errorf("redact=%v: lines\n%s\nwant\n%s", redact, strings.Join(got, "\n"), strings.Join(expect, "\n"))
		}
		resp, err := http.Get(url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		metric := "airlog_serve_redactions_total 3\n"
		if !redact {
			metric = "airlog_serve_redactions_total 0\n"
		}
		if !strings.Contains(string(body), metric) {
			t.Errorf("/metrics lacks %q", metric)
		}
	}
}
