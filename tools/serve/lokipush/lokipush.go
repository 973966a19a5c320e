// Package lokipush reads and writes the body of Loki's push API (POST /loki/api/v1/push): the
// snappy-compressed protobuf that Alloy, Promtail and Grafana Agent send, and the JSON form.
// The wire schema is proto/loki_push.proto (Loki's pkg/push/push.proto field numbers).
package lokipush

import (
	"errors"
	"fmt"
)

// Label is one name/value pair: a stream label or an entry's structured metadata.
type Label struct {
	Name  string
	Value string
}

// Entry is one log line of a stream.
type Entry struct {
	TimeNs   int64 // Unix ns
	Line     string
	Metadata []Label
}

// Stream is a label set and its entries, in order.
type Stream struct {
	Labels  []Label // sorted by name, names unique
	Entries []Entry
}

// Request is one push.
type Request struct {
	Streams []Stream
}

// ErrTooLarge is returned when a body decodes to more than the caller's limit.
var ErrTooLarge = errors.New("decoded body exceeds the size limit")

// Limits bound what one push may hold.
type Limits struct {
	MaxDecodedBytes int // of the decompressed body
}

// ValidLabelName reports whether name is a Prometheus / Loki label name: [a-zA-Z_][a-zA-Z0-9_]*.
func ValidLabelName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9') {
			continue
		}
		return false
	}
	return true
}

// Bytes is the size of a stream's text: labels, lines and metadata (what the buffer accounts).
func (s *Stream) Bytes() int {
	n := 0
	for _, l := range s.Labels {
		n += len(l.Name) + len(l.Value)
	}
	for i := range s.Entries {
		n += len(s.Entries[i].Line) + 16
		for _, m := range s.Entries[i].Metadata {
			n += len(m.Name) + len(m.Value)
		}
	}
	return n
}

func badf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// Equal reports whether two requests hold the same streams, labels, entries and metadata in the
// same order (a nil and an empty list alike): what a decoder must give back for what an encoder
// wrote.
func (r *Request) Equal(o *Request) bool {
	if len(r.Streams) != len(o.Streams) {
		return false
	}
	for i := range r.Streams {
		a, b := &r.Streams[i], &o.Streams[i]
		if !equalLabels(a.Labels, b.Labels) || len(a.Entries) != len(b.Entries) {
			return false
		}
		for j := range a.Entries {
			x, y := &a.Entries[j], &b.Entries[j]
			if x.TimeNs != y.TimeNs || x.Line != y.Line || !equalLabels(x.Metadata, y.Metadata) {
				return false
			}
		}
	}
	return true
}

func equalLabels(a, b []Label) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
