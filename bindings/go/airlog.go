package airlog

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: -lairlog
#include <stdlib.h>
#include "airlog/airlog.h"

// One cgo call per batch: the airlog_output struct is built here, on the C stack, because Go may
// not pass C a Go struct that holds Go pointers. res receives written/pending counts.
airlog_status go_airlog_call(int op, airlog_parser* p, const char* data, size_t size, int64_t arg,
                                    airlog_event* events, size_t events_cap, char* text, size_t text_cap,
                                    size_t* res) {
  airlog_output o = {events, events_cap, text, text_cap, 0, 0, 0, 0};
  airlog_status st;
  size_t consumed = 0;
  switch (op) {
    case 0: st = airlog_parser_feed(p, data, size, arg, &o); break;
    case 1: st = airlog_parser_parse(p, data, size, (int)arg, &consumed, &o); break;
    case 2: st = airlog_parser_poll(p, arg, &o); break;
    case 3: st = airlog_parser_flush(p, &o); break;
    default: st = airlog_parser_take(p, &o); break;
  }
  res[0] = o.events_written;
  res[1] = o.text_written;
  res[2] = o.events_pending;
  res[3] = o.text_pending;
  res[4] = consumed;
  return st;
}
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// Status is the airlog_status of a failed call.
type Status int

// The statuses of airlog.h, with the same values.
const (
	StatusOK              Status = C.AIRLOG_OK
	StatusInvalidArgument Status = C.AIRLOG_INVALID_ARGUMENT
	StatusUnknownOption   Status = C.AIRLOG_UNKNOWN_OPTION
	StatusBufferTooSmall  Status = C.AIRLOG_BUFFER_TOO_SMALL
	StatusOutOfMemory     Status = C.AIRLOG_OUT_OF_MEMORY
	StatusResultsPending  Status = C.AIRLOG_RESULTS_PENDING
	StatusCompileFailed   Status = C.AIRLOG_COMPILE_FAILED
	StatusScanFailed      Status = C.AIRLOG_SCAN_FAILED
	StatusInternal        Status = C.AIRLOG_INTERNAL
	// StatusClosed is the Go binding's own: a call on a Database or Parser after Close.
	StatusClosed Status = -1
)

// String is airlog_status_string's description ("invalid argument", …).
func (s Status) String() string {
	if s == StatusClosed {
		return "closed"
	}
	return C.GoString(C.airlog_status_string(C.airlog_status(s)))
}

// Error is what every failing call returns: the status and airlog's description of the cause.
type Error struct {
	Status  Status
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "airlog: " + e.Status.String()
	}
	return e.Message
}

// errorOf builds the Error of a failed call; call it on the goroutine's OS thread right after the
// call (the message is per thread, so the goroutine is locked to it around the call).
func errorOf(st C.airlog_status) error {
	return &Error{Status: Status(st), Message: C.GoString(C.airlog_last_error_message())}
}

// Version is the loaded library's "MAJOR.MINOR.PATCH".
func Version() string { return C.GoString(C.airlog_version_string()) }

// VersionNumber is MAJOR*10000 + MINOR*100 + PATCH of the loaded library.
func VersionNumber() int { return int(C.airlog_version_number()) }

// Database is the compiled rule set: compile once, share it with every Parser and goroutine.
type Database struct {
	db *C.airlog_database
}

// Compile compiles airlog's built-in Airflow rules.
func Compile() (*Database, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var db *C.airlog_database
	if st := C.airlog_database_compile(&db); st != C.AIRLOG_OK {
		return nil, errorOf(st)
	}
	d := &Database{db: db}
	runtime.SetFinalizer(d, (*Database).Close)
	return d, nil
}

// RuleCount is the number of rules (template anchors) compiled.
func (d *Database) RuleCount() int {
	if d == nil || d.db == nil {
		return 0
	}
	var n C.size_t
	C.airlog_database_rule_count(d.db, &n)
	return int(n)
}

// Close releases the database. Parsers made from it keep working. Safe to call twice.
func (d *Database) Close() error {
	if d != nil && d.db != nil {
		C.airlog_database_free(d.db)
		d.db = nil
		runtime.SetFinalizer(d, nil)
	}
	return nil
}

// cString is a NUL-terminated C copy of s, freed by the caller.
func cString(s string) *C.char { return C.CString(s) }

func free(p *C.char) { C.free(unsafe.Pointer(p)) }
