// Package e2e runs airlog serve's tools as processes against a real VictoriaLogs and checks what
// landed. This file holds the process helpers the tests share:
//
//	base := e2e.StartVictoriaLogs(t)          // skips unless AIRLOG_VL_BIN is set
//	loadgen := e2e.BuildCmd(t, "airlog-loadgen")
//	rep, err := e2e.RunLoadgen(t, loadgen, "--url", e2e.LokiPushURL(base), e2e.RealLogs(t))
//	_, err = vlquery.WaitCount(base, `{job="airlog-test"}`, int(rep.Lines), 30*time.Second)
package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// FreePort is a TCP port on 127.0.0.1 that nothing listened on a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// ModuleRoot is the directory of tools/serve/go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("not inside the tools/serve module")
	}
	return filepath.Dir(gomod)
}

// BuildCmd builds ./cmd/<name> of this module into t.TempDir() and returns the binary's path.
// The go build cache makes a second build of the same code a link only.
func BuildCmd(t testing.TB, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/"+name)
	cmd.Dir = ModuleRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/%s: %v\n%s", name, err, out)
	}
	return bin
}

// WaitHTTP polls url until it answers 200 or timeout passes.
func WaitHTTP(url string, timeout time.Duration) error {
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := c.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v: %v", url, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// VictoriaLogsBin is $AIRLOG_VL_BIN; the test is skipped when it is unset.
func VictoriaLogsBin(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("AIRLOG_VL_BIN")
	if bin == "" {
		t.Skip("AIRLOG_VL_BIN is unset: set it to a victoria-logs binary (tools/victoria-logs.sh installs one in build/tools/bin)")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("AIRLOG_VL_BIN: %v", err)
	}
	return bin
}

// VictoriaLogs is a VictoriaLogs process owned by a test, stopped at its end. Stop and Start
// again keep the data directory and the port (a store that goes away and comes back).
type VictoriaLogs struct {
	URL  string // http://127.0.0.1:Port
	Dir  string // -storageDataPath; the process log is Dir/vl.log
	Port int

	t    testing.TB
	bin  string
	cmd  *exec.Cmd
	done chan struct{}
}

// VictoriaLogsArgs are the flags every test instance runs with:
// -retentionPeriod=100y, because entries forwarded with the event's own time (years old in the
// real logs) would otherwise be dropped, silently to the sender (204), past the default 7 days;
// -defaultMsgValue= so that an empty line stays empty (no `_msg` field) instead of becoming
// "missing _msg field; see …".
var VictoriaLogsArgs = []string{"-retentionPeriod=100y", "-defaultMsgValue="}

// StartVictoriaLogs starts VictoriaLogs on a free port in a t.TempDir() and returns its base URL.
func StartVictoriaLogs(t testing.TB) string {
	t.Helper()
	return NewVictoriaLogs(t).URL
}

// NewVictoriaLogs is StartVictoriaLogs for tests that stop and start the store.
func NewVictoriaLogs(t testing.TB) *VictoriaLogs {
	t.Helper()
	v := &VictoriaLogs{t: t, bin: VictoriaLogsBin(t), Dir: t.TempDir(), Port: FreePort(t)}
	v.URL = "http://127.0.0.1:" + strconv.Itoa(v.Port)
	t.Cleanup(func() {
		v.Stop()
		if t.Failed() {
			t.Logf("VictoriaLogs log (last lines):\n%s", tail(filepath.Join(v.Dir, "vl.log"), 20))
		}
	})
	v.Start()
	return v
}

// Start runs the process (again) and waits for /health, 30 s at most.
func (v *VictoriaLogs) Start() {
	v.t.Helper()
	if v.cmd != nil {
		v.t.Fatal("VictoriaLogs already running")
	}
	logf, err := os.OpenFile(filepath.Join(v.Dir, "vl.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		v.t.Fatal(err)
	}
	args := append([]string{"-storageDataPath=" + filepath.Join(v.Dir, "data"),
		"-httpListenAddr=127.0.0.1:" + strconv.Itoa(v.Port)}, VictoriaLogsArgs...)
	cmd := exec.Command(v.bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		v.t.Fatalf("starting VictoriaLogs: %v", err)
	}
	v.cmd, v.done = cmd, make(chan struct{})
	go func(done chan struct{}) {
		cmd.Wait()
		logf.Close()
		close(done)
	}(v.done)
	if err := WaitHTTP(v.URL+"/health", 30*time.Second); err != nil {
		v.t.Fatalf("VictoriaLogs: %v\n%s", err, tail(filepath.Join(v.Dir, "vl.log"), 20))
	}
}

// Stop sends SIGTERM and waits (SIGKILL after 10 s); a no-op when not running.
func (v *VictoriaLogs) Stop() { v.signal(syscall.SIGTERM) }

// Kill stops the process with SIGKILL (what was not flushed to disk is lost).
func (v *VictoriaLogs) Kill() { v.signal(syscall.SIGKILL) }

func (v *VictoriaLogs) signal(sig syscall.Signal) {
	if v.cmd == nil {
		return
	}
	v.cmd.Process.Signal(sig)
	select {
	case <-v.done:
	case <-time.After(10 * time.Second):
		v.cmd.Process.Kill()
		<-v.done
	}
	v.cmd = nil
}

// LokiPushURL is VictoriaLogs' Loki push endpoint. disable_message_parsing=1 keeps every line in
// `_msg` as sent; without it a line that is a JSON object (Airflow 3 task logs) is split into fields
// and has no `_msg`.
func LokiPushURL(base string) string {
	return base + "/insert/loki/api/v1/push?disable_message_parsing=1"
}

// RealLogs is the directory of real Airflow logs: $AIRLOG_REAL_LOGS, else the shared corpus
// next to the repository (../../../../shared/real-logs from this package). Skips when absent.
func RealLogs(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("AIRLOG_REAL_LOGS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "shared", "real-logs")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Skipf("no real logs at %s (set AIRLOG_REAL_LOGS)", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// Corpus reads the files airlog-loadgen would send from dir (*.log and files without an
// extension, recursively) as filename label -> physical lines, split as the loadgen splits them.
func Corpus(t testing.TB, dir string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		if ext := filepath.Ext(d.Name()); ext != ".log" && ext != "" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if text := strings.TrimSuffix(string(data), "\n"); len(data) > 0 {
			out[filepath.ToSlash(rel)] = strings.Split(text, "\n")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// LoadgenReport is the part of airlog-loadgen's --report that tests read.
type LoadgenReport struct {
	Streams          int     `json:"streams"`
	Pushes           int64   `json:"pushes"`
	Entries          int64   `json:"entries"`
	Lines            int64   `json:"lines"`
	Bytes            int64   `json:"bytes"`
	Seconds          float64 `json:"seconds"`
	Retries          int64   `json:"retries"`
	Status429        int64   `json:"status_429"`
	Status5xx        int64   `json:"status_5xx"`
	NetworkErrors    int64   `json:"network_errors"`
	RejectedPushes   int64   `json:"rejected_pushes"`
	DroppedPushes    int64   `json:"dropped_pushes"`
	DuplicatePushes  int64   `json:"duplicate_pushes"`
	DuplicateEntries int64   `json:"duplicate_entries"`
	LatencyMs        struct {
		P50 float64 `json:"p50"`
		P99 float64 `json:"p99"`
	} `json:"latency_ms"`
}

// RunLoadgen runs the airlog-loadgen binary with args (plus --report) to its end. The error
// carries its stderr when it exits non-zero; the report is read either way.
func RunLoadgen(t testing.TB, bin string, args ...string) (LoadgenReport, error) {
	t.Helper()
	var rep LoadgenReport
	path := filepath.Join(t.TempDir(), "loadgen-report.json")
	cmd := exec.Command(bin, append([]string{"--report", path}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	t.Logf("%s", strings.TrimSpace(stderr.String()))
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &rep); err != nil {
			return rep, fmt.Errorf("loadgen report: %v", err)
		}
	}
	if runErr != nil {
		return rep, fmt.Errorf("airlog-loadgen: %v: %s", runErr, stderr.String())
	}
	return rep, nil
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
