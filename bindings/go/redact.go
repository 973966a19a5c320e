package airlog

/*
#include "airlog/airlog.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// RedactText masks the secrets in text with "***" as Options.Redact masks an event's fields
// (docs/redaction.md), for a caller that forwards a line's original text. json: the text is a
// JSON object (a masked bare value becomes "***" in quotes, so it stays valid JSON). It returns
// the result (text itself when nothing was masked) and the number of secrets masked.
func RedactText(text string, json bool) (string, int, error) {
	if text == "" {
		return text, 0, nil
	}
	in := []byte(text) // Go 1.19 has no unsafe.StringData; only events that had secrets come here
	j := C.int(0)
	if json {
		j = 1
	}
	runtime.LockOSThread() // the error message is per thread
	defer runtime.UnlockOSThread()
	buf := make([]byte, len(text)+64)
	for {
		var size, count C.size_t
		st := C.airlog_redact_text((*C.char)(unsafe.Pointer(&in[0])), C.size_t(len(text)), j,
			(*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &size, &count)
		if st == C.AIRLOG_BUFFER_TOO_SMALL {
			buf = make([]byte, int(size))
			continue
		}
		if st != C.AIRLOG_OK {
			return text, 0, errorOf(st)
		}
		if count == 0 {
			return text, 0, nil
		}
		return string(buf[:size]), int(count), nil
	}
}
