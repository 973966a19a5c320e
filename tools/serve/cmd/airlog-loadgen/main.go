// Command airlog-loadgen plays Grafana Alloy's loki.write for tests and benchmarks: it reads log
// files, gives each file a stream, and pushes the lines to a Loki push endpoint the way an agent
// does — snappy-compressed protobuf, several streams per push, batches cut at arbitrary line counts,
// every entry stamped with the time it was "read", many connections, retries with backoff.
//
//	airlog-loadgen --url http://127.0.0.1:3101/loki/api/v1/push --conns 8 --seed 1 \
//	    --label cluster=dev --container-map scheduler=scheduler --report run.json DIR...
//
// Streams: labels job="airlog-test", filename="<path relative to the argument it was found under>"
// (a file given directly is named by its base name), the --label extras, optionally pod / container
// from --pod-map / --container-map (SUBSTRING=VALUE, first substring of the path that matches wins)
// and, with --repeat N > 1, rep="<0..N-1>" so that each repetition is a new set of streams.
//
// A stream belongs to one connection, which sends its pushes one at a time: every stream's entries
// arrive in order. One entry per physical line (the text between two '\n', nothing stripped).
//
// Answers: 204 (any 2xx) accepted; 429, 5xx and network errors retried with exponential backoff
// and jitter (Retry-After honoured); any other 4xx is a rejected push — counted, reported, and the
// exit status is 1. A push given up after --max-retries also makes the exit status 1.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/airlog/airlog/tools/serve/lokipush"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type config struct {
	url            string
	tenant         string
	conns          int
	seed           int64
	batchLinesMax  int
	streamsMax     int
	repeat         int
	duplicate      float64
	rateMBps       float64
	json           bool
	report         string
	minBackoff     time.Duration
	maxBackoff     time.Duration
	maxRetries     int
	timeout        time.Duration
	labels         []lokipush.Label
	metadata       []lokipush.Label
	podMap         [][2]string
	containerMap   [][2]string
	quiet          bool
	maxErrorsShown int
}

func main() {
	cfg, paths, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "airlog-loadgen:", err)
		os.Exit(2)
	}
	streams, err := loadStreams(cfg, paths)
	if err != nil {
		fmt.Fprintln(os.Stderr, "airlog-loadgen:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep := run(ctx, cfg, streams)
	if cfg.report != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(cfg.report, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "airlog-loadgen:", err)
			os.Exit(2)
		}
	}
	if !cfg.quiet {
		fmt.Fprintf(os.Stderr, "airlog-loadgen: %d streams, %d pushes, %d entries, %d bytes in %.2fs (%.1f MB/s); "+
			"p50 %.2fms p99 %.2fms; %d retries (%d x 429, %d x 5xx, %d network); %d rejected, %d dropped, %d duplicates sent\n",
			rep.Streams, rep.Pushes, rep.Entries, rep.Bytes, rep.Seconds, rep.MBPerSecond, rep.LatencyMs.P50, rep.LatencyMs.P99,
			rep.Retries, rep.Status429, rep.Status5xx, rep.NetworkErrors, rep.RejectedPushes, rep.DroppedPushes, rep.DuplicatePushes)
	}
	if rep.RejectedPushes > 0 || rep.DroppedPushes > 0 || rep.Interrupted {
		os.Exit(1)
	}
}

func parseFlags(args []string) (*config, []string, error) {
	fset := flag.NewFlagSet("airlog-loadgen", flag.ContinueOnError)
	cfg := &config{}
	var labels, metadata, podMap, containerMap listFlag
	fset.StringVar(&cfg.url, "url", "http://127.0.0.1:3101/loki/api/v1/push", "Loki push URL")
	fset.StringVar(&cfg.tenant, "tenant", "", "X-Scope-OrgID header (none when empty)")
	fset.IntVar(&cfg.conns, "conns", 4, "concurrent connections; each stream is owned by one")
	fset.Int64Var(&cfg.seed, "seed", 1, "seed of the batch cutting")
	fset.IntVar(&cfg.batchLinesMax, "batch-lines-max", 200, "a stream's share of a push is 1..N lines, at random")
	fset.IntVar(&cfg.streamsMax, "streams-per-push-max", 4, "a push holds 1..N streams, at random")
	fset.IntVar(&cfg.repeat, "repeat", 1, "send the corpus N times, each time as new streams (label rep)")
	fset.Float64Var(&cfg.duplicate, "duplicate-pushes", 0, "fraction of accepted pushes sent again right away (a client retrying after a lost answer)")
	fset.Float64Var(&cfg.rateMBps, "rate", 0, "log text rate bound in MB/s (10^6 bytes), 0 = as fast as possible")
	fset.BoolVar(&cfg.json, "json", false, "send JSON bodies (application/json) instead of snappy protobuf")
	fset.StringVar(&cfg.report, "report", "", "write a JSON report to this file")
	fset.DurationVar(&cfg.minBackoff, "min-backoff", 500*time.Millisecond, "first retry delay (Alloy: 500ms)")
	fset.DurationVar(&cfg.maxBackoff, "max-backoff", 5*time.Second, "retry delay cap (Alloy: 5m)")
	fset.IntVar(&cfg.maxRetries, "max-retries", 0, "retries before a push is dropped, 0 = retry until accepted (Alloy: 10)")
	fset.DurationVar(&cfg.timeout, "timeout", 30*time.Second, "per-request timeout")
	fset.Var(&labels, "label", "extra stream label NAME=VALUE (repeatable)")
	fset.Var(&metadata, "metadata", "structured metadata NAME=VALUE on every entry (repeatable)")
	fset.Var(&podMap, "pod-map", "SUBSTRING=VALUE: label pod=VALUE on files whose path contains SUBSTRING (repeatable)")
	fset.Var(&containerMap, "container-map", "SUBSTRING=VALUE: label container=VALUE on files whose path contains SUBSTRING (repeatable)")
	fset.BoolVar(&cfg.quiet, "quiet", false, "no summary on stderr")
	if err := fset.Parse(args); err != nil {
		return nil, nil, err
	}
	cfg.maxErrorsShown = 5
	if fset.NArg() == 0 {
		return nil, nil, errors.New("no files or directories given")
	}
	if cfg.conns < 1 || cfg.batchLinesMax < 1 || cfg.streamsMax < 1 || cfg.repeat < 1 {
		return nil, nil, errors.New("--conns, --batch-lines-max, --streams-per-push-max and --repeat must be >= 1")
	}
	if cfg.duplicate < 0 || cfg.duplicate > 1 {
		return nil, nil, errors.New("--duplicate-pushes is a fraction in [0, 1]")
	}
	var err error
	if cfg.labels, err = parsePairs(labels, "--label"); err != nil {
		return nil, nil, err
	}
	if cfg.metadata, err = parsePairs(metadata, "--metadata"); err != nil {
		return nil, nil, err
	}
	for _, m := range []struct {
		in  listFlag
		out *[][2]string
	}{{podMap, &cfg.podMap}, {containerMap, &cfg.containerMap}} {
		for _, v := range m.in {
			k, val, ok := strings.Cut(v, "=")
			if !ok || k == "" {
				return nil, nil, fmt.Errorf("mapping %q: want SUBSTRING=VALUE", v)
			}
			*m.out = append(*m.out, [2]string{k, val})
		}
	}
	return cfg, fset.Args(), nil
}

func parsePairs(in []string, flagName string) ([]lokipush.Label, error) {
	var out []lokipush.Label
	for _, v := range in {
		k, val, ok := strings.Cut(v, "=")
		if !ok || !lokipush.ValidLabelName(k) {
			return nil, fmt.Errorf("%s %q: want NAME=VALUE with a valid label name", flagName, v)
		}
		out = append(out, lokipush.Label{Name: k, Value: val})
	}
	return out, nil
}

// stream is one file (in one repetition): its labels and lines.
type stream struct {
	labels     []lokipush.Label
	labelsText []byte
	lines      []string
	next       int // index of the first line not yet sent
}

// loadStreams reads every file under paths: directories recursively, keeping *.log files and
// files without an extension.
func loadStreams(cfg *config, paths []string) ([]*stream, error) {
	type file struct{ path, rel string }
	var files []file
	for _, root := range paths {
		st, err := os.Stat(root)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, file{root, filepath.Base(root)})
			continue
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			if ext := filepath.Ext(d.Name()); ext != ".log" && ext != "" {
				return nil
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			files = append(files, file{p, filepath.ToSlash(rel)})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(files) == 0 {
		return nil, errors.New("no log files found")
	}
	var streams []*stream
	seen := map[string]string{}
	for _, f := range files {
		// Two files with one label set would be one stream fed by two connections, out of order.
		if other, dup := seen[f.rel]; dup {
			return nil, fmt.Errorf("%s and %s would both be filename=%q", other, f.path, f.rel)
		}
		seen[f.rel] = f.path
		data, err := os.ReadFile(f.path)
		if err != nil {
			return nil, err
		}
		lines := splitLines(string(data))
		if len(lines) == 0 {
			continue
		}
		base := []lokipush.Label{{Name: "job", Value: "airlog-test"}, {Name: "filename", Value: f.rel}}
		if v, ok := mapped(cfg.podMap, f.rel); ok {
			base = append(base, lokipush.Label{Name: "pod", Value: v})
		}
		if v, ok := mapped(cfg.containerMap, f.rel); ok {
			base = append(base, lokipush.Label{Name: "container", Value: v})
		}
		base = append(base, cfg.labels...)
		for r := 0; r < cfg.repeat; r++ {
			ls := append([]lokipush.Label(nil), base...)
			if cfg.repeat > 1 {
				ls = append(ls, lokipush.Label{Name: "rep", Value: strconv.Itoa(r)})
			}
			ls, err := lokipush.SortLabels(ls)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", f.rel, err)
			}
			streams = append(streams, &stream{labels: ls, labelsText: lokipush.AppendLabels(nil, ls), lines: lines})
		}
	}
	return streams, nil
}

// splitLines cuts text into physical lines at '\n'; a final '\n' ends the last line rather than
// starting an empty one. Nothing else is stripped ('\r' stays).
func splitLines(text string) []string {
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func mapped(m [][2]string, rel string) (string, bool) {
	for _, kv := range m {
		if strings.Contains(rel, kv[0]) {
			return kv[1], true
		}
	}
	return "", false
}

// Report is what --report writes.
type Report struct {
	URL              string    `json:"url"`
	Format           string    `json:"format"`
	Conns            int       `json:"conns"`
	Streams          int       `json:"streams"`
	Pushes           int64     `json:"pushes"`  // accepted pushes (duplicates not counted)
	Entries          int64     `json:"entries"` // accepted entries (duplicates not counted)
	Lines            int64     `json:"lines"`   // physical lines = entries (one line per entry)
	Bytes            int64     `json:"bytes"`   // log text of the accepted entries
	WireBytes        int64     `json:"wire_bytes"`
	Seconds          float64   `json:"seconds"`
	MBPerSecond      float64   `json:"mb_per_s"`
	EntriesPerSecond float64   `json:"entries_per_s"`
	LatencyMs        Latencies `json:"latency_ms"` // of each accepted request, retries excluded
	Retries          int64     `json:"retries"`
	Status429        int64     `json:"status_429"`
	Status5xx        int64     `json:"status_5xx"`
	NetworkErrors    int64     `json:"network_errors"`
	RejectedPushes   int64     `json:"rejected_pushes"` // 4xx other than 429: given up at once
	RejectedEntries  int64     `json:"rejected_entries"`
	DroppedPushes    int64     `json:"dropped_pushes"` // given up after --max-retries
	DroppedEntries   int64     `json:"dropped_entries"`
	DuplicatePushes  int64     `json:"duplicate_pushes"` // accepted pushes sent a second time
	DuplicateEntries int64     `json:"duplicate_entries"`
	Interrupted      bool      `json:"interrupted"`
}

// Latencies are percentiles in milliseconds.
type Latencies struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

type counters struct {
	pushes, entries, bytes, wireBytes                   atomic.Int64
	retries, s429, s5xx, netErrs                        atomic.Int64
	rejectedPushes, rejectedEntries                     atomic.Int64
	droppedPushes, droppedEntries                       atomic.Int64
	duplicatePushes, duplicateEntries, errorsShownCount atomic.Int64
}

func run(ctx context.Context, cfg *config, streams []*stream) *Report {
	var c counters
	lim := newLimiter(cfg.rateMBps * 1e6)
	owned := make([][]*stream, cfg.conns)
	for i, s := range streams {
		owned[i%cfg.conns] = append(owned[i%cfg.conns], s)
	}
	latencies := make([][]time.Duration, cfg.conns)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < cfg.conns; w++ {
		if len(owned[w]) == 0 {
			continue
		}
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			cn := &conn{cfg: cfg, c: &c, lim: lim,
				rng:    rand.New(rand.NewSource(cfg.seed*7919 + int64(w))),
				client: &http.Client{Transport: newTransport(), Timeout: cfg.timeout}}
			cn.run(ctx, owned[w])
			latencies[w] = cn.latencies
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	var all []time.Duration
	for _, l := range latencies {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	rep := &Report{URL: cfg.url, Format: "protobuf", Conns: cfg.conns, Streams: len(streams),
		Pushes: c.pushes.Load(), Entries: c.entries.Load(), Lines: c.entries.Load(), Bytes: c.bytes.Load(),
		WireBytes: c.wireBytes.Load(), Seconds: elapsed,
		Retries: c.retries.Load(), Status429: c.s429.Load(), Status5xx: c.s5xx.Load(), NetworkErrors: c.netErrs.Load(),
		RejectedPushes: c.rejectedPushes.Load(), RejectedEntries: c.rejectedEntries.Load(),
		DroppedPushes: c.droppedPushes.Load(), DroppedEntries: c.droppedEntries.Load(),
		DuplicatePushes: c.duplicatePushes.Load(), DuplicateEntries: c.duplicateEntries.Load(),
		Interrupted: ctx.Err() != nil}
	if cfg.json {
		rep.Format = "json"
	}
	if elapsed > 0 {
		rep.MBPerSecond = float64(rep.Bytes) / 1e6 / elapsed
		rep.EntriesPerSecond = float64(rep.Entries) / elapsed
	}
	if len(all) > 0 {
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		rep.LatencyMs = Latencies{P50: ms(all[len(all)/2]), P99: ms(all[min(len(all)-1, len(all)*99/100)]), Max: ms(all[len(all)-1])}
	}
	return rep
}

// newTransport gives each connection its own transport, so N conns are N TCP connections.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        1,
		MaxIdleConnsPerHost: 1,
		MaxConnsPerHost:     1,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
}

// conn is one connection and the streams it owns.
type conn struct {
	cfg       *config
	c         *counters
	lim       *limiter
	rng       *rand.Rand
	client    *http.Client
	enc       lokipush.Encoder
	latencies []time.Duration
}

func (cn *conn) run(ctx context.Context, active []*stream) {
	active = append([]*stream(nil), active...)
	var picked []*stream
	var entries [][]lokipush.Entry
	for len(active) > 0 && ctx.Err() == nil {
		// Several streams per push, each cut at an arbitrary line count.
		k := 1 + cn.rng.Intn(min(cn.cfg.streamsMax, len(active)))
		cn.rng.Shuffle(len(active), func(i, j int) { active[i], active[j] = active[j], active[i] })
		picked, entries = picked[:0], entries[:0]
		nEntries, nBytes := 0, 0
		for _, s := range active[:k] {
			n := min(1+cn.rng.Intn(cn.cfg.batchLinesMax), len(s.lines)-s.next)
			es := make([]lokipush.Entry, n)
			for i := range es {
				line := s.lines[s.next+i]
				es[i] = lokipush.Entry{TimeNs: readTime(), Line: line, Metadata: cn.cfg.metadata}
				nBytes += len(line)
			}
			s.next += n
			nEntries += n
			picked = append(picked, s)
			entries = append(entries, es)
		}
		// Drop the finished streams from the active set.
		kept := active[:0]
		for _, s := range active {
			if s.next < len(s.lines) {
				kept = append(kept, s)
			}
		}
		active = kept

		body, contentType := cn.encode(picked, entries)
		cn.lim.wait(ctx, nBytes)
		if !cn.send(ctx, body, contentType, nEntries, nBytes, false) {
			continue
		}
		if cn.cfg.duplicate > 0 && cn.rng.Float64() < cn.cfg.duplicate {
			cn.send(ctx, body, contentType, nEntries, nBytes, true)
		}
	}
}

// lastStamp makes read times strictly increasing across the whole run, as one agent's clock would
// stamp lines it reads one after another (and two lines never share a timestamp).
var lastStamp atomic.Int64

func readTime() int64 {
	for {
		now := time.Now().UnixNano()
		prev := lastStamp.Load()
		if now <= prev {
			now = prev + 1
		}
		if lastStamp.CompareAndSwap(prev, now) {
			return now
		}
	}
}

func (cn *conn) encode(streams []*stream, entries [][]lokipush.Entry) ([]byte, string) {
	if cn.cfg.json {
		return encodeJSON(streams, entries), "application/json"
	}
	for i, s := range streams {
		cn.enc.AppendStream(s.labelsText, entries[i])
	}
	// A copy: a request abandoned on a broken connection may still be read after Do returns.
	return append([]byte(nil), cn.enc.Finish()...), "application/x-protobuf"
}

// encodeJSON writes Loki's JSON push body; structured metadata as the third element of a value.
func encodeJSON(streams []*stream, entries [][]lokipush.Entry) []byte {
	type jsonStream struct {
		Stream map[string]string `json:"stream"`
		Values [][]any           `json:"values"`
	}
	req := struct {
		Streams []jsonStream `json:"streams"`
	}{}
	for i, s := range streams {
		js := jsonStream{Stream: map[string]string{}}
		for _, l := range s.labels {
			js.Stream[l.Name] = l.Value
		}
		for _, e := range entries[i] {
			v := []any{strconv.FormatInt(e.TimeNs, 10), e.Line}
			if len(e.Metadata) > 0 {
				m := map[string]string{}
				for _, l := range e.Metadata {
					m[l.Name] = l.Value
				}
				v = append(v, m)
			}
			js.Values = append(js.Values, v)
		}
		req.Streams = append(req.Streams, js)
	}
	b, _ := json.Marshal(req)
	return b
}

// send delivers one push, retrying as loki.write does; false when it was not accepted.
func (cn *conn) send(ctx context.Context, body []byte, contentType string, nEntries, nBytes int, duplicate bool) bool {
	backoff := cn.cfg.minBackoff
	for attempt := 0; ; attempt++ {
		if ctx.Err() != nil {
			return false
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, cn.cfg.url, bytes.NewReader(body))
		if err != nil {
			cn.fail("request: %v", err)
			cn.c.rejectedPushes.Add(1)
			cn.c.rejectedEntries.Add(int64(nEntries))
			return false
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("User-Agent", "airlog-loadgen")
		if cn.cfg.tenant != "" {
			req.Header.Set("X-Scope-OrgID", cn.cfg.tenant)
		}
		t0 := time.Now()
		resp, err := cn.client.Do(req)
		var retryAfter time.Duration
		if err == nil {
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
			resp.Body.Close()
			code := resp.StatusCode
			switch {
			case code/100 == 2:
				cn.latencies = append(cn.latencies, time.Since(t0))
				if duplicate {
					cn.c.duplicatePushes.Add(1)
					cn.c.duplicateEntries.Add(int64(nEntries))
				} else {
					cn.c.pushes.Add(1)
					cn.c.entries.Add(int64(nEntries))
					cn.c.bytes.Add(int64(nBytes))
					cn.c.wireBytes.Add(int64(len(body)))
				}
				return true
			case code == http.StatusTooManyRequests:
				cn.c.s429.Add(1)
			case code/100 == 5:
				cn.c.s5xx.Add(1)
			default:
				cn.fail("push rejected: %d %s", code, strings.TrimSpace(string(msg)))
				cn.c.rejectedPushes.Add(1)
				cn.c.rejectedEntries.Add(int64(nEntries))
				return false
			}
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
				retryAfter = time.Duration(s) * time.Second
			}
		} else {
			if ctx.Err() != nil {
				return false
			}
			cn.c.netErrs.Add(1)
		}
		if cn.cfg.maxRetries > 0 && attempt >= cn.cfg.maxRetries {
			cn.fail("push dropped after %d retries", attempt)
			cn.c.droppedPushes.Add(1)
			cn.c.droppedEntries.Add(int64(nEntries))
			return false
		}
		cn.c.retries.Add(1)
		// Exponential backoff with jitter in [backoff/2, backoff), Retry-After when longer.
		d := backoff/2 + time.Duration(cn.rng.Int63n(int64(backoff/2)+1))
		d = max(d, retryAfter)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(d):
		}
		backoff = min(backoff*2, cn.cfg.maxBackoff)
	}
}

func (cn *conn) fail(format string, args ...any) {
	if cn.c.errorsShownCount.Add(1) <= int64(cn.cfg.maxErrorsShown) {
		fmt.Fprintf(os.Stderr, "airlog-loadgen: "+format+"\n", args...)
	}
}

// limiter bounds the log text rate across connections (a virtual clock of when the next byte may
// go out); nil when unbounded.
type limiter struct {
	mu          sync.Mutex
	bytesPerSec float64
	next        time.Time
}

func newLimiter(bytesPerSec float64) *limiter {
	if bytesPerSec <= 0 {
		return nil
	}
	return &limiter{bytesPerSec: bytesPerSec}
}

func (l *limiter) wait(ctx context.Context, n int) {
	if l == nil {
		return
	}
	l.mu.Lock()
	now := time.Now()
	if l.next.Before(now) {
		l.next = now
	}
	at := l.next
	l.next = l.next.Add(time.Duration(float64(n) / l.bytesPerSec * float64(time.Second)))
	l.mu.Unlock()
	if d := time.Until(at); d > 0 {
		select {
		case <-ctx.Done():
		case <-time.After(d):
		}
	}
}
