// airlog-serve is the network half of the airlog CLI: `airlog serve` (a Loki push gateway,
// docs/serve.md) and the delivery of `airlog parse --push` (`airlog-serve send`). The `airlog`
// command runs it; it can also be run on its own.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/airlog/airlog/tools/serve/internal/gateway"
	"github.com/airlog/airlog/tools/serve/lokipush"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: airlog-serve serve|send [flags] (airlog serve --help)")
		os.Exit(2)
	}
	logger := log.New(os.Stderr, "airlog serve: ", log.LstdFlags|log.LUTC)
	switch os.Args[1] {
	case "serve":
		os.Exit(serve(os.Args[2:], logger))
	case "send":
		logger.SetPrefix("airlog push: ")
		os.Exit(send(os.Args[2:], logger))
	default:
		fmt.Fprintf(os.Stderr, "airlog-serve: unknown command %q (serve, send)\n", os.Args[1])
		os.Exit(2)
	}
}

// ---- flag value types ---------------------------------------------------------------------

type sizeFlag struct{ p *int64 }

func (f sizeFlag) String() string {
	if f.p == nil {
		return ""
	}
	return strconv.FormatInt(*f.p, 10)
}

// Set reads a byte count: 1048576, 64KiB, 16MiB, 1GiB (also KB/MB/GB as powers of 1024).
func (f sizeFlag) Set(s string) error {
	v, err := parseSize(s)
	if err == nil {
		*f.p = v
	}
	return err
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	u := strings.ToUpper(strings.TrimSpace(s))
	for _, suf := range []struct {
		s string
		m int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}} {
		if strings.HasSuffix(u, suf.s) {
			mult, u = suf.m, strings.TrimSuffix(u, suf.s)
			break
		}
	}
	v, err := strconv.ParseInt(strings.TrimSpace(u), 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a byte count (e.g. 1048576, 64KiB, 16MiB)", s)
	}
	return v * mult, nil
}

type labelsFlag struct{ p *[]lokipush.Label }

func (f labelsFlag) String() string { return "" }
func (f labelsFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("%q is not NAME=VALUE", s)
	}
	*f.p = append(*f.p, lokipush.Label{Name: name, Value: value})
	return nil
}

func downstreamFlags(fs *flag.FlagSet, d *gateway.Downstream) {
	fs.StringVar(&d.BasicAuth, "loki-basic-auth", "", "USER:PASS for the store")
	fs.StringVar(&d.BearerToken, "loki-bearer-token", "", "bearer token for the store")
	fs.Var(labelsFlag{&d.Headers}, "loki-header", "NAME=VALUE header on every request to the store (repeatable)")
	fs.StringVar(&d.CAFile, "loki-ca", "", "CA bundle (PEM) that signs the store's certificate")
	fs.StringVar(&d.Tenant, "loki-tenant", "", "X-Scope-OrgID sent to the store (default: the incoming one)")
	fs.DurationVar(&d.MinBackoff, "min-backoff", d.MinBackoff, "first retry delay")
	fs.DurationVar(&d.MaxBackoff, "max-backoff", d.MaxBackoff, "longest retry delay")
	fs.DurationVar(&d.Timeout, "request-timeout", d.Timeout, "timeout of one request to the store")
}

// ---- airlog serve -------------------------------------------------------------------------

func serve(args []string, logger *log.Logger) int {
	cfg := gateway.Defaults()
	cfg.Workers = runtime.NumCPU()
	fs := flag.NewFlagSet("airlog serve", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: airlog serve --loki-url URL [--otlp-url URL] [flags]\n\n"+
			"A Loki push endpoint that parses each stream with airlog and forwards one entry per event.\n"+
			"Sizes take KiB/MiB/GiB; durations 500ms, 30s, 5m. docs/serve.md has the details.")
		fs.PrintDefaults()
	}
	var lineMode string
	var labelFields string
	var maxEventLines, maxEventBytes, maxLineBytes int64
	noDedup := false
	noRedact := false
	fs.StringVar(&cfg.Listen, "listen", cfg.Listen, "address to listen on")
	fs.StringVar(&cfg.LokiURL, "loki-url", "", "Loki push URL to forward to (…/loki/api/v1/push)")
	fs.StringVar(&cfg.OTLPURL, "otlp-url", "", "OTLP/HTTP logs URL to forward to (…/v1/logs)")
	fs.StringVar(&lineMode, "loki-line", "original", "line of each entry: original (the event's text) or json (the contract's JSON line)")
	fs.StringVar(&cfg.BufferDir, "buffer-dir", "", "directory for the write-ahead log of accepted pushes (crash-safe; replayed on start)")
	fs.Var(sizeFlag{&cfg.BufferBytes}, "buffer-bytes", "accepted but undelivered bytes held at most; past it pushes get 429 (default 256MiB)")
	fs.Var(sizeFlag{&cfg.MaxRequestBytes}, "max-request-bytes", "largest push body; past it 413 (default 16MiB)")
	var maxDecoded = int64(cfg.MaxDecodedBytes)
	fs.Var(sizeFlag{&maxDecoded}, "max-decoded-bytes", "largest decompressed push body; past it 413 (default 64MiB)")
	var batchBytes = int64(cfg.Downstream.BatchBytes)
	fs.Var(sizeFlag{&batchBytes}, "batch-bytes", "outgoing batch size (default 1MiB)")
	fs.DurationVar(&cfg.Downstream.BatchWait, "batch-wait", cfg.Downstream.BatchWait, "longest an entry waits for its batch")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "on SIGTERM, how long to try delivering what is buffered")
	fs.DurationVar(&cfg.StreamIdle, "stream-idle", cfg.StreamIdle, "a stream silent this long is flushed and freed")
	fs.IntVar(&cfg.MaxStreams, "max-streams", cfg.MaxStreams, "streams with parser state at most (past it the least recently used is flushed)")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "parsing goroutines (each stream stays on one)")
	fs.StringVar(&cfg.TimeZone, "tz", "", "time zone of stamps printed without an offset (IANA name, UTC, +02:00)")
	fs.DurationVar(&cfg.MultilineWait, "multiline-wait", cfg.MultilineWait, "an open multi-line event is emitted after this much silence on its stream")
	fs.Int64Var(&maxEventLines, "max-event-lines", 0, "a multi-line event is cut after this many lines (0: airlog's default)")
	fs.Int64Var(&maxEventBytes, "max-event-bytes", 0, "… or this many bytes (0: airlog's default)")
	fs.Int64Var(&maxLineBytes, "max-line-bytes", 0, "a physical line is cut after this many bytes for parsing (0: airlog's default)")
	fs.BoolVar(&noDedup, "no-dedup", false, "forward duplicate events too (the duplicate filter is on by default)")
	fs.BoolVar(&noRedact, "no-redact", false, "forward secrets as written (passwords, tokens, keys are masked with *** by default)")
	dedupWindow := fs.Uint("dedup-window-events", uint(cfg.DedupWindow), "events each stream's duplicate filter remembers (about 40 bytes each): a sender's re-read of anything within them is dropped")
	fs.StringVar(&labelFields, "loki-labels", strings.Join(cfg.LabelFields, ","), "airlog fields added as labels (component level format dag_id task_id event state stream logger)")
	fs.Var(labelsFlag{&cfg.StaticLabels}, "label", "NAME=VALUE static label on every stream (repeatable)")
	fs.IntVar(&cfg.LabelBudget, "label-budget", cfg.LabelBudget, "most label names per stream (Loki's limit is 15)")
	fs.IntVar(&cfg.MaxLineSize, "max-line-size", cfg.MaxLineSize, "longest entry line (Loki's max_line_size); a longer event is sent in parts")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "serve HTTPS with this certificate (PEM)")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "… and this key (PEM)")
	fs.StringVar(&cfg.AuthBasic, "auth-basic", "", "USER:PASS pushes must carry (basic auth)")
	fs.StringVar(&cfg.AuthBearer, "auth-bearer", "", "bearer token pushes must carry")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the whole run to this file (for profiling)")
	memProfile := fs.String("memprofile", "", "write a Go heap profile to this file at shutdown, before the flush (for profiling)")
	downstreamFlags(fs, &cfg.Downstream)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "airlog serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	switch lineMode {
	case "original":
	case "json":
		cfg.LineJSON = true
	default:
		fmt.Fprintf(os.Stderr, "airlog serve: --loki-line %q: original or json\n", lineMode)
		return 2
	}
	cfg.MaxDecodedBytes = int(maxDecoded)
	cfg.Downstream.BatchBytes = int(batchBytes)
	cfg.MaxEventLines, cfg.MaxEventBytes, cfg.MaxLineBytes = uint32(maxEventLines), uint32(maxEventBytes), uint32(maxLineBytes)
	cfg.Dedup = !noDedup
	cfg.Redact = !noRedact
	if *dedupWindow == 0 || *dedupWindow > math.MaxUint32 {
		fmt.Fprintf(os.Stderr, "airlog serve: --dedup-window-events %d: 1 .. 4294967295 (--no-dedup turns the filter off)\n", *dedupWindow)
		return 2
	}
	cfg.DedupWindow = uint32(*dedupWindow)
	cfg.LabelFields = nil
	for _, f := range strings.Split(labelFields, ",") {
		if f = strings.TrimSpace(f); f != "" {
			cfg.LabelFields = append(cfg.LabelFields, f)
		}
	}
	// The heap is mostly pushes on their way through, bounded by --buffer-bytes: collecting it
	// less often buys CPU, and a soft limit of the buffer + 128 MiB bounds the memory that costs.
	// (GOGC and GOMEMLIMIT in the environment take precedence.)
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cfg.BufferBytes + 128<<20)
	}
	g, err := gateway.New(cfg, logger)
	if err != nil {
		fmt.Fprintf(os.Stderr, "airlog serve: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "airlog serve: %v\n", err)
		return 1
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "airlog serve: %v\n", err)
			return 2
		}
		pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if *memProfile != "" {
		g.OnShutdown(func() {
			if f, err := os.Create(*memProfile); err == nil {
				pprof.WriteHeapProfile(f)
				f.Close()
			}
		})
	}
	logger.Printf("listening on %s, forwarding to %s", ln.Addr(), strings.TrimSpace(cfg.LokiURL+" "+cfg.OTLPURL))
	if err := g.Run(ctx, ln); err != nil {
		logger.Printf("%v", err)
		return 1
	}
	logger.Printf("stopped")
	return 0
}

// ---- airlog parse --push: airlog-serve send -----------------------------------------------

// send posts the bodies `airlog parse --output loki-proto|loki-json|otlp-json` writes on stdin.
func send(args []string, logger *log.Logger) int {
	d := gateway.Defaults().Downstream
	fs := flag.NewFlagSet("airlog push", flag.ContinueOnError)
	url := fs.String("url", "", "push URL")
	format := fs.String("format", "loki-proto", "bodies on stdin: loki-proto (4-byte big-endian length + body), loki-json or otlp-json (one per line)")
	tenant := fs.String("tenant", "", "X-Scope-OrgID")
	giveUp := fs.Duration("give-up-after", 5*time.Minute, "a body still refused (network, 429, 5xx) after this long counts as undelivered")
	downstreamFlags(fs, &d)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *url == "" {
		fmt.Fprintln(os.Stderr, "airlog push: --url is required")
		return 2
	}
	contentType := map[string]string{"loki-proto": "application/x-protobuf", "loki-json": "application/json", "otlp-json": "application/json"}[*format]
	if contentType == "" {
		fmt.Fprintf(os.Stderr, "airlog push: unknown --format %q\n", *format)
		return 2
	}
	c, err := gateway.NewClient(*url, d, gateway.NewMetrics(), logger)
	if err != nil {
		fmt.Fprintf(os.Stderr, "airlog push: %v\n", err)
		return 2
	}
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	var sent, failed, bytes int
	next := func() ([]byte, error) {
		if *format == "loki-proto" {
			var n [4]byte
			if _, err := io.ReadFull(in, n[:]); err != nil {
				if errors.Is(err, io.ErrUnexpectedEOF) {
					return nil, fmt.Errorf("stdin ends inside a body's length")
				}
				return nil, err
			}
			body := make([]byte, binary.BigEndian.Uint32(n[:]))
			if _, err := io.ReadFull(in, body); err != nil {
				return nil, fmt.Errorf("stdin ends inside a body")
			}
			return body, nil
		}
		line, err := in.ReadBytes('\n')
		if len(line) > 0 {
			return line, nil
		}
		return nil, err
	}
	for {
		body, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			logger.Printf("%v", err)
			failed++
			break
		}
		ctx, cancel := context.WithTimeout(context.Background(), *giveUp)
		err = c.Post(ctx, body, contentType, *tenant)
		cancel()
		if err != nil {
			logger.Printf("body %d not delivered: %v", sent+failed+1, err)
			failed++
			continue
		}
		sent++
		bytes += len(body)
	}
	fmt.Fprintf(os.Stderr, "airlog push: %d bodies delivered (%d bytes), %d not delivered\n", sent, bytes, failed)
	if failed > 0 {
		return 1
	}
	return 0
}
