package airlog

/*
#include "airlog/airlog.h"

airlog_status go_airlog_call(int op, airlog_parser* p, const char* data, size_t size, int64_t arg,
                             airlog_event* events, size_t events_cap, char* text, size_t text_cap,
                             size_t* res);
*/
import "C"

import (
	"runtime"
	"sync"
	"time"
	"unsafe"
)

const (
	opFeed = iota
	opParse
	opPoll
	opFlush
	opTake
)

// Parser is the state of one log source. Not safe for concurrent use: one goroutine at a time.
type Parser struct {
	p       *C.airlog_parser
	loki    bool // SetLokiFields: events carry their Loki fields
	lokiMax int
	bufs    *buffers // tests only: buffers of this parser instead of the shared pool
	grows   int      // times a call's results did not fit and the buffers grew
}

// buffers are the caller-provided arrays of the C API. They are needed only during a call (events
// become Go values before it returns), so parsers share them through a pool: an agent with
// thousands of idle sources holds none, and a new parser starts with buffers already grown.
type buffers struct {
	events []C.airlog_event
	text   []byte
	loki   []byte      // SetLokiFields: the records of a call's events
	res    [5]C.size_t // events/text written, events/text pending, bytes consumed
}

var bufferPool = sync.Pool{New: func() any { return newBuffers(256, 64<<10) }}

func newBuffers(events, text int) *buffers {
	return &buffers{events: make([]C.airlog_event, events), text: make([]byte, text)}
}

var clockBase = time.Now()

// clockNs is t on the monotonic clock the parser's multi-line wait runs on (never 0: "no clock").
func clockNs(t time.Time) int64 { return int64(t.Sub(clockBase)) + 1 }

// NewParser makes a parser for one source. path ("" for none) names the source; it drives
// component inference and the identity (dag_id, task_id, run_id, try_number) of task logs.
func NewParser(db *Database, opts Options, path string) (*Parser, error) {
	if db == nil || db.db == nil {
		return nil, &Error{Status: StatusClosed, Message: "airlog: NewParser needs an open Database"}
	}
	copts, err := opts.toC()
	if err != nil {
		return nil, err
	}
	defer C.airlog_options_free(copts)
	var cpath *C.char
	if path != "" {
		cpath = cString(path)
		defer free(cpath)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p := &Parser{}
	if st := C.airlog_parser_create(db.db, copts, cpath, &p.p); st != C.AIRLOG_OK {
		return nil, errorOf(st)
	}
	runtime.KeepAlive(db)
	runtime.SetFinalizer(p, (*Parser).Close)
	return p, nil
}

// Close releases the parser. Events already returned stay valid. Safe to call twice.
func (p *Parser) Close() error {
	if p != nil && p.p != nil {
		C.airlog_parser_free(p.p)
		p.p = nil
		runtime.SetFinalizer(p, nil)
	}
	return nil
}

// Feed hands over whatever bytes a read returned (they may end anywhere) and returns the events
// completed by them; the rest waits inside the parser. The events are the same whatever the
// chunking. chunk is not kept: it may be reused as soon as Feed returns.
func (p *Parser) Feed(chunk []byte) ([]Event, error) { return p.AppendFeed(nil, chunk) }

// AppendFeed is Feed appending to dst (reuse one slice across calls to avoid allocating).
func (p *Parser) AppendFeed(dst []Event, chunk []byte) ([]Event, error) {
	dst, _, err := p.call(dst, opFeed, chunk, clockNs(time.Now()))
	return dst, err
}

// Parse parses a whole source held in memory: every byte becomes events.
func (p *Parser) Parse(data []byte) ([]Event, error) {
	dst, _, err := p.AppendParse(nil, data, true)
	return dst, err
}

// AppendParse parses a block of a source, appending to dst. With last false a trailing partial
// line or still-open multi-line event is left unconsumed: consumed tells how many leading bytes
// were used, and the caller passes the rest again, followed by more data. Use either Parse or
// Feed/Poll/Flush on a parser, not both.
func (p *Parser) AppendParse(dst []Event, data []byte, last bool) (events []Event, consumed int, err error) {
	var arg int64
	if last {
		arg = 1
	}
	return p.call(dst, opParse, data, arg)
}

// Poll emits the waiting lines (an open multi-line event) once no input has arrived for
// Options.MultilineWait. Call it on a timer while the source is idle.
func (p *Parser) Poll(now time.Time) ([]Event, error) {
	dst, _, err := p.call(nil, opPoll, nil, clockNs(now))
	return dst, err
}

// Flush ends the source: everything still waiting becomes events. The parser may be fed again.
func (p *Parser) Flush() ([]Event, error) {
	dst, _, err := p.call(nil, opFlush, nil, 0)
	return dst, err
}

// call makes one producing call and, while its results do not fit, grows the buffers to the sizes
// airlog reports and takes the rest: the caller never sees AIRLOG_BUFFER_TOO_SMALL.
func (p *Parser) call(dst []Event, op int, data []byte, arg int64) ([]Event, int, error) {
	if p == nil || p.p == nil {
		return dst, 0, &Error{Status: StatusClosed, Message: "airlog: parser is closed"}
	}
	b := p.bufs
	if b == nil {
		b = bufferPool.Get().(*buffers)
		defer bufferPool.Put(b)
		// Room for an event per 128 input bytes spares most calls the staging round trip.
		if want := len(data)/128 + 256; want > len(b.events) {
			b.events = make([]C.airlog_event, want)
		}
	}
	runtime.LockOSThread() // the error message is per OS thread
	defer runtime.UnlockOSThread()
	var dataPtr *C.char
	if len(data) > 0 {
		dataPtr = (*C.char)(unsafe.Pointer(&data[0]))
	}
	st := C.go_airlog_call(C.int(op), p.p, dataPtr, C.size_t(len(data)), C.int64_t(arg), &b.events[0],
		C.size_t(len(b.events)), (*C.char)(unsafe.Pointer(&b.text[0])), C.size_t(len(b.text)), &b.res[0])
	consumed := int(b.res[4])
	// One copy of the input for all the events of this call: their strings slice it.
	var input string
	if len(data) > 0 && (st == C.AIRLOG_OK || st == C.AIRLOG_BUFFER_TOO_SMALL) && (b.res[0] > 0 || b.res[2] > 0) {
		input = string(data)
	}
	for {
		if st != C.AIRLOG_OK && st != C.AIRLOG_BUFFER_TOO_SMALL {
			return dst, consumed, errorOf(st)
		}
		start := len(dst)
		dst = b.collect(dst, input)
		if p.loki {
			if err := b.renderLoki(dst, start, dataPtr, len(data), p.lokiMax); err != nil {
				return dst, consumed, err
			}
		}
		if st == C.AIRLOG_OK {
			return dst, consumed, nil
		}
		p.grows++
		if need := int(b.res[2]); need > len(b.events) {
			b.events = make([]C.airlog_event, need+need/4)
		}
		if need := int(b.res[3]); need > len(b.text) {
			b.text = make([]byte, need+need/4)
		}
		st = C.go_airlog_call(opTake, p.p, nil, 0, 0, &b.events[0], C.size_t(len(b.events)),
			(*C.char)(unsafe.Pointer(&b.text[0])), C.size_t(len(b.text)), &b.res[0])
	}
}

// collect appends the events the last call wrote, their strings slicing input and one copy of
// the text the call wrote.
func (b *buffers) collect(dst []Event, input string) []Event {
	n := int(b.res[0])
	if n == 0 {
		return dst
	}
	var text string
	if tn := int(b.res[1]); tn > 0 {
		text = string(b.text[:tn])
	}
	start := len(dst)
	if cap(dst)-start < n {
		grown := make([]Event, start, start+n+(start+n)/4)
		copy(grown, dst)
		dst = grown
	}
	dst = dst[:start+n]
	for i := 0; i < n; i++ {
		dst[start+i].fromC(&b.events[i], input, text)
	}
	return dst
}

// Stats are the parser's counters (include/airlog/stats.hpp). After Flush:
// LinesIn == EventLinesOut + DuplicatesDropped.
type Stats struct {
	LinesIn                uint64
	EventsOut              uint64
	EventLinesOut          uint64
	LinesFolded            uint64
	DuplicatesDropped      uint64
	DuplicateEventsDropped uint64
	BytesIn                uint64
	RecognisedLines        uint64
	DedupMemoryBytes       uint64
	Redactions             uint64     // secrets masked (Options.Redact)
	ByFormat               [14]uint64 // indexed by Format
	ByComponent            [8]uint64  // indexed by Component
	ByLevel                [6]uint64  // indexed by Level
	ByEvent                [12]uint64 // indexed by EventKind
}

// Stats returns the counters so far.
func (p *Parser) Stats() (Stats, error) {
	var s Stats
	if p == nil || p.p == nil {
		return s, &Error{Status: StatusClosed, Message: "airlog: parser is closed"}
	}
	var c C.airlog_stats
	if st := C.airlog_parser_stats(p.p, &c); st != C.AIRLOG_OK {
		return s, &Error{Status: Status(st)}
	}
	s = Stats{
		LinesIn: uint64(c.lines_in), EventsOut: uint64(c.events_out), EventLinesOut: uint64(c.event_lines_out),
		LinesFolded: uint64(c.lines_folded), DuplicatesDropped: uint64(c.duplicates_dropped),
		DuplicateEventsDropped: uint64(c.duplicate_events_dropped), BytesIn: uint64(c.bytes_in),
		RecognisedLines: uint64(c.recognised_lines), DedupMemoryBytes: uint64(c.dedup_memory_bytes),
		Redactions: uint64(c.redactions),
	}
	for i := range s.ByFormat {
		s.ByFormat[i] = uint64(c.by_format[i])
	}
	for i := range s.ByComponent {
		s.ByComponent[i] = uint64(c.by_component[i])
	}
	for i := range s.ByLevel {
		s.ByLevel[i] = uint64(c.by_level[i])
	}
	for i := range s.ByEvent {
		s.ByEvent[i] = uint64(c.by_event[i])
	}
	return s, nil
}

// AppendJSON appends events as JSON lines of airlog's output contract (docs/schema.md), exactly
// as the CLI writes them, one object and '\n' per event.
func AppendJSON(dst []byte, events ...Event) ([]byte, error) {
	if len(events) == 0 {
		return dst, nil
	}
	cevents := make([]C.airlog_event, len(events))
	var text []byte
	for i := range events {
		text = events[i].toC(&cevents[i], text)
	}
	var textPtr *C.char
	if len(text) > 0 {
		textPtr = (*C.char)(unsafe.Pointer(&text[0]))
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	buf := make([]byte, 2*len(text)+320*len(events))
	for {
		var size C.size_t
		st := C.airlog_render_json(&cevents[0], C.size_t(len(cevents)), nil, 0, textPtr, C.size_t(len(text)),
			(*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &size)
		switch st {
		case C.AIRLOG_OK:
			return append(dst, buf[:size]...), nil
		case C.AIRLOG_BUFFER_TOO_SMALL:
			buf = make([]byte, int(size))
		default:
			return dst, errorOf(st)
		}
	}
}
