package airlog

/*
#include "airlog/airlog.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// LokiField is one contract key a Loki entry carries outside its line (the field table's Loki
// roles, include/airlog/fields.hpp): a key that may be chosen as a stream label, or one that
// goes to structured metadata.
type LokiField struct {
	Name     string
	OTel     string // its OpenTelemetry attribute name ("" when it has none)
	Value    string // the key's text in the contract: enums by name, integers, RFC 3339 dates, "true"
	Label    bool   // may be a stream label (component, level, dag_id, …)
	Metadata bool   // goes to structured metadata unless chosen as a label
}

// SetLokiFields makes every event this parser emits carry its Loki fields (Event.AppendLokiFields),
// rendered by the C library in the same round of calls as the events — one cgo call per Feed, not
// one per event. Values are cut to maxValueBytes on a character boundary (0: not cut).
func (p *Parser) SetLokiFields(maxValueBytes int) {
	p.loki = true
	p.lokiMax = maxValueBytes
}

// AppendLokiFields appends the event's Loki fields when its parser had SetLokiFields; ok is false
// otherwise (use a FieldRenderer).
func (e *Event) AppendLokiFields(dst []LokiField) (fields []LokiField, ok bool) {
	if !e.hasLoki {
		return dst, false
	}
	return appendLokiRecords(dst, e.loki), true
}

// renderLoki fills the Loki records of the events the last C call wrote (dst[start:]).
func (b *buffers) renderLoki(dst []Event, start int, input *C.char, inputLen int, max int) error {
	n := int(b.res[0])
	if n == 0 {
		return nil
	}
	var textPtr *C.char
	if tn := int(b.res[1]); tn > 0 {
		textPtr = (*C.char)(unsafe.Pointer(&b.text[0]))
	}
	if len(b.loki) < 1024 {
		b.loki = make([]byte, 64<<10)
	}
	var size C.size_t
	for {
		st := C.airlog_render_loki_fields(&b.events[0], C.size_t(n), input, C.size_t(inputLen), textPtr,
			C.size_t(b.res[1]), C.size_t(max), (*C.char)(unsafe.Pointer(&b.loki[0])), C.size_t(len(b.loki)), &size)
		if st == C.AIRLOG_BUFFER_TOO_SMALL {
			b.loki = make([]byte, int(size)+int(size)/4)
			continue
		}
		if st != C.AIRLOG_OK {
			return errorOf(st)
		}
		break
	}
	blob := string(b.loki[:size]) // one string for the call: every name and value slices it
	for i := 0; i < n && len(blob) >= 4; i++ {
		l := int(le32(blob))
		dst[start+i].loki, dst[start+i].hasLoki = blob[4:4+l], true
		blob = blob[4+l:]
	}
	return nil
}

// FieldRenderer renders the Loki fields of events made outside a parser (or by one without
// SetLokiFields) through the C library, reusing its buffers. Not safe for concurrent use.
type FieldRenderer struct {
	cev  C.airlog_event
	text []byte
	buf  []byte
}

// AppendLokiFields appends e's present Loki fields, in contract order, each value cut to
// maxValueBytes on a character boundary (0: not cut) and valid UTF-8.
func (r *FieldRenderer) AppendLokiFields(dst []LokiField, e *Event, maxValueBytes int) ([]LokiField, error) {
	r.text = e.toC(&r.cev, r.text[:0])
	if cap(r.buf) < 512 {
		r.buf = make([]byte, 512)
	}
	r.buf = r.buf[:cap(r.buf)]
	var textPtr *C.char
	if len(r.text) > 0 {
		textPtr = (*C.char)(unsafe.Pointer(&r.text[0]))
	}
	runtime.LockOSThread() // the error message is per thread
	defer runtime.UnlockOSThread()
	var size C.size_t
	for {
		st := C.airlog_render_loki_fields(&r.cev, 1, nil, 0, textPtr, C.size_t(len(r.text)), C.size_t(maxValueBytes),
			(*C.char)(unsafe.Pointer(&r.buf[0])), C.size_t(len(r.buf)), &size)
		if st == C.AIRLOG_BUFFER_TOO_SMALL {
			r.buf = make([]byte, int(size))
			continue
		}
		if st != C.AIRLOG_OK {
			return dst, errorOf(st)
		}
		break
	}
	if size < 4 {
		return dst, nil
	}
	return appendLokiRecords(dst, string(r.buf[4:size])), nil
}

// appendLokiRecords reads one event's records (airlog_render_loki_fields); names and values
// slice blob.
func appendLokiRecords(dst []LokiField, blob string) []LokiField {
	for len(blob) >= 7 {
		roles, nameLen := blob[0], int(blob[1])
		name := blob[2 : 2+nameLen]
		otelLen := int(blob[2+nameLen])
		otel := blob[3+nameLen : 3+nameLen+otelLen]
		blob = blob[3+nameLen+otelLen:]
		valueLen := int(le32(blob))
		value := blob[4 : 4+valueLen]
		blob = blob[4+valueLen:]
		dst = append(dst, LokiField{Name: name, OTel: otel, Value: value,
			Label: roles&C.AIRLOG_LOKI_LABEL != 0, Metadata: roles&C.AIRLOG_LOKI_METADATA != 0})
	}
	return dst
}

func le32(s string) uint32 {
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}
