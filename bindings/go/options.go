package airlog

/*
#include "airlog/airlog.h"
*/
import "C"

import (
	"runtime"
	"time"
)

// Envelope is the container-runtime wrapping of a source's lines.
type Envelope int

const (
	EnvelopeAuto   Envelope = C.AIRLOG_ENVELOPE_AUTO   // decided from the source's first line
	EnvelopeNone   Envelope = C.AIRLOG_ENVELOPE_NONE   // plain lines
	EnvelopeCRI    Envelope = C.AIRLOG_ENVELOPE_CRI    // Kubernetes CRI
	EnvelopeDocker Envelope = C.AIRLOG_ENVELOPE_DOCKER // Docker json-file
	// Records exported from log stores and collectors (JSON values, one per line or pretty-printed).
	EnvelopeExportJSON Envelope = C.AIRLOG_ENVELOPE_EXPORT_JSON
	EnvelopeExportTSV  Envelope = C.AIRLOG_ENVELOPE_EXPORT_TSV // tab-separated exports with a time column
)

// Options of one source. The zero value means airlog's defaults, field by field.
type Options struct {
	// Component of every event ("scheduler", "api-server", …); "" lets airlog infer it.
	Component string
	// TimeZone for stamps printed without an offset: IANA name, "UTC" or "+02:00"; "" is UTC.
	TimeZone string
	// Caps: a multi-line event is cut after MaxEventLines lines or MaxEventBytes bytes, a physical
	// line after MaxLineBytes (flagged truncated, nothing dropped). 0 keeps the default.
	MaxEventLines uint32
	MaxEventBytes uint32
	MaxLineBytes  uint32
	// Envelope of the lines; EnvelopeAuto (the zero value) detects it.
	Envelope Envelope
	// MultilineWait: Poll emits an open multi-line event after this much idle time. 0 keeps the
	// default (3 s); a negative value disables the wait.
	MultilineWait time.Duration
	// Dedup drops events identical to one seen within the window: DedupWindowEvents events
	// (default 100 000), and, when DedupWindow is set, that much event time behind the newest
	// (default none: a re-read is recognised while its events are in the count window).
	Dedup             bool
	DedupWindowEvents uint32
	DedupWindow       time.Duration
	// Redact masks secrets (passwords, tokens, keys, credentials) with "***" in every text
	// field of an event (docs/redaction.md); counted in Stats.Redactions.
	Redact bool
}

// toC builds the airlog_options the parser is created from (freed by the caller).
func (o *Options) toC() (*C.airlog_options, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var opts *C.airlog_options
	if st := C.airlog_options_create(&opts); st != C.AIRLOG_OK {
		return nil, errorOf(st)
	}
	setInt := func(key C.airlog_option, v int64) C.airlog_status {
		return C.airlog_options_set_int(opts, key, C.int64_t(v))
	}
	setString := func(key C.airlog_option, v string) C.airlog_status {
		s := cString(v)
		defer free(s)
		return C.airlog_options_set_string(opts, key, s)
	}
	steps := []func() C.airlog_status{
		func() C.airlog_status {
			if o.Component == "" {
				return C.AIRLOG_OK
			}
			return setString(C.AIRLOG_OPT_COMPONENT, o.Component)
		},
		func() C.airlog_status {
			if o.TimeZone == "" {
				return C.AIRLOG_OK
			}
			return setString(C.AIRLOG_OPT_TIME_ZONE, o.TimeZone)
		},
		func() C.airlog_status { return setIfSet(setInt, C.AIRLOG_OPT_MAX_EVENT_LINES, int64(o.MaxEventLines)) },
		func() C.airlog_status { return setIfSet(setInt, C.AIRLOG_OPT_MAX_EVENT_BYTES, int64(o.MaxEventBytes)) },
		func() C.airlog_status { return setIfSet(setInt, C.AIRLOG_OPT_MAX_LINE_BYTES, int64(o.MaxLineBytes)) },
		func() C.airlog_status { return setInt(C.AIRLOG_OPT_ENVELOPE, int64(o.Envelope)) },
		func() C.airlog_status {
			if o.MultilineWait < 0 {
				return setInt(C.AIRLOG_OPT_MULTILINE_WAIT_NS, 0)
			}
			return setIfSet(setInt, C.AIRLOG_OPT_MULTILINE_WAIT_NS, int64(o.MultilineWait))
		},
		func() C.airlog_status {
			if !o.Dedup {
				return C.AIRLOG_OK
			}
			return setInt(C.AIRLOG_OPT_DEDUP, 1)
		},
		func() C.airlog_status {
			return setIfSet(setInt, C.AIRLOG_OPT_DEDUP_WINDOW_EVENTS, int64(o.DedupWindowEvents))
		},
		func() C.airlog_status { return setIfSet(setInt, C.AIRLOG_OPT_DEDUP_WINDOW_NS, int64(o.DedupWindow)) },
		func() C.airlog_status {
			if !o.Redact {
				return C.AIRLOG_OK
			}
			return setInt(C.AIRLOG_OPT_REDACT, 1)
		},
	}
	for _, step := range steps {
		if st := step(); st != C.AIRLOG_OK {
			err := errorOf(st)
			C.airlog_options_free(opts)
			return nil, err
		}
	}
	return opts, nil
}

// setIfSet leaves an option at its default when the Go field holds its zero value.
func setIfSet(set func(C.airlog_option, int64) C.airlog_status, key C.airlog_option, v int64) C.airlog_status {
	if v == 0 {
		return C.AIRLOG_OK
	}
	return set(key, v)
}
