package gateway

import (
	"compress/gzip"
	"container/list"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	airlog "github.com/airlog/airlog/bindings/go"
	"github.com/airlog/airlog/tools/serve/lokipush"
)

// Logger is where the gateway reports what an operator should see.
type Logger interface {
	Printf(format string, args ...any)
}

// Gateway is one `airlog serve` process.
type Gateway struct {
	cfg          Config
	log          Logger
	db           *airlog.Database
	parseOptions airlog.Options
	metrics      *Metrics
	outbox       *outbox
	workers      []*worker
	workersDone  []chan struct{}
	wal          *wal
	clients      []*Client
	sinks        []sink

	ingestMu sync.Mutex // line IDs are handed out, logged and dispatched in one order
	nextID   uint64
	retried  *retried // under ingestMu

	buffered atomic.Int64 // admitted bytes not yet delivered
	space    chan struct{}
	ready    atomic.Bool
	stopping atomic.Bool
	inflight sync.WaitGroup

	onShutdown func()
}

// OnShutdown registers f to run when shutdown begins, before anything is flushed.
func (g *Gateway) OnShutdown(f func()) { g.onShutdown = f }

// New checks the configuration and opens the buffer directory; Run serves.
func New(cfg Config, log Logger) (*Gateway, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	db, err := airlog.Compile()
	if err != nil {
		return nil, err
	}
	g := &Gateway{cfg: cfg, log: log, db: db, metrics: newMetrics(), nextID: 1, space: make(chan struct{}, 1),
		retried: newRetried()}
	g.parseOptions = airlog.Options{TimeZone: cfg.TimeZone, MaxEventLines: cfg.MaxEventLines,
		MaxEventBytes: cfg.MaxEventBytes, MaxLineBytes: cfg.MaxLineBytes, Dedup: cfg.Dedup,
		DedupWindowEvents: cfg.DedupWindow, MultilineWait: cfg.MultilineWait, Redact: cfg.Redact}
	if _, err := airlog.NewParser(db, g.parseOptions, ""); err != nil { // options checked once, here
		return nil, err
	}
	g.outbox = newOutbox(cfg.Downstream.BatchBytes, cfg.Downstream.BatchWait)
	if cfg.LokiURL != "" {
		c, err := NewClient(cfg.LokiURL, cfg.Downstream, g.metrics, log)
		if err != nil {
			return nil, err
		}
		g.clients, g.sinks = append(g.clients, c), append(g.sinks, &lokiSink{})
	}
	if cfg.OTLPURL != "" {
		c, err := NewClient(cfg.OTLPURL, cfg.Downstream, g.metrics, log)
		if err != nil {
			return nil, err
		}
		g.clients, g.sinks = append(g.clients, c), append(g.sinks, &otlpSink{})
	}
	if cfg.BufferDir != "" {
		if g.wal, err = openWAL(cfg.BufferDir); err != nil {
			return nil, fmt.Errorf("--buffer-dir: %v", err)
		}
	}
	return g, nil
}

// Metrics are the gateway's counters.
func (g *Gateway) Metrics() *Metrics { return g.metrics }

// Run replays the buffer directory, serves until ctx ends, then shuts down gracefully: no new
// pushes, open events flushed, the outbox delivered (or left in the buffer directory).
func (g *Gateway) Run(ctx context.Context, ln net.Listener) error {
	for i := 0; i < g.cfg.Workers; i++ {
		w := &worker{g: g, jobs: make(chan []job, 64), streams: map[string]*stream{}, lru: list.New()}
		done := make(chan struct{})
		g.workers, g.workersDone = append(g.workers, w), append(g.workersDone, done)
		go w.run(250*time.Millisecond, done)
	}
	sendCtx, stopSending := context.WithCancel(context.Background())
	defer stopSending()
	senderDone := make(chan struct{})
	go g.send(sendCtx, senderDone)
	sealerDone := make(chan struct{})
	go g.sealer(sealerDone)

	if g.wal != nil {
		n, doubt := 0, 0
		next, err := g.wal.replay(func(tenant string, streams []lokipush.Stream, firstID uint64) {
			r, d := g.replayRecord(tenant, streams, firstID)
			n, doubt = n+r, doubt+d
		})
		if err != nil {
			return fmt.Errorf("--buffer-dir: replay: %v", err)
		}
		g.nextID = next
		g.metrics.replayedInDoubt.Add(uint64(doubt))
		if n > 0 {
			g.log.Printf("replayed %d undelivered lines from %s (%d of them in the batch in flight at the stop: the store may have them already)",
				n, g.cfg.BufferDir, doubt)
		}
	}

	// A body must arrive within ReadTimeout: a client that trickles one cannot hold a connection forever.
	srv := &http.Server{Handler: g.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		IdleTimeout: 2 * time.Minute}
	serveErr := make(chan error, 1)
	go func() {
		if g.cfg.TLSCert != "" {
			serveErr <- srv.ServeTLS(ln, g.cfg.TLSCert, g.cfg.TLSKey)
		} else {
			serveErr <- srv.Serve(ln)
		}
	}()
	g.ready.Store(true)
	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}

	// Shutdown: refuse new pushes, let the ones being read finish, then drain.
	if g.onShutdown != nil {
		g.onShutdown()
	}
	g.stopping.Store(true)
	g.ready.Store(false)
	shutCtx, cancel := context.WithTimeout(context.Background(), g.cfg.ShutdownTimeout)
	defer cancel()
	_ = srv.Shutdown(shutCtx)
	g.inflight.Wait()
	for i, w := range g.workers {
		close(w.jobs)
		<-g.workersDone[i]
	}
	g.outbox.sealOld(time.Now(), true)
	close(sealerDone)
	g.outbox.close()
	select {
	case <-senderDone:
	case <-shutCtx.Done():
		stopSending()
		<-senderDone
		g.log.Printf("shutdown: %d bytes not delivered in %v%s", g.buffered.Load(), g.cfg.ShutdownTimeout,
			map[bool]string{true: " (kept in the buffer directory)", false: " (lost: no --buffer-dir)"}[g.wal != nil])
	}
	if g.wal != nil {
		err = errors.Join(err, g.wal.close())
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// sealer closes batches that waited long enough.
func (g *Gateway) sealer(done chan struct{}) {
	t := time.NewTicker(g.cfg.Downstream.BatchWait / 4)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			g.outbox.sealOld(now, false)
		}
	}
}

// send delivers sealed batches in order to every sink, then moves the checkpoint.
func (g *Gateway) send(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		b := g.outbox.next()
		if b == nil {
			return
		}
		delivered := true
		if b.entries > 0 && g.wal != nil {
			if err := g.wal.sending(b.marks); err != nil {
				g.log.Printf("--buffer-dir: inflight: %v", err)
			}
		}
		if b.entries > 0 {
			for i, s := range g.sinks {
				body, ct := s.encode(b)
				err := g.clients[i].Post(ctx, body, ct, b.tenant)
				var perm *PermanentError
				switch {
				case err == nil:
				case errors.As(err, &perm):
					g.log.Printf("%s refused a batch of %d entries for good: %v (dropped)", s.name(), b.entries, err)
				default: // shutting down: the batch stays in the buffer directory
					delivered = false
				}
				if !delivered {
					break
				}
			}
		}
		if !delivered {
			return
		}
		g.metrics.entriesOut.Add(uint64(b.entries))
		if b.entries > 0 {
			g.metrics.batchesOut.Add(1)
		}
		if g.wal != nil {
			if err := g.wal.delivered(b.marks); err != nil {
				g.log.Printf("--buffer-dir: checkpoint: %v", err)
			}
		}
		g.release(b.release)
	}
}

// release frees admitted bytes and wakes a push waiting for room.
func (g *Gateway) release(n int64) {
	g.metrics.bufferBytes.Store(g.buffered.Add(-n))
	select {
	case g.space <- struct{}{}:
	default:
	}
}

// Handler is the HTTP interface: the push endpoint, /ready and /metrics.
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	push := g.auth(http.HandlerFunc(g.handlePush))
	mux.Handle("/loki/api/v1/push", push)
	mux.Handle("/api/prom/push", push)
	mux.HandleFunc("/ready", func(w http.ResponseWriter, r *http.Request) {
		if !g.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		g.metrics.Write(w)
	})
	return mux
}

func (g *Gateway) auth(next http.Handler) http.Handler {
	if g.cfg.AuthBasic == "" && g.cfg.AuthBearer == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok := false
		if g.cfg.AuthBearer != "" {
			got, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			ok = found && subtle.ConstantTimeCompare([]byte(got), []byte(g.cfg.AuthBearer)) == 1
		}
		if !ok && g.cfg.AuthBasic != "" {
			user, pass, found := r.BasicAuth()
			ok = found && subtle.ConstantTimeCompare([]byte(user+":"+pass), []byte(g.cfg.AuthBasic)) == 1
		}
		if !ok {
			g.metrics.push(http.StatusUnauthorized)
			w.Header().Set("WWW-Authenticate", `Basic realm="airlog"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// pushError is a refused push: its status and one-line reason.
type pushError struct {
	status int
	reason string
}

func (g *Gateway) handlePush(w http.ResponseWriter, r *http.Request) {
	status, reason := g.accept(r)
	g.metrics.push(status)
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	http.Error(w, reason, status)
}

// accept reads, decodes, admits, logs and dispatches one push.
func (g *Gateway) accept(r *http.Request) (int, string) {
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, "POST a push body"
	}
	g.inflight.Add(1)
	defer g.inflight.Done()
	if g.stopping.Load() {
		return http.StatusServiceUnavailable, "shutting down"
	}
	req, perr := g.decode(r)
	if perr != nil {
		return perr.status, perr.reason
	}
	tenant := r.Header.Get("X-Scope-OrgID")
	now := time.Now()

	g.ingestMu.Lock()
	// Entries the sender pushed already (a retry whose answer was lost) are dropped here.
	original := req.Streams
	streams := make([]lokipush.Stream, 0, len(original))
	keys := make([]string, 0, len(original))
	allKeys := make([]string, len(original))
	var size int64
	entries, repeats := 0, 0
	for i := range original {
		trimLineEnds(original[i].Entries)
		allKeys[i] = streamKey(tenant, original[i].Labels)
		kept, dropped := g.retried.filter(allKeys[i], original[i].Entries)
		repeats += dropped
		if len(kept) == 0 {
			continue
		}
		st := lokipush.Stream{Labels: original[i].Labels, Entries: kept}
		streams, keys = append(streams, st), append(keys, allKeys[i])
		size += int64(st.Bytes())
		entries += len(kept)
	}
	// Admission: the bytes stay accounted until delivered.
	if entries > 0 && g.buffered.Add(size) > g.cfg.BufferBytes && g.buffered.Load() != size {
		g.buffered.Add(-size)
		g.ingestMu.Unlock()
		return http.StatusTooManyRequests, fmt.Sprintf("airlog buffer full (%d bytes undelivered); retry later", g.buffered.Load())
	}
	// Remembered once accepted (here, or after the write-ahead log took it): a refused push must
	// not make its retry look like a repeat.
	remember := func() {
		for i := range original {
			g.retried.remember(allKeys[i], original[i].Entries, now)
		}
		g.retried.sweep(now, g.cfg.StreamIdle)
		g.metrics.repeatedEntries.Add(uint64(repeats))
	}
	if entries == 0 {
		remember()
		g.ingestMu.Unlock()
		return http.StatusNoContent, ""
	}
	g.metrics.bufferBytes.Store(g.buffered.Load())
	first := g.nextID
	lines := make([]uint64, len(streams))
	for i := range streams {
		lines[i] = physicalLines(&streams[i])
		g.nextID += lines[i]
	}
	var ticket int64
	if g.wal != nil {
		var err error
		if ticket, err = g.wal.append(tenant, streams, keys, lines, first); err != nil {
			g.ingestMu.Unlock()
			g.release(size)
			g.log.Printf("--buffer-dir: %v", err)
			return http.StatusServiceUnavailable, "cannot write the buffer directory"
		}
	}
	remember()
	g.dispatch(tenant, streams, keys, lines, first, 0, size)
	g.ingestMu.Unlock()
	if g.wal != nil {
		if err := g.wal.commit(ticket); err != nil {
			g.log.Printf("--buffer-dir: %v", err)
			return http.StatusServiceUnavailable, "cannot sync the buffer directory"
		}
	}
	g.metrics.entriesIn.Add(uint64(entries))
	g.metrics.bytesIn.Add(uint64(size))
	return http.StatusNoContent, ""
}

// dispatch hands each stream's share to the worker that owns the stream, in line-ID order: one
// channel send per worker and push, not per stream.
func (g *Gateway) dispatch(tenant string, streams []lokipush.Stream, keys []string, lines []uint64, first, skipTo uint64,
	size int64) {
	id := first
	total := int64(0)
	perWorker := make([][]job, len(g.workers))
	for i := range streams {
		b := int64(streams[i].Bytes())
		if i == len(streams)-1 {
			b = size - total // the push's accounted size, exactly
		}
		total += b
		j := job{tenant: tenant, key: keys[i], stream: streams[i], firstID: id, lines: lines[i], skipTo: skipTo, bytes: b}
		id += lines[i]
		w := shardOf(keys[i], len(g.workers))
		perWorker[w] = append(perWorker[w], j)
	}
	for w, jobs := range perWorker {
		if len(jobs) > 0 {
			g.workers[w].jobs <- jobs
		}
	}
}

// replayRecord re-parses a logged push's lines past their stream's checkpoint; returns how many,
// and how many of them the batch in flight at the stop held.
func (g *Gateway) replayRecord(tenant string, streams []lokipush.Stream, firstID uint64) (n, doubt int) {
	keys := make([]string, len(streams))
	id := firstID
	for i := range streams {
		keys[i] = streamKey(tenant, streams[i].Labels)
		g.retried.remember(keys[i], streams[i].Entries, time.Now())
		mark := g.wal.mark(keys[i])
		start := id
		lines := physicalLines(&streams[i])
		id += lines
		if id-1 <= mark {
			continue // delivered before the restart
		}
		size := int64(streams[i].Bytes())
		for g.buffered.Load()+size > g.cfg.BufferBytes && g.buffered.Load() > 0 {
			<-g.space // replay waits for room instead of refusing
		}
		g.buffered.Add(size)
		g.dispatch(tenant, streams[i:i+1], keys[i:i+1], []uint64{lines}, start, mark, size)
		from := max(start, mark+1)
		n += int(id - from)
		doubt += int(g.wal.inDoubt(keys[i], from, id-1))
	}
	return n, doubt
}

// decode reads the body within the size limits and decodes it by content type.
func (g *Gateway) decode(r *http.Request) (*lokipush.Request, *pushError) {
	if r.ContentLength > g.cfg.MaxRequestBytes {
		return nil, &pushError{http.StatusRequestEntityTooLarge, fmt.Sprintf("body of %d bytes exceeds the limit of %d", r.ContentLength, g.cfg.MaxRequestBytes)}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, g.cfg.MaxRequestBytes+1))
	if err != nil {
		return nil, &pushError{http.StatusBadRequest, "reading the body: " + err.Error()}
	}
	if int64(len(body)) > g.cfg.MaxRequestBytes {
		return nil, &pushError{http.StatusRequestEntityTooLarge, fmt.Sprintf("body exceeds the limit of %d bytes", g.cfg.MaxRequestBytes)}
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "" {
		ct = "application/x-protobuf" // what Promtail sent before it set the header
	}
	switch enc := strings.ToLower(r.Header.Get("Content-Encoding")); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(strings.NewReader(string(body)))
		if err != nil {
			return nil, &pushError{http.StatusBadRequest, "gzip: " + err.Error()}
		}
		plain, err := io.ReadAll(io.LimitReader(zr, int64(g.cfg.MaxDecodedBytes)+1))
		if err != nil {
			return nil, &pushError{http.StatusBadRequest, "gzip: " + err.Error()}
		}
		if len(plain) > g.cfg.MaxDecodedBytes {
			return nil, &pushError{http.StatusRequestEntityTooLarge, fmt.Sprintf("decompressed body exceeds the limit of %d bytes", g.cfg.MaxDecodedBytes)}
		}
		body = plain
	default:
		return nil, &pushError{http.StatusUnsupportedMediaType, "unsupported Content-Encoding " + enc}
	}
	var req *lokipush.Request
	switch ct {
	case "application/x-protobuf":
		if r.Header.Get("Content-Encoding") == "gzip" {
			req, err = lokipush.DecodeProto(body)
		} else {
			req, err = lokipush.DecodeSnappyProto(body, lokipush.Limits{MaxDecodedBytes: g.cfg.MaxDecodedBytes})
		}
	case "application/json":
		if len(body) > g.cfg.MaxDecodedBytes {
			return nil, &pushError{http.StatusRequestEntityTooLarge, "body exceeds the decoded size limit"}
		}
		req, err = lokipush.DecodeJSON(body)
	default:
		return nil, &pushError{http.StatusUnsupportedMediaType, "unsupported Content-Type " + ct + " (application/x-protobuf or application/json)"}
	}
	if errors.Is(err, lokipush.ErrTooLarge) {
		return nil, &pushError{http.StatusRequestEntityTooLarge, fmt.Sprintf("decompressed body exceeds the limit of %d bytes", g.cfg.MaxDecodedBytes)}
	}
	if err != nil {
		return nil, &pushError{http.StatusBadRequest, err.Error()}
	}
	return req, nil
}

// trimLineEnds drops the line end some agents leave on an entry ("…\n", "…\r\n"): it is not a
// line of its own. Inner newlines stay: each is a physical line.
func trimLineEnds(entries []lokipush.Entry) {
	for i := range entries {
		if l := entries[i].Line; strings.HasSuffix(l, "\n") {
			l = l[:len(l)-1]
			entries[i].Line = strings.TrimSuffix(l, "\r")
		}
	}
}

// physicalLines is the number of lines a stream's entries hold: an entry is one line, plus one for
// each newline inside it. Line IDs are handed out by this count.
func physicalLines(s *lokipush.Stream) uint64 {
	n := uint64(len(s.Entries))
	for i := range s.Entries {
		n += uint64(strings.Count(s.Entries[i].Line, "\n"))
	}
	return n
}
