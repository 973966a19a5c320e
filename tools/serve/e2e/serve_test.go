package e2e

import (
	"bufio"
	"fmt"
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

	"github.com/airlog/airlog/tools/serve/vlquery"
)

// serveProc is an `airlog-serve serve` process owned by a test.
type serveProc struct {
	t    *testing.T
	URL  string
	args []string
	log  string
	cmd  *exec.Cmd
	done chan error
}

// serveBin is $AIRLOG_SERVE_BIN (CMake's build), else a build of ./cmd/airlog-serve.
func serveBin(t *testing.T) string {
	if b := os.Getenv("AIRLOG_SERVE_BIN"); b != "" {
		return b
	}
	return BuildCmd(t, "airlog-serve")
}

// startServe runs airlog serve on a free port with args and waits for /ready.
func startServe(t *testing.T, args ...string) *serveProc {
	t.Helper()
	port := FreePort(t)
	s := &serveProc{t: t, URL: "http://127.0.0.1:" + strconv.Itoa(port),
		args: append([]string{"serve", "--listen", "127.0.0.1:" + strconv.Itoa(port)}, args...),
		log:  filepath.Join(t.TempDir(), "serve.log")}
	s.start()
	t.Cleanup(func() {
		s.stop(syscall.SIGKILL)
		if t.Failed() {
			t.Logf("airlog serve log (last lines):\n%s", tail(s.log, 30))
		}
	})
	return s
}

func (s *serveProc) start() {
	s.t.Helper()
	f, err := os.OpenFile(s.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(serveBin(s.t), s.args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.cmd, s.done = cmd, make(chan error, 1)
	go func() { err := cmd.Wait(); f.Close(); s.done <- err }()
	if err := WaitHTTP(s.URL+"/ready", 30*time.Second); err != nil {
		s.t.Fatalf("airlog serve did not get ready: %v\n%s", err, tail(s.log, 20))
	}
}

// stop signals the process and returns its exit error (nil: exit 0).
func (s *serveProc) stop(sig syscall.Signal) error {
	if s.cmd == nil {
		return nil
	}
	s.cmd.Process.Signal(sig)
	var err error
	select {
	case err = <-s.done:
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		err = fmt.Errorf("did not stop within 60 s of %v", sig)
		<-s.done
	}
	s.cmd = nil
	return err
}

// metrics reads /metrics as name{labels} -> value.
func (s *serveProc) metrics() map[string]float64 {
	s.t.Helper()
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, _ := strconv.ParseFloat(line[i+1:], 64)
		out[line[:i]] = v
	}
	return out
}

// waitDelivered waits until every received line is in a delivered entry or dropped as a
// duplicate, and nothing is buffered.
func (s *serveProc) waitDelivered(timeout time.Duration) map[string]float64 {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m := s.metrics()
		in := m["airlog_serve_lines_received_total"]
		if in > 0 && m["airlog_serve_lines_forwarded_total"]+m["airlog_serve_duplicate_lines_dropped_total"] == in &&
			m["airlog_serve_buffer_bytes"] == 0 {
			return m
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("not delivered after %v: %v", timeout, m)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// landed is what the store holds per filename label: entries (as lines lists) and all lines.
type landed struct {
	entries map[string][]string // filename -> entry texts
	lines   map[string][]string // filename -> physical lines, sorted
	rows    []map[string]string
}

func queryLanded(t *testing.T, base, tenant string) landed {
	t.Helper()
	if err := vlquery.ForceFlush(base); err != nil {
		t.Fatal(err)
	}
	rows, err := vlquery.QueryTenant(base, tenant, `{job="airlog-test"}`)
	if err != nil {
		t.Fatal(err)
	}
	l := landed{entries: map[string][]string{}, lines: map[string][]string{}, rows: rows}
	for _, r := range rows {
		f := r["filename"]
		l.entries[f] = append(l.entries[f], r["_msg"])
		l.lines[f] = append(l.lines[f], strings.Split(r["_msg"], "\n")...)
	}
	for _, ls := range l.lines {
		sort.Strings(ls)
	}
	return l
}

// sameLines compares what landed with the corpus, file by file, as multisets of lines: every
// line exactly once (order within a file follows event time in the store, not file order).
func sameLines(t *testing.T, got landed, corpus map[string][]string) {
	t.Helper()
	bad := 0
	for name, want := range corpus {
		w := append([]string(nil), want...)
		sort.Strings(w)
		g := got.lines[name]
		if len(g) != len(w) {
			t.Errorf("%s: %d lines landed, the file has %d", name, len(g), len(w))
			bad++
		} else {
			for i := range w {
				if g[i] != w[i] {
					t.Errorf("%s: line %q landed where %q was expected (sorted order)", name, g[i], w[i])
					bad++
					break
				}
			}
		}
		if bad > 5 {
			t.Fatal("too many differences")
		}
	}
	for name := range got.lines {
		if _, ok := corpus[name]; !ok {
			t.Errorf("lines landed for %q, which is not in the corpus", name)
		}
	}
}

func corpusLines(c map[string][]string) int {
	n := 0
	for _, ls := range c {
		n += len(ls)
	}
	return n
}

// The real logs through airlog serve into VictoriaLogs, sent as Alloy sends them: every line
// arrives exactly once, tracebacks arrive as one entry, fields are where docs/serve.md says, no
// stream has more than 15 labels.
func TestRealLogsThroughServe(t *testing.T) {
	logs := RealLogs(t)
	corpus := Corpus(t, logs)
	vl := StartVictoriaLogs(t)
	s := startServe(t, "--loki-url", LokiPushURL(vl), "--batch-wait", "200ms", "--multiline-wait", "500ms")
	loadgen := BuildCmd(t, "airlog-loadgen")
	rep, err := RunLoadgen(t, loadgen, "--url", s.URL+"/loki/api/v1/push", "--conns", "4", "--seed", "3",
		"--batch-lines-max", "40", "--pod-map", "scheduler=airflow-scheduler-0", logs)
	if err != nil {
		t.Fatal(err)
	}
	m := s.waitDelivered(60 * time.Second)
	if m["airlog_serve_lines_received_total"] != float64(corpusLines(corpus)) || rep.Lines != int64(corpusLines(corpus)) {
		t.Fatalf("serve received %v lines, loadgen sent %d, the corpus has %d", m["airlog_serve_lines_received_total"], rep.Lines, corpusLines(corpus))
	}
	if m["airlog_serve_duplicate_lines_dropped_total"] != 0 {
		t.Errorf("%v lines dropped as duplicates from logs without repeats", m["airlog_serve_duplicate_lines_dropped_total"])
	}
	if _, err := vlquery.WaitCount(vl, `{job="airlog-test"}`, int(m["airlog_serve_entries_sent_total"]), 30*time.Second); err != nil {
		t.Fatal(err)
	}
	got := queryLanded(t, vl, "")
	sameLines(t, got, corpus)
	if float64(len(got.rows)) >= m["airlog_serve_lines_received_total"] {
		t.Errorf("%d entries for %v lines: nothing was folded", len(got.rows), m["airlog_serve_lines_received_total"])
	}

	tracebacks, labelsMax := 0, 0
	fields := map[string]int{}
	for _, r := range got.rows {
		msg := r["_msg"]
		// A raw traceback (its lines unprefixed, as Python prints them) travels with its frames.
		// (Airflow 1.10's "Subtask: Traceback …" lines each carry a log prefix: one event each.)
		for _, at := range []string{"Traceback (most recent call last):", "\nTraceback (most recent call last):"} {
			if i := strings.Index(msg, at); i >= 0 && (i == 0) == (at[0] == 'T') {
				tracebacks++
				if !strings.Contains(msg[i:], "\n  File ") {
					t.Errorf("traceback entry without its frames: %.300q", msg)
				}
			}
		}
		if strings.HasPrefix(msg, "  File \"") {
			t.Errorf("a traceback frame arrived as an entry of its own: %.200q", msg)
		}
		n := strings.Count(r["_stream"], "=")
		labelsMax = max(labelsMax, n)
		for k := range r {
			fields[k]++
		}
	}
	if tracebacks == 0 {
		t.Error("no traceback landed: the real logs hold several")
	}
	if labelsMax > 15 || labelsMax < 3 {
		t.Errorf("streams carry up to %d labels (want 3..15)", labelsMax)
	}
	for _, f := range []string{"component", "level", "dag_id", "task_id", "run_id", "try_number", "logger", "exception_type", "event", "state"} {
		if fields[f] == 0 {
			t.Errorf("no entry carries %s", f)
		}
	}
	// component, level, dag_id are labels; run_id is metadata, not a label.
	for _, r := range got.rows {
		if r["dag_id"] != "" && !strings.Contains(r["_stream"], "dag_id=") {
			t.Errorf("dag_id %q is not a stream label: %s", r["dag_id"], r["_stream"])
			break
		}
		if strings.Contains(r["_stream"], "run_id=") {
			t.Errorf("run_id became a label: %s", r["_stream"])
			break
		}
	}
	// The pod label names the component: a file the loadgen labelled pod=airflow-scheduler-0.
	sched := 0
	for _, r := range got.rows {
		if r["pod"] == "airflow-scheduler-0" {
			sched++
			if r["component"] != "scheduler" {
				t.Errorf("entry of pod airflow-scheduler-0 has component %q", r["component"])
				break
			}
		}
	}
	if sched == 0 {
		t.Error("no entry came from a pod labelled airflow-scheduler-0")
	}
	t.Logf("%v lines -> %d entries, %d tracebacks, up to %d labels per stream", m["airlog_serve_lines_received_total"], len(got.rows), tracebacks, labelsMax)
}
