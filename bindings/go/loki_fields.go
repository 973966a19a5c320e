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

// FieldRenderer renders events' Loki fields through the C library, reusing its buffers. Not safe
// for concurrent use; one per goroutine.
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
		st := C.airlog_render_loki_fields(&r.cev, nil, 0, textPtr, C.size_t(len(r.text)), C.size_t(maxValueBytes),
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
	// One string per event holds every name and value: one allocation, not two per field.
	blob := string(r.buf[:size])
	for len(blob) >= 7 {
		roles, nameLen := blob[0], int(blob[1])
		name := blob[2 : 2+nameLen]
		otelLen := int(blob[2+nameLen])
		otel := blob[3+nameLen : 3+nameLen+otelLen]
		blob = blob[3+nameLen+otelLen:]
		valueLen := int(uint32(blob[0]) | uint32(blob[1])<<8 | uint32(blob[2])<<16 | uint32(blob[3])<<24)
		value := blob[4 : 4+valueLen]
		blob = blob[4+valueLen:]
		dst = append(dst, LokiField{Name: name, OTel: otel, Value: value,
			Label: roles&C.AIRLOG_LOKI_LABEL != 0, Metadata: roles&C.AIRLOG_LOKI_METADATA != 0})
	}
	return dst, nil
}
