package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/airlog/airlog/tools/serve/lokipush"
	"github.com/airlog/airlog/tools/serve/vlquery"
	"github.com/golang/snappy"
)

// loadgenAsync runs airlog-loadgen in the background; the channel gets its report.
func loadgenAsync(t *testing.T, bin string, args ...string) <-chan LoadgenReport {
	ch := make(chan LoadgenReport, 1)
	go func() {
		rep, err := RunLoadgen(t, bin, args...)
		if err != nil {
			t.Error(err)
		}
		ch <- rep
	}()
	return ch
}

// The store goes away for 20 s in the middle of the stream and comes back: airlog serve keeps
// accepting into its buffer, retries, and delivers every line exactly once.
func TestStoreDownAndBack(t *testing.T) {
	logs := RealLogs(t)
	corpus := Corpus(t, logs)
	vl := NewVictoriaLogs(t)
	s := startServe(t, "--loki-url", LokiPushURL(vl.URL), "--batch-wait", "100ms", "--multiline-wait", "500ms",
		"--min-backoff", "100ms", "--max-backoff", "1s")
	done := loadgenAsync(t, BuildCmd(t, "airlog-loadgen"), "--url", s.URL+"/loki/api/v1/push", "--conns", "4",
		"--seed", "5", "--batch-lines-max", "30", "--rate", "0.25", logs)
	time.Sleep(2 * time.Second)
	vl.Stop()
	t.Log("store stopped")
	time.Sleep(20 * time.Second)
	vl.Start()
	t.Log("store started again")
	<-done
	m := s.waitDelivered(90 * time.Second)
	if m["airlog_serve_retries_total"] == 0 || m[`airlog_serve_delivery_failures_total{reason="network"}`] == 0 {
		t.Errorf("the store was down and nothing was retried: %v", m)
	}
	sameLines(t, queryLanded(t, vl.URL, ""), corpus)
}

// airlog serve killed with SIGKILL mid-stream and started again on the same --buffer-dir: what it
// acknowledged is replayed, what it delivered is not sent again — but for the batch in flight at
// the kill, which the store may have taken: those lines come again with the same stream, timestamp
// and text (Loki keeps one), and no more of them than serve reports in doubt.
func TestKillAndRestartWithBufferDir(t *testing.T) {
	logs := RealLogs(t)
	corpus := Corpus(t, logs)
	vl := StartVictoriaLogs(t)
	dir := t.TempDir()
	s := startServe(t, "--loki-url", LokiPushURL(vl), "--batch-wait", "100ms", "--multiline-wait", "500ms",
		"--buffer-dir", dir, "--min-backoff", "100ms", "--max-backoff", "1s")
	done := loadgenAsync(t, BuildCmd(t, "airlog-loadgen"), "--url", s.URL+"/loki/api/v1/push", "--conns", "4",
		"--seed", "7", "--batch-lines-max", "30", "--rate", "0.3", "--min-backoff", "100ms", "--max-backoff", "500ms", logs)
	inDoubt := 0
	for _, after := range []time.Duration{1500 * time.Millisecond, 2 * time.Second} {
		time.Sleep(after)
		if err := s.stop(syscall.SIGKILL); err == nil {
			t.Fatal("SIGKILL did not kill")
		}
		t.Logf("killed; segments: %v", segments(dir))
		time.Sleep(300 * time.Millisecond)
		s.start()
		inDoubt += int(s.metrics()["airlog_serve_replayed_in_doubt_lines_total"])
	}
	rep := <-done
	s.waitDelivered(60 * time.Second)
	if rep.NetworkErrors == 0 {
		t.Errorf("the sender never saw airlog serve gone: %+v", rep)
	}
	got, resent := withoutResends(queryLanded(t, vl, ""), corpus)
	t.Logf("%d lines in doubt after the kills, %d of them landed twice", inDoubt, resent)
	if resent > inDoubt {
		t.Errorf("%d lines landed twice, but only %d were in flight at the kills", resent, inDoubt)
	}
	sameLines(t, got, corpus)
	// A clean stop leaves nothing to replay but the segment being written.
	if err := s.stop(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	if segs := segments(dir); len(segs) > 1 {
		t.Errorf("delivered segments were kept: %v", segs)
	}
}

// withoutResends takes out of each file's landed lines those that landed more often than the file
// has them — the resent batch — and returns how many it took out.
func withoutResends(l landed, corpus map[string][]string) (landed, int) {
	out := landed{entries: l.entries, lines: map[string][]string{}, rows: l.rows}
	removed := 0
	for f, got := range l.lines {
		left := map[string]int{}
		for _, line := range corpus[f] {
			left[line]++
		}
		for _, line := range got { // sorted: copies of a line are adjacent, so any of them may go
			n, known := left[line]
			if known && n == 0 {
				removed++ // a copy beyond the file's count; lines the file lacks stay, for sameLines
				continue
			}
			left[line] = n - 1
			out.lines[f] = append(out.lines[f], line)
		}
	}
	return out, removed
}

func segments(dir string) []string {
	m, _ := filepath.Glob(filepath.Join(dir, "wal-*.seg"))
	return m
}

// A sender that repeats pushes airlog serve already accepted (a retry after a lost answer)
// creates no duplicates downstream.
func TestRepeatedPushes(t *testing.T) {
	logs := RealLogs(t)
	corpus := Corpus(t, logs)
	vl := StartVictoriaLogs(t)
	s := startServe(t, "--loki-url", LokiPushURL(vl), "--batch-wait", "100ms", "--multiline-wait", "500ms")
	rep, err := RunLoadgen(t, BuildCmd(t, "airlog-loadgen"), "--url", s.URL+"/loki/api/v1/push", "--conns", "4",
		"--seed", "9", "--batch-lines-max", "30", "--duplicate-pushes", "0.3", logs)
	if err != nil {
		t.Fatal(err)
	}
	m := s.waitDelivered(60 * time.Second)
	if rep.DuplicateEntries == 0 || m["airlog_serve_repeated_entries_dropped_total"] != float64(rep.DuplicateEntries) {
		t.Fatalf("%d entries pushed again, %v dropped as repeats", rep.DuplicateEntries, m["airlog_serve_repeated_entries_dropped_total"])
	}
	sameLines(t, queryLanded(t, vl, ""), corpus)
}

// A slow store: airlog serve's bounded buffer fills, the sender gets 429 and backs off, memory
// stays bounded, and every line still arrives once.
func TestSlowStoreBackpressure(t *testing.T) {
	logs := RealLogs(t)
	corpus := Corpus(t, logs)
	sinkURL, dump := startSink(t, "--delay", "150ms")
	s := startServe(t, "--loki-url", sinkURL, "--batch-wait", "50ms", "--batch-bytes", "32KiB",
		"--buffer-bytes", "192KiB", "--multiline-wait", "500ms")
	rep, err := RunLoadgen(t, BuildCmd(t, "airlog-loadgen"), "--url", s.URL+"/loki/api/v1/push", "--conns", "8",
		"--seed", "11", "--batch-lines-max", "60", "--min-backoff", "50ms", "--max-backoff", "500ms", logs)
	if err != nil {
		t.Fatal(err)
	}
	s.waitDelivered(120 * time.Second)
	if rep.Status429 == 0 {
		t.Errorf("a store slower than the sender never caused a 429: %+v", rep)
	}
	hwm := peakRSS(t, s.cmd.Process.Pid)
	if hwm > 200<<20 {
		t.Errorf("airlog serve peaked at %d MB with a 192 KiB buffer", hwm>>20)
	}
	t.Logf("airlog serve peak RSS %d MB", hwm>>20)
	sameLines(t, sinkLanded(t, dump), corpus)
	t.Logf("429s: %d, retries %d", rep.Status429, rep.Retries)
}

// startSink runs airlog-sink (a Loki stand-in that can be slow or fail on purpose) with args and
// returns its push URL and the file it dumps every received entry to.
func startSink(t *testing.T, args ...string) (pushURL, dump string) {
	t.Helper()
	dump = filepath.Join(t.TempDir(), "sink.jsonl")
	port := FreePort(t)
	sink := exec.Command(BuildCmd(t, "airlog-sink"), append([]string{"--listen", "127.0.0.1:" + strconv.Itoa(port), "--dump", dump}, args...)...)
	if err := sink.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Process.Kill(); sink.Wait() })
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	if err := WaitHTTP(base+"/ready", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	return base + "/loki/api/v1/push", dump
}

// sinkLanded is what airlog-sink received, as lines per filename label.
func sinkLanded(t *testing.T, dump string) landed {
	t.Helper()
	f, err := os.Open(dump)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := landed{lines: map[string][]string{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var e struct {
			Labels map[string]string `json:"labels"`
			Line   string            `json:"line"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		got.lines[e.Labels["filename"]] = append(got.lines[e.Labels["filename"]], strings.Split(e.Line, "\n")...)
	}
	for _, ls := range got.lines {
		sort.Strings(ls)
	}
	return got
}

func peakRSS(t *testing.T, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// Bad requests get their 4xx with a reason, and the server keeps serving.
func TestBadRequests(t *testing.T) {
	vl := StartVictoriaLogs(t)
	s := startServe(t, "--loki-url", LokiPushURL(vl), "--max-request-bytes", "16MiB", "--max-decoded-bytes", "64MiB")
	push := s.URL + "/loki/api/v1/push"
	goodN := 0
	goodPush := func() []byte { // a new entry each time (the same one again would be a repeat)
		goodN++
		return lokipush.EncodeSnappyProto(&lokipush.Request{Streams: []lokipush.Stream{{
			Labels:  []lokipush.Label{{Name: "job", Value: "airlog-test"}},
			Entries: []lokipush.Entry{{TimeNs: time.Now().UnixNano(), Line: fmt.Sprintf("[2024-01-01T00:00:%02d.000+0000] {x.py:1} INFO - ok %d", goodN, goodN)}}}}})
	}
	good := goodPush()
	raw, _ := snappy.Decode(nil, good)
	var gzBomb bytes.Buffer
	zw := gzip.NewWriter(&gzBomb)
	zw.Write([]byte(`{"streams":[{"stream":{"a":"b"},"values":[["1","`))
	zw.Write(bytes.Repeat([]byte("x"), 100<<20))
	zw.Close()
	badLabel := lokipush.EncodeSnappyProto(&lokipush.Request{Streams: []lokipush.Stream{{
		Labels: []lokipush.Label{{Name: "job", Value: "x"}}, Entries: []lokipush.Entry{{Line: "x"}}}}})
	badLabelRaw, _ := snappy.Decode(nil, badLabel)
	badLabelRaw = bytes.Replace(badLabelRaw, []byte(`{job=`), []byte(`{j-b=`), 1)

	cases := []struct {
		name, contentType, encoding string
		body                        []byte
		want                        int
	}{
		{"garbage", "application/x-protobuf", "", []byte("this is not snappy"), 400},
		{"truncated protobuf", "application/x-protobuf", "", snappy.Encode(nil, raw[:len(raw)-5]), 400},
		{"wrong content type", "text/plain", "", good, 415},
		{"snappy bomb", "application/x-protobuf", "", snappyBomb(1 << 30), 413},
		{"gzip bomb", "application/json", "gzip", gzBomb.Bytes(), 413},
		{"50 MB body", "application/x-protobuf", "", bytes.Repeat([]byte{0}, 50<<20), 413},
		{"invalid label name", "application/x-protobuf", "", snappy.Encode(nil, badLabelRaw), 400},
		{"invalid label name (JSON)", "application/json", "", []byte(`{"streams":[{"stream":{"a b":"x"},"values":[["1","x"]]}]}`), 400},
		{"bad JSON", "application/json", "", []byte(`{"streams":[{"stream":`), 400},
		{"unknown encoding", "application/json", "br", []byte(`{}`), 415},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, push, bytes.NewReader(c.body))
			req.Header.Set("Content-Type", c.contentType)
			if c.encoding != "" {
				req.Header.Set("Content-Encoding", c.encoding)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			reason, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.want || len(bytes.TrimSpace(reason)) == 0 || bytes.Count(bytes.TrimSpace(reason), []byte("\n")) > 0 {
				t.Errorf("got %d %q, want %d with a one-line reason", resp.StatusCode, reason, c.want)
			}
			// Still serving.
			resp, err = http.Post(push, "application/x-protobuf", bytes.NewReader(goodPush()))
			if err != nil || resp.StatusCode != 204 {
				t.Fatalf("a good push after it: %v %v", resp, err)
			}
			resp.Body.Close()
		})
	}
	if peak := peakRSS(t, s.cmd.Process.Pid); peak > 400<<20 {
		t.Errorf("bad requests took %d MB", peak>>20)
	}
	m := s.metrics()
	if m[`airlog_serve_pushes_total{code="413"}`] != 3 || m[`airlog_serve_pushes_total{code="400"}`] != 5 {
		t.Errorf("pushes by code: %v", m)
	}
	if _, err := vlquery.WaitCount(vl, `{job="airlog-test"}`, len(cases), 30*time.Second); err != nil {
		t.Error(err)
	}
}

// snappyBomb is a valid snappy block header claiming n decoded bytes, followed by little.
func snappyBomb(n int) []byte {
	var b []byte
	for v := uint64(n); ; v >>= 7 {
		if v < 0x80 {
			b = append(b, byte(v))
			break
		}
		b = append(b, byte(v)|0x80)
	}
	return append(b, 0x00, 'x')
}

// SIGTERM: an open multi-line event is flushed and delivered before the process exits 0.
func TestGracefulShutdown(t *testing.T) {
	vl := StartVictoriaLogs(t)
	s := startServe(t, "--loki-url", LokiPushURL(vl), "--multiline-wait", "60s", "--batch-wait", "10s")
	lines := []string{
		"[2024-05-01T10:00:00.000+0000] {taskinstance.py:2905} ERROR - Task failed with exception",
		"Traceback (most recent call last):",
		`  File "/opt/airflow/dags/etl.py", line 12, in extract`,
		"    raise ValueError(\"boom\")",
		"ValueError: boom",
	}
	var entries []lokipush.Entry
	for i, l := range lines {
		entries = append(entries, lokipush.Entry{TimeNs: int64(1714557600e9) + int64(i), Line: l})
	}
	body := lokipush.EncodeSnappyProto(&lokipush.Request{Streams: []lokipush.Stream{{
		Labels: []lokipush.Label{{Name: "job", Value: "airlog-test"}, {Name: "filename", Value: "dag_id=etl/run_id=manual__1/task_id=extract/attempt=2.log"}}, Entries: entries}}})
	resp, err := http.Post(s.URL+"/loki/api/v1/push", "application/x-protobuf", bytes.NewReader(body))
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("%v %v", resp, err)
	}
	if err := s.stop(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: exit %v", err)
	}
	got := queryLanded(t, vl, "")
	rows := got.rows
	if len(rows) != 1 || rows[0]["_msg"] != strings.Join(lines, "\n") {
		t.Fatalf("want the one event, got %v", rows)
	}
	r := rows[0]
	for k, v := range map[string]string{"dag_id": "etl", "task_id": "extract", "run_id": "manual__1", "try_number": "2",
		"level": "error", "component": "task", "exception_type": "ValueError"} {
		if r[k] != v {
			t.Errorf("%s = %q, want %q (row %v)", k, r[k], v, r)
		}
	}
}

// --otlp-url: the same events as OTLP/HTTP protobuf, into VictoriaLogs' OTLP endpoint.
func TestOTLPForwarding(t *testing.T) {
	logs := RealLogs(t)
	corpus := Corpus(t, logs)
	vl := StartVictoriaLogs(t)
	s := startServe(t, "--otlp-url", vl+"/insert/opentelemetry/v1/logs", "--batch-wait", "100ms", "--multiline-wait", "300ms")
	if _, err := RunLoadgen(t, BuildCmd(t, "airlog-loadgen"), "--url", s.URL+"/loki/api/v1/push", "--conns", "2",
		"--seed", "13", logs); err != nil {
		t.Fatal(err)
	}
	m := s.waitDelivered(60 * time.Second)
	if err := vlquery.ForceFlush(vl); err != nil {
		t.Fatal(err)
	}
	rows, err := vlquery.Query(vl, `job:="airlog-test"`)
	if err != nil {
		t.Fatal(err)
	}
	if float64(len(rows)) != m["airlog_serve_entries_sent_total"] {
		t.Fatalf("%d records landed, %v sent", len(rows), m["airlog_serve_entries_sent_total"])
	}
	lines := 0
	withDag := 0
	for _, r := range rows {
		lines += strings.Count(r["_msg"], "\n") + 1
		// Labels are resource attributes (their Loki names); metadata are record attributes
		// under their OpenTelemetry names.
		if r["dag_id"] != "" && r["airflow.run_id"] != "" && r["severity_text"] != "" {
			withDag++
		}
	}
	if lines != corpusLines(corpus) || withDag == 0 {
		t.Logf("a record: %v", rows[len(rows)/2])
		t.Fatalf("%d lines landed (want %d), %d records with dag_id, airflow.run_id and a severity", lines, corpusLines(corpus), withDag)
	}
}

// `airlog parse --push URL`: a one-command backfill; exits non-zero with counts when the store
// refuses.
func TestParsePush(t *testing.T) {
	cli := os.Getenv("AIRLOG_CLI_BIN")
	if cli == "" {
		t.Skip("AIRLOG_CLI_BIN is unset (CMake's test sets it to the airlog CLI)")
	}
	logs := RealLogs(t)
	vl := StartVictoriaLogs(t)
	jsonl, err := exec.Command(cli, "parse", logs).Output()
	if err != nil {
		t.Fatal(err)
	}
	events := bytes.Count(jsonl, []byte("\n"))
	cmd := exec.Command(cli, "parse", "--push", vl+"/insert/loki/api/v1/push", "--label", "job=backfill", logs)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !strings.Contains(string(out), "0 not delivered") {
		t.Errorf("no counts: %s", out)
	}
	if _, err := vlquery.WaitCount(vl, `{job="backfill"}`, events, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(cli, "parse", "--push", vl+"/no/such/endpoint", logs)
	out, err = cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "not delivered") {
		t.Fatalf("a refusing store: %v %s", err, out)
	}
}

// `airlog serve` is the airlog CLI's command: it runs airlog-serve from beside the airlog binary.
func TestCLIServeCommand(t *testing.T) {
	cli := os.Getenv("AIRLOG_CLI_BIN")
	if cli == "" {
		t.Skip("AIRLOG_CLI_BIN is unset (CMake's test sets it to the airlog CLI)")
	}
	out, err := exec.Command(cli, "serve", "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--loki-url") || !strings.Contains(string(out), "-buffer-dir") {
		t.Fatalf("airlog serve --help: %v\n%s", err, out)
	}
	out, err = exec.Command(cli, "serve", "--listen", "127.0.0.1:0").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "--loki-url") {
		t.Fatalf("airlog serve without a destination: %v\n%s", err, out)
	}
	out, err = exec.Command(cli, "parse", "--push", "http://127.0.0.1:1/x", "--out-dir", t.TempDir()).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("--push with --out-dir: %v\n%s", err, out)
	}
}
