package gateway

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	airlog "github.com/airlog/airlog/bindings/go"
)

// Metrics are the counters /metrics exposes (Prometheus text format, prefix airlog_serve_).
type Metrics struct {
	entriesIn, bytesIn, linesIn       atomic.Uint64
	eventsOut, entriesOut, batchesOut atomic.Uint64
	linesFolded, dupLines, linesOut   atomic.Uint64
	retries, labelsToMetadata         atomic.Uint64
	repeatedEntries                   atomic.Uint64
	replayedInDoubt                   atomic.Uint64
	bufferBytes, streamsOpen          atomic.Int64
	dedupMemory                       atomic.Int64
	redactions                        atomic.Uint64

	mu          sync.Mutex
	pushes      map[int]uint64
	failures    map[string]uint64
	byComponent [16]atomic.Uint64
}

func newMetrics() *Metrics {
	return &Metrics{pushes: map[int]uint64{}, failures: map[string]uint64{}}
}

func (m *Metrics) push(code int) {
	m.mu.Lock()
	m.pushes[code]++
	m.mu.Unlock()
}

func (m *Metrics) failure(reason string) {
	m.mu.Lock()
	m.failures[reason]++
	m.mu.Unlock()
}

func (m *Metrics) countEvent(ev *airlog.Event) {
	m.eventsOut.Add(1)
	m.linesOut.Add(uint64(ev.Lines))
	if ev.Lines > 1 {
		m.linesFolded.Add(uint64(ev.Lines - 1))
	}
	m.byComponent[int(ev.Component)&15].Add(1)
}

// Failures is a copy of the failed-delivery counts by reason (network, http_429, http_500, …).
func (m *Metrics) Failures() map[string]uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]uint64, len(m.failures))
	for k, v := range m.failures {
		out[k] = v
	}
	return out
}

// Write renders every metric in the Prometheus text exposition format.
func (m *Metrics) Write(w io.Writer) {
	counter := func(name, help string, v uint64) {
		fmt.Fprintf(w, "# HELP airlog_serve_%s %s\n# TYPE airlog_serve_%s counter\nairlog_serve_%s %d\n", name, help, name, name, v)
	}
	gauge := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP airlog_serve_%s %s\n# TYPE airlog_serve_%s gauge\nairlog_serve_%s %d\n", name, help, name, name, v)
	}
	// family writes one labelled counter family, its series sorted by label value.
	family := func(name, help, label string, values map[string]uint64) {
		fmt.Fprintf(w, "# HELP airlog_serve_%s %s\n# TYPE airlog_serve_%s counter\n", name, help, name)
		keys := make([]string, 0, len(values))
		for k := range values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "airlog_serve_%s{%s=%q} %d\n", name, label, k, values[k])
		}
	}
	m.mu.Lock()
	pushes := make(map[string]uint64, len(m.pushes))
	for code, n := range m.pushes {
		pushes[strconv.Itoa(code)] = n
	}
	family("pushes_total", "Push requests received, by HTTP status answered.", "code", pushes)
	family("delivery_failures_total", "Failed delivery attempts, by reason.", "reason", m.failures)
	m.mu.Unlock()
	counter("entries_received_total", "Entries received in accepted pushes.", m.entriesIn.Load())
	counter("bytes_received_total", "Bytes of log text received in accepted pushes.", m.bytesIn.Load())
	counter("lines_received_total", "Physical lines received in accepted pushes.", m.linesIn.Load())
	counter("events_forwarded_total", "airlog events emitted (one entry each, or parts of a long one).", m.eventsOut.Load())
	counter("entries_sent_total", "Entries the store accepted.", m.entriesOut.Load())
	counter("batches_sent_total", "Push requests the store accepted.", m.batchesOut.Load())
	counter("lines_folded_total", "Lines folded into the multi-line event before them.", m.linesFolded.Load())
	counter("lines_forwarded_total", "Physical lines inside emitted events.", m.linesOut.Load())
	counter("duplicate_lines_dropped_total", "Lines of events dropped as duplicates (lines received = forwarded + dropped + pending).", m.dupLines.Load())
	counter("repeated_entries_dropped_total", "Entries a sender pushed again (same stream, timestamp and line), kept once.", m.repeatedEntries.Load())
	counter("replayed_in_doubt_lines_total", "Lines replayed from --buffer-dir that the batch in flight at the last stop held: the store may have them already.", m.replayedInDoubt.Load())
	counter("retries_total", "Delivery attempts retried.", m.retries.Load())
	counter("redactions_total", "Secrets masked with *** in forwarded events (on unless --no-redact).", m.redactions.Load())
	counter("labels_to_metadata_total", "Events whose airlog labels went to structured metadata (label budget).", m.labelsToMetadata.Load())
	gauge("buffer_bytes", "Accepted bytes not yet delivered.", m.bufferBytes.Load())
	gauge("dedup_memory_bytes", "Bytes the open streams' duplicate filters hold (each up to 38-45 bytes per event of --dedup-window-events).", m.dedupMemory.Load())
	gauge("streams_open", "Incoming streams with parser state.", m.streamsOpen.Load())
	byComponent := map[string]uint64{}
	for c := range m.byComponent {
		if v := m.byComponent[c].Load(); v > 0 {
			name := airlog.Component(c).String()
			if name == "" {
				name = "unknown"
			}
			byComponent[name] = v
		}
	}
	family("events_by_component_total", "Events forwarded, by Airflow component.", "component", byComponent)
}

// NewMetrics is a fresh set of counters (for a Client used outside a Gateway).
func NewMetrics() *Metrics { return newMetrics() }
