// Package gateway is `airlog serve`: a Loki push endpoint that parses each incoming stream with
// airlog (multi-line events folded, fields extracted, duplicates dropped) and forwards one entry
// per event to Loki and/or an OTLP endpoint. docs/serve.md is the user's view; the flow is
//
//	HTTP push ─ decode ─ admit (buffer bound) ─ WAL (--buffer-dir) ─ 204
//	                                          └─ shard by stream ─ worker: airlog parser ─ entries
//	entries ─ outbox (batches by tenant) ─ sender (retries) ─ checkpoint (what is delivered)
package gateway

import (
	"fmt"
	"strings"
	"time"

	"github.com/airlog/airlog/tools/serve/lokipush"
)

// Config is everything `airlog serve` is told on its command line.
type Config struct {
	Listen   string
	LokiURL  string
	OTLPURL  string
	LineJSON bool // --loki-line json: the contract's JSON line instead of the original text

	BufferDir       string
	BufferBytes     int64
	MaxRequestBytes int64
	MaxDecodedBytes int
	ShutdownTimeout time.Duration

	StreamIdle time.Duration
	MaxStreams int
	Workers    int

	// Parsing.
	TimeZone       string
	MultilineWait  time.Duration
	MaxEventLines  uint32
	MaxEventBytes  uint32
	MaxLineBytes   uint32
	Dedup          bool
	DedupWindow    uint32   // events each stream's duplicate filter remembers
	Redact         bool     // mask secrets in the events and in the forwarded text (docs/redaction.md)
	LabelFields    []string // airlog fields that become labels (component, level, dag_id)
	StaticLabels   []lokipush.Label
	LabelBudget    int
	MaxLineSize    int // Loki's max_line_size: longer lines are sent in parts
	MaxMetadataLen int

	// Listener.
	TLSCert, TLSKey string
	AuthBasic       string // user:pass
	AuthBearer      string

	Downstream Downstream
}

// Downstream is how the sender reaches the store.
type Downstream struct {
	BasicAuth   string // user:pass
	BearerToken string
	Headers     []lokipush.Label
	CAFile      string
	Tenant      string // fixed X-Scope-OrgID; "" passes the incoming one through
	BatchBytes  int
	BatchWait   time.Duration
	MinBackoff  time.Duration
	MaxBackoff  time.Duration
	Timeout     time.Duration
}

// Defaults are the values of every flag not given.
func Defaults() Config {
	return Config{
		Listen:          "127.0.0.1:3101",
		BufferBytes:     256 << 20,
		MaxRequestBytes: 16 << 20,
		MaxDecodedBytes: 64 << 20,
		ShutdownTimeout: 30 * time.Second,
		StreamIdle:      5 * time.Minute,
		MaxStreams:      10000,
		MultilineWait:   3 * time.Second,
		Dedup:           true,
		DedupWindow:     20000,
		Redact:          true,
		LabelFields:     []string{"component", "level", "dag_id"},
		LabelBudget:     15,
		MaxLineSize:     256000,
		MaxMetadataLen:  256,
		Downstream: Downstream{
			BatchBytes: 1 << 20,
			BatchWait:  time.Second,
			MinBackoff: 500 * time.Millisecond,
			MaxBackoff: 30 * time.Second,
			Timeout:    30 * time.Second,
		},
	}
}

// labelFieldNames are the airlog fields that may be labels (the field table's Loki label role;
// the CLI's --loki-labels accepts the same).
var labelFieldNames = []string{"component", "level", "format", "dag_id", "task_id", "event", "state", "stream", "logger"}

// Validate checks what flags alone cannot.
func (c *Config) Validate() error {
	if c.LokiURL == "" && c.OTLPURL == "" {
		return fmt.Errorf("give --loki-url or --otlp-url (or both)")
	}
	for _, f := range c.LabelFields {
		ok := false
		for _, n := range labelFieldNames {
			ok = ok || n == f
		}
		if !ok {
			return fmt.Errorf("--loki-labels: %q cannot be a label (allowed: %s)", f, strings.Join(labelFieldNames, " "))
		}
	}
	for _, l := range c.StaticLabels {
		if !lokipush.ValidLabelName(l.Name) || strings.HasPrefix(l.Name, "__") {
			return fmt.Errorf("--label: invalid label name %q", l.Name)
		}
	}
	if len(c.StaticLabels)+len(c.LabelFields) > c.LabelBudget {
		return fmt.Errorf("%d labels (%d static, %d from fields) exceed the label budget of %d",
			len(c.StaticLabels)+len(c.LabelFields), len(c.StaticLabels), len(c.LabelFields), c.LabelBudget)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if c.Workers <= 0 {
		return fmt.Errorf("--workers must be at least 1")
	}
	return nil
}
