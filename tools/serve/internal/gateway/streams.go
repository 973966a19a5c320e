package gateway

import (
	"container/list"
	"hash/maphash"
	"slices"
	"strings"
	"time"

	airlog "github.com/airlog/airlog/bindings/go"
	"github.com/airlog/airlog/tools/serve/lokipush"
)

// job is one incoming stream's share of a push, on its way to the worker that owns the stream.
// Line IDs are global and increasing: entry i's physical lines follow entry i-1's from firstID.
type job struct {
	tenant  string
	key     string // tenant + "\n" + label set text: the stream's identity
	stream  lokipush.Stream
	firstID uint64
	lines   uint64 // physical lines of the entries
	skipTo  uint64 // replay: lines with an ID <= skipTo were delivered before the restart
	bytes   int64  // admitted bytes (released when the lines are delivered)
}

// line is a physical line waiting in its stream until the event holding it is emitted.
type line struct {
	id    uint64
	ts    int64
	text  string
	meta  []lokipush.Label
	bytes int64
	owned bool // text and meta are copies, not slices of the push
}

// stream is one incoming stream's airlog state. Owned by one worker.
type stream struct {
	key, tenant string
	labels      []lokipush.Label // incoming (copied out of the push that opened the stream)
	baseLabels  []lokipush.Label // incoming + static labels, sorted
	baseText    string
	lastExtra   []lokipush.Label // labelSet's cache: the last extra labels and their set
	lastLabels  []lokipush.Label
	lastText    string
	lru         *list.Element
	parser      *airlog.Parser
	pending     []line // lines fed and not yet in an emitted event; pending[0] is local line `base`
	base        uint64 // parser-local (1-based) number of pending[0]
	dropped     uint64 // lines the parser dropped as duplicates that left pending
	dedupMemory int64  // the parser's duplicate filter's bytes, as last added to the gauge
	redactions  uint64 // the parser's count of masked secrets, as last added to the counter
	masking     bool   // the events being emitted hold masked secrets: mask their forwarded text too
	lastSeen    time.Time
}

// worker owns a shard of the streams: each stream is parsed by one goroutine, in order.
type worker struct {
	g        *Gateway
	jobs     chan []job
	streams  map[string]*stream
	lru      *list.List // streams, most recently fed first
	events   []airlog.Event
	renderer airlog.FieldRenderer
	fields   []airlog.LokiField
	extra    []lokipush.Label
	text     []byte
	out      []outEntry
}

var shardSeed = maphash.MakeSeed()

func shardOf(key string, n int) int { return int(maphash.String(shardSeed, key) % uint64(n)) }

func (w *worker) run(tick time.Duration, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case jobs, ok := <-w.jobs:
			if !ok {
				w.flushAll()
				return
			}
			for _, j := range jobs {
				w.handle(j)
			}
		case now := <-t.C:
			w.poll(now)
		}
	}
}

// handle feeds a job's lines to its stream and forwards the events that completed.
func (w *worker) handle(j job) {
	s := w.streams[j.key]
	if s == nil {
		var err error
		if s, err = w.open(j); err != nil {
			w.g.log.Printf("stream %s: %v (its lines are forwarded unparsed)", j.key, err)
		}
	}
	s.lastSeen = time.Now()
	w.lru.MoveToFront(s.lru)
	w.text = w.text[:0]
	id := j.firstID
	perLine := int64(0)
	nlines := int64(j.lines)
	s.pending = slices.Grow(s.pending, int(j.lines))
	if nlines > 0 {
		perLine = j.bytes / nlines
	}
	extra := j.bytes - perLine*nlines
	fed := uint64(0)
	for i := range j.stream.Entries {
		e := &j.stream.Entries[i]
		rest := e.Line
		for {
			text := rest
			nl := strings.IndexByte(rest, '\n')
			if nl >= 0 {
				text, rest = rest[:nl], rest[nl+1:]
			}
			b := perLine + extra
			extra = 0
			if id > j.skipTo {
				fed++
				s.pending = append(s.pending, line{id: id, ts: e.TimeNs, text: text, meta: e.Metadata, bytes: b})
				w.text = append(w.text, text...)
				w.text = append(w.text, '\n')
			} else {
				w.g.release(b) // delivered before a restart
			}
			id++
			if nl < 0 {
				break
			}
		}
	}
	w.g.metrics.linesIn.Add(fed)
	if s.parser == nil {
		w.forwardRaw(s)
		return
	}
	var err error
	w.events, err = s.parser.AppendFeed(w.events[:0], w.text)
	if err != nil {
		w.g.log.Printf("stream %s: %v", s.key, err)
	}
	w.emit(s, w.events, false)
	clear(w.events) // the events' strings slice this call's input and fields: let them go
	// Lines still waiting (an open multi-line event) are copied out of the push, which can then
	// be freed: otherwise every quiet stream would keep a whole push alive.
	for i := range s.pending {
		if l := &s.pending[i]; !l.owned {
			l.text, l.owned = strings.Clone(l.text), true
			if len(l.meta) > 0 {
				l.meta = cloneLabels(l.meta)
			}
		}
	}
}

func cloneLabels(ls []lokipush.Label) []lokipush.Label {
	out := make([]lokipush.Label, len(ls))
	for i, l := range ls {
		out[i] = lokipush.Label{Name: strings.Clone(l.Name), Value: strings.Clone(l.Value)}
	}
	return out
}

// open makes the state of a stream seen for the first time, flushing the least recently fed
// stream of this worker when the worker has its share of --max-streams.
func (w *worker) open(j job) (*stream, error) {
	if limit := max(1, w.g.cfg.MaxStreams/len(w.g.workers)); w.g.cfg.MaxStreams > 0 && len(w.streams) >= limit {
		w.close(w.lru.Back().Value.(*stream))
	}
	// The labels are copied: they are slices of the push, which must not live as long as the stream.
	labels := cloneLabels(j.stream.Labels)
	s := &stream{key: strings.Clone(j.key), tenant: strings.Clone(j.tenant), labels: labels, base: 1}
	s.baseLabels = append([]lokipush.Label(nil), labels...)
	for _, l := range w.g.cfg.StaticLabels {
		if labelValue(labels, l.Name) == "" {
			s.baseLabels = append(s.baseLabels, l)
		}
	}
	s.baseLabels, _ = lokipush.SortLabels(s.baseLabels)
	s.baseText = lokipush.FormatLabels(s.baseLabels)
	s.lru = w.lru.PushFront(s)
	w.streams[s.key] = s
	w.g.metrics.streamsOpen.Add(1)
	opts := w.g.parseOptions
	opts.Component = componentFromLabels(s.labels)
	p, err := airlog.NewParser(w.g.db, opts, labelValue(s.labels, "filename"))
	if err != nil {
		return s, err
	}
	p.SetLokiFields(w.g.cfg.MaxMetadataLen)
	s.parser = p
	return s, nil
}

// poll emits multi-line events whose wait has passed and closes idle streams.
func (w *worker) poll(now time.Time) {
	wait := w.g.cfg.MultilineWait
	// Oldest first (the LRU list's back): a stream fed within the wait has nothing to emit yet,
	// and neither has any stream fed after it.
	for e := w.lru.Back(); e != nil; {
		s := e.Value.(*stream)
		e = e.Prev()
		idle := now.Sub(s.lastSeen)
		if idle > w.g.cfg.StreamIdle {
			w.close(s)
			continue
		}
		if wait <= 0 || idle < wait {
			break
		}
		if s.parser == nil || len(s.pending) == 0 {
			continue
		}
		evs, err := s.parser.Poll(now)
		if err == nil {
			w.emit(s, evs, false) // also when the open event was dropped as a duplicate
		}
	}
}

// close flushes a stream's open event, forwards it and frees the stream.
func (w *worker) close(s *stream) {
	if s.parser != nil {
		evs, err := s.parser.Flush()
		if err != nil {
			w.g.log.Printf("stream %s: %v", s.key, err)
		}
		w.emit(s, evs, true)
		s.parser.Close()
	} else {
		w.forwardRaw(s)
	}
	delete(w.streams, s.key)
	w.lru.Remove(s.lru)
	w.g.metrics.streamsOpen.Add(-1)
	w.g.metrics.dedupMemory.Add(-s.dedupMemory)
}

func (w *worker) flushAll() {
	for _, s := range w.streams {
		w.close(s)
	}
}

// emit turns events into outgoing entries. Lines no emitted event holds were dropped as
// duplicates: the parser's count says how many; they leave `pending` riding with the next entry,
// or with a marker, so that the checkpoint passes them only once they are behind a delivered entry.
func (w *worker) emit(s *stream, events []airlog.Event, final bool) {
	w.out = w.out[:0]
	carry := int64(0)
	var lastDropped uint64
	s.masking = false
	if s.parser != nil && w.g.cfg.Redact && len(events) > 0 {
		if st, err := s.parser.Stats(); err == nil && st.Redactions > s.redactions {
			w.g.metrics.redactions.Add(st.Redactions - s.redactions)
			s.redactions = st.Redactions
			s.masking = true // the parser masked the events' fields; the original lines hold the same secrets
		}
	}
	drop := func(n int) {
		for _, l := range s.pending[:n] {
			carry += l.bytes
			lastDropped = l.id
		}
		s.pending = s.pending[n:]
		s.base += uint64(n)
		s.dropped += uint64(n)
		w.g.metrics.dupLines.Add(uint64(n))
	}
	for i := range events {
		ev := &events[i]
		first := int(ev.Line - s.base)
		n := int(ev.Lines)
		if first < 0 || first+n > len(s.pending) || n == 0 {
			w.g.log.Printf("stream %s: event at line %d (+%d) outside the pending lines [%d, %d)", s.key, ev.Line,
				ev.Lines, s.base, s.base+uint64(len(s.pending)))
			first = max(0, min(first, len(s.pending)))
			n = max(0, min(n, len(s.pending)-first))
		}
		drop(first)
		lines := s.pending[:n]
		w.out = w.g.build(w.out, w, s, ev, lines, carry)
		carry = 0
		s.pending = s.pending[n:]
		s.base += uint64(n)
		w.g.metrics.countEvent(ev)
	}
	// Duplicates after the last emitted event (before the open one, if any).
	if s.parser != nil && len(s.pending) > 0 {
		if st, err := s.parser.Stats(); err == nil && st.DuplicatesDropped > s.dropped {
			drop(min(int(st.DuplicatesDropped-s.dropped), len(s.pending)))
		}
	}
	if s.parser != nil && w.g.cfg.Dedup && !final {
		if st, err := s.parser.Stats(); err == nil {
			w.g.metrics.dedupMemory.Add(int64(st.DedupMemoryBytes) - s.dedupMemory)
			s.dedupMemory = int64(st.DedupMemoryBytes)
		}
	}
	if final && len(s.pending) > 0 {
		w.g.log.Printf("stream %s: %d lines left after the flush (dropped)", s.key, len(s.pending))
		drop(len(s.pending))
	}
	if carry > 0 { // dropped lines after the last entry: a marker moves the checkpoint past them
		w.out = append(w.out, outEntry{tenant: s.tenant, streamKey: s.key, lastID: lastDropped, bytes: carry, marker: true})
	}
	if len(s.pending) == 0 {
		s.pending = nil // let a burst's lines (and the pushes they are slices of) go
	}
	if len(w.out) > 0 {
		w.g.outbox.add(w.out)
	}
}

// forwardRaw sends a stream's lines one entry each, unparsed (a parser could not be made).
func (w *worker) forwardRaw(s *stream) {
	w.out = w.out[:0]
	for _, l := range s.pending {
		w.out = append(w.out, outEntry{tenant: s.tenant, streamKey: s.key, lastID: l.id, bytes: l.bytes,
			labels: s.baseLabels, labelsText: s.baseText, entry: lokipush.Entry{TimeNs: l.ts, Line: l.text, Metadata: l.meta}})
	}
	w.g.metrics.linesOut.Add(uint64(len(s.pending)))
	s.pending = s.pending[:0]
	if len(w.out) > 0 {
		w.g.outbox.add(w.out)
	}
}

func labelValue(ls []lokipush.Label, name string) string {
	for _, l := range ls {
		if l.Name == name {
			return l.Value
		}
	}
	return ""
}

// componentFromLabels is the Airflow component a stream's labels name: the Helm chart's
// `component` pod label, or a `container`, `app`, `pod`, `service_name` value such as
// `airflow-scheduler-6f9c…`. "" when none does (airlog then infers it from the lines).
func componentFromLabels(ls []lokipush.Label) string {
	for _, name := range []string{"component", "container", "app", "service_name", "pod"} {
		v := strings.ToLower(labelValue(ls, name))
		if v == "" {
			continue
		}
		for _, c := range componentWords {
			if strings.Contains(v, c.word) {
				return c.component
			}
		}
	}
	return ""
}

var componentWords = []struct{ word, component string }{
	{"dag-processor", "dag-processor"}, {"dag_processor", "dag-processor"}, {"dagprocessor", "dag-processor"},
	{"scheduler", "scheduler"}, {"api-server", "api-server"}, {"apiserver", "api-server"},
	{"webserver", "webserver"}, {"triggerer", "triggerer"}, {"worker", "worker"},
}
