package e2e

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/airlog/airlog/tools/serve/lokipush"
)

// outage is how long the store fails in TestStoreFailingForLong: 20 s in `make test`;
// AIRLOG_E2E_OUTAGE (a Go duration, e.g. 5m) for the long run the closing notes quote.
func outage(t *testing.T) time.Duration {
	if v := os.Getenv("AIRLOG_E2E_OUTAGE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("AIRLOG_E2E_OUTAGE: %v", err)
		}
		return d
	}
	return 20 * time.Second
}

// dirBytes is the size of the regular files under dir.
func dirBytes(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
		return nil
	})
	return n
}

// The store answers 500 to everything for a long time: airlog serve keeps memory and its buffer
// directory bounded by --buffer-bytes, tells the senders 429, and once the store is back every
// line arrives exactly once.
func TestStoreFailingForLong(t *testing.T) {
	logs := RealLogs(t)
	corpus := Corpus(t, logs)
	down := outage(t)
	sinkURL, dump := startSink(t, "--fail-for", down.String(), "--fail-codes", "500")
	dir := t.TempDir()
	s := startServe(t, "--loki-url", sinkURL, "--batch-wait", "50ms", "--batch-bytes", "64KiB", "--buffer-bytes", "256KiB",
		"--buffer-dir", dir, "--multiline-wait", "500ms", "--min-backoff", "100ms", "--max-backoff", "2s")
	done := loadgenAsync(t, BuildCmd(t, "airlog-loadgen"), "--url", s.URL+"/loki/api/v1/push", "--conns", "4",
		"--seed", "13", "--batch-lines-max", "40", "--min-backoff", "100ms", "--max-backoff", "1s", logs)
	var maxDir int64
	for deadline := time.Now().Add(down); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		maxDir = max(maxDir, dirBytes(dir))
	}
	rep := <-done
	m := s.waitDelivered(120 * time.Second)
	if rep.Status429 == 0 {
		t.Errorf("the senders were never told to back off while the store failed: %+v", rep)
	}
	if m[`airlog_serve_delivery_failures_total{reason="http_500"}`] == 0 {
		t.Errorf("no failed delivery counted: %v", m)
	}
	hwm := peakRSS(t, s.cmd.Process.Pid)
	t.Logf("store down %v: %d 429s to the senders, %v retries; peak RSS %d MB, buffer directory at most %d KiB",
		down, rep.Status429, m["airlog_serve_retries_total"], hwm>>20, maxDir>>10)
	if hwm > 200<<20 {
		t.Errorf("airlog serve peaked at %d MB with a 256 KiB buffer", hwm>>20)
	}
	// The log holds what is accepted and not delivered (≤ --buffer-bytes, plus record framing and
	// the checkpoint), and a delivered segment may wait for the next roll to go.
	if maxDir > 4<<20 {
		t.Errorf("the buffer directory grew to %d KiB with a 256 KiB buffer", maxDir>>10)
	}
	sameLines(t, sinkLanded(t, dump), corpus)
}

// Ten thousand connections that say nothing and a hundred that trickle their headers do not keep
// a real sender out, and the server drops them once their headers are overdue.
func TestIdleAndSlowConnections(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc")
	}
	sinkURL, _ := startSink(t)
	s := startServe(t, "--loki-url", sinkURL, "--batch-wait", "50ms")
	addr := s.URL[len("http://"):]
	const idle, slow = 10000, 100
	var conns []net.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for i := 0; i < idle+slow; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v (open file limit?)", i, err)
		}
		conns = append(conns, c)
	}
	stopTrickle := make(chan struct{})
	var trickling sync.WaitGroup
	for _, c := range conns[idle:] {
		trickling.Add(1)
		go func(c net.Conn) { // a slow-loris: one header byte every 500 ms, never a blank line
			defer trickling.Done()
			c.Write([]byte("POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\n"))
			for {
				select {
				case <-stopTrickle:
					return
				case <-time.After(500 * time.Millisecond):
					if _, err := c.Write([]byte("X")); err != nil {
						return
					}
				}
			}
		}(c)
	}
	// A real push gets through at once.
	body := lokipush.EncodeSnappyProto(&lokipush.Request{Streams: []lokipush.Stream{{
		Labels:  []lokipush.Label{{Name: "job", Value: "airlog-test"}, {Name: "filename", Value: "x.log"}},
		Entries: []lokipush.Entry{{TimeNs: time.Now().UnixNano(), Line: "[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - hello"}},
	}}})
	start := time.Now()
	resp, err := http.Post(s.URL+"/loki/api/v1/push", "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || time.Since(start) > 2*time.Second {
		t.Errorf("a push beside %d idle and %d slow connections: %d after %v", idle, slow, resp.StatusCode, time.Since(start))
	}
	rss := peakRSS(t, s.cmd.Process.Pid)
	t.Logf("%d idle + %d slow connections: a push answered in %v; airlog serve peak RSS %d MB", idle, slow,
		time.Since(start), rss>>20)
	if rss > 300<<20 {
		t.Errorf("airlog serve peaked at %d MB holding %d connections", rss>>20, idle+slow)
	}
	// Headers are due within 10 s (ReadHeaderTimeout): after that the server has closed them.
	time.Sleep(12 * time.Second)
	close(stopTrickle)
	trickling.Wait()
	var closed atomic.Int64
	var reading sync.WaitGroup
	for _, c := range conns {
		reading.Add(1)
		go func(c net.Conn) {
			defer reading.Done()
			c.SetReadDeadline(time.Now().Add(3 * time.Second))
			if _, err := io.ReadAll(c); err == nil { // EOF: the server closed it
				closed.Add(1)
			}
		}(c)
	}
	reading.Wait()
	if n := closed.Load(); n < int64(len(conns)) {
		t.Errorf("%d of %d idle or slow connections still open 12 s after they came", int64(len(conns))-n, len(conns))
	}
	if m := s.metrics(); m["airlog_serve_lines_received_total"] != 1 {
		t.Errorf("lines received %v, want the one pushed", m["airlog_serve_lines_received_total"])
	}
}

// A storm: 237 streams pushed by 32 connections as fast as they go, into a small buffer. Every
// line arrives once and memory stays bounded.
func TestPushStormOfManyStreams(t *testing.T) {
	logs := RealLogs(t)
	corpus := Corpus(t, logs)
	sinkURL, dump := startSink(t)
	s := startServe(t, "--loki-url", sinkURL, "--batch-wait", "100ms", "--buffer-bytes", "1MiB", "--multiline-wait", "500ms")
	rep, err := RunLoadgen(t, BuildCmd(t, "airlog-loadgen"), "--url", s.URL+"/loki/api/v1/push", "--conns", "32",
		"--seed", "17", "--repeat", "3", "--batch-lines-max", "20", "--min-backoff", "50ms", "--max-backoff", "500ms", logs)
	if err != nil {
		t.Fatal(err)
	}
	m := s.waitDelivered(120 * time.Second)
	hwm := peakRSS(t, s.cmd.Process.Pid)
	t.Logf("storm: %d streams, %d pushes, %d 429s; %v entries sent; peak RSS %d MB", rep.Streams, rep.Pushes,
		rep.Status429, m["airlog_serve_entries_sent_total"], hwm>>20)
	if rep.Streams < 200 {
		t.Errorf("only %d streams in the storm", rep.Streams)
	}
	if hwm > 300<<20 {
		t.Errorf("airlog serve peaked at %d MB in a storm with a 1 MiB buffer", hwm>>20)
	}
	// Each repeat is its own stream set (label rep): every file's lines land three times.
	want := map[string][]string{}
	for name, lines := range corpus {
		for i := 0; i < 3; i++ {
			want[name] = append(want[name], lines...)
		}
	}
	sameLines(t, sinkLanded(t, dump), want)
}
