package gateway

import (
	"sync"
	"time"

	"github.com/airlog/airlog/tools/serve/lokipush"
)

// batch is what one push downstream carries: one tenant's entries, grouped by label set.
type batch struct {
	tenant  string
	streams map[string]*batchStream
	order   []*batchStream
	size    int // approximate encoded bytes
	entries int
	opened  time.Time
	marks   map[string]uint64 // incoming stream -> last line ID this batch completes
	release int64             // admitted bytes freed once delivered
}

type batchStream struct {
	labelsText []byte
	labels     []lokipush.Label
	entries    []lokipush.Entry
	severities []uint8
}

// outbox gathers entries into batches (per tenant, bounded by bytes and wait) and hands sealed
// batches to the sender in order.
type outbox struct {
	mu       sync.Mutex
	cond     *sync.Cond
	open     map[string]*batch
	sealed   []*batch
	closed   bool
	maxBytes int
	maxWait  time.Duration
}

func newOutbox(maxBytes int, maxWait time.Duration) *outbox {
	o := &outbox{open: map[string]*batch{}, maxBytes: maxBytes, maxWait: maxWait}
	o.cond = sync.NewCond(&o.mu)
	return o
}

func (o *outbox) add(es []outEntry) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range es {
		e := &es[i]
		b := o.open[e.tenant]
		if b == nil {
			b = &batch{tenant: e.tenant, streams: map[string]*batchStream{}, marks: map[string]uint64{}, opened: time.Now()}
			o.open[e.tenant] = b
		}
		if !e.marker {
			bs := b.streams[e.labelsText]
			if bs == nil {
				bs = &batchStream{labelsText: []byte(e.labelsText), labels: e.labels}
				b.streams[e.labelsText] = bs
				b.order = append(b.order, bs)
				b.size += len(bs.labelsText) + 8
			}
			bs.entries = append(bs.entries, e.entry)
			bs.severities = append(bs.severities, uint8(e.severity))
			b.size += len(e.entry.Line) + 24
			for _, m := range e.entry.Metadata {
				b.size += len(m.Name) + len(m.Value) + 8
			}
			b.entries++
		}
		if e.lastID > b.marks[e.streamKey] {
			b.marks[e.streamKey] = e.lastID
		}
		b.release += e.bytes
		if b.size >= o.maxBytes {
			o.sealLocked(b)
		}
	}
}

func (o *outbox) sealLocked(b *batch) {
	delete(o.open, b.tenant)
	o.sealed = append(o.sealed, b)
	o.cond.Signal()
}

// sealOld seals batches open longer than the wait (all of them when force).
func (o *outbox) sealOld(now time.Time, force bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, b := range o.open {
		if force || now.Sub(b.opened) >= o.maxWait {
			o.sealLocked(b)
		}
	}
}

// next blocks for the oldest sealed batch; nil once closed and empty.
func (o *outbox) next() *batch {
	o.mu.Lock()
	defer o.mu.Unlock()
	for len(o.sealed) == 0 && !o.closed {
		o.cond.Wait()
	}
	if len(o.sealed) == 0 {
		return nil
	}
	b := o.sealed[0]
	o.sealed[0] = nil
	o.sealed = o.sealed[1:]
	return b
}

func (o *outbox) close() {
	o.mu.Lock()
	o.closed = true
	o.cond.Broadcast()
	o.mu.Unlock()
}
