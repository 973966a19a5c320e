package lokipush

import (
	"math"
	"unicode/utf8"
	"unsafe"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/s2"
	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of proto/loki_push.proto.
const (
	fieldStreams   = 1 // PushRequest.streams
	fieldLabels    = 1 // StreamAdapter.labels
	fieldEntries   = 2 // StreamAdapter.entries
	fieldTimestamp = 1 // EntryAdapter.timestamp
	fieldLine      = 2 // EntryAdapter.line
	fieldMetadata  = 3 // EntryAdapter.structuredMetadata
	fieldPairName  = 1 // LabelPairAdapter.name
	fieldPairValue = 2 // LabelPairAdapter.value
	fieldSeconds   = 1 // google.protobuf.Timestamp.seconds
	fieldNanos     = 2 // google.protobuf.Timestamp.nanos
	// The latest time whose nanoseconds fit Entry.TimeNs (an int64: 2262-04-11T23:47:16.854775807Z);
	// a later one would wrap negative. (Protobuf's Timestamp goes to 9999; no log line is from then.)
	maxTimestampSecond = math.MaxInt64 / 1000000000
	maxTimestampNanos  = math.MaxInt64 % 1000000000 // within maxTimestampSecond
)

// DecodeSnappyProto decodes a snappy-compressed PushRequest. The decompressed size is checked
// against the limit before anything is allocated for it (a snappy bomb costs nothing).
func DecodeSnappyProto(body []byte, lim Limits) (*Request, error) {
	n, err := snappy.DecodedLen(body)
	if err != nil {
		return nil, badf("snappy: %v", err)
	}
	if lim.MaxDecodedBytes > 0 && n > lim.MaxDecodedBytes {
		return nil, ErrTooLarge
	}
	raw, err := snappy.Decode(make([]byte, n), body)
	if err != nil {
		return nil, badf("snappy: %v", err)
	}
	if len(raw) == 0 {
		return &Request{}, nil
	}
	// raw is ours and never written again: the strings of the request can be slices of it as is.
	return decodeProto(unsafe.String(&raw[0], len(raw)))
}

// DecodeProto decodes an uncompressed PushRequest. Every string of the result is a slice of one
// copy of raw (one allocation per push, not per line).
func DecodeProto(raw []byte) (*Request, error) { return decodeProto(string(raw)) }

func decodeProto(text string) (*Request, error) {
	raw := text
	d := decoder{text: text}
	req := &Request{}
	err := d.message(0, len(raw), func(num protowire.Number, typ protowire.Type, start, end int) error {
		if num != fieldStreams {
			return nil
		}
		if typ != protowire.BytesType {
			return badf("protobuf: streams field has wire type %d", typ)
		}
		s, err := d.stream(start, end)
		if err != nil {
			return err
		}
		req.Streams = append(req.Streams, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}

type decoder struct{ text string }

// message walks the fields of the message at text[start:end]; for length-delimited fields the
// callback gets the payload's bounds, for others start == end.
func (d *decoder) message(start, end int, field func(protowire.Number, protowire.Type, int, int) error) error {
	b := d.text[start:end]
	off := start
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag([]byte(b[:min(len(b), 10)]))
		if n < 0 {
			return badf("protobuf: bad field tag at byte %d", off)
		}
		b, off = b[n:], off+n
		var size int
		payload := off
		if typ == protowire.BytesType {
			l, m := protowire.ConsumeVarint([]byte(b[:min(len(b), 10)]))
			if m < 0 || l > uint64(len(b)-m) {
				return badf("protobuf: truncated field %d at byte %d", num, off)
			}
			payload = off + m
			size = m + int(l)
		} else {
			size = consumeScalar(typ, b)
			if size < 0 {
				return badf("protobuf: truncated field %d at byte %d", num, off)
			}
		}
		var err error
		if typ == protowire.BytesType {
			err = field(num, typ, payload, off+size)
		} else {
			err = field(num, typ, off, off)
		}
		if err != nil {
			return err
		}
		b, off = b[size:], off+size
	}
	return nil
}

func consumeScalar(typ protowire.Type, b string) int {
	switch typ {
	case protowire.VarintType:
		_, n := protowire.ConsumeVarint([]byte(b[:min(len(b), 10)]))
		return n
	case protowire.Fixed32Type:
		if len(b) < 4 {
			return -1
		}
		return 4
	case protowire.Fixed64Type:
		if len(b) < 8 {
			return -1
		}
		return 8
	}
	return -1 // groups are not part of this schema
}

func (d *decoder) varintAt(off int) uint64 {
	v, _ := protowire.ConsumeVarint([]byte(d.text[off:min(len(d.text), off+10)]))
	return v
}

func (d *decoder) stream(start, end int) (Stream, error) {
	var s Stream
	var labels string
	seen := false
	err := d.message(start, end, func(num protowire.Number, typ protowire.Type, a, b int) error {
		switch {
		case num == fieldLabels && typ == protowire.BytesType:
			labels, seen = d.text[a:b], true
		case num == fieldEntries && typ == protowire.BytesType:
			e, err := d.entry(a, b)
			if err != nil {
				return err
			}
			s.Entries = append(s.Entries, e)
		}
		return nil
	})
	if err != nil {
		return s, err
	}
	if !seen {
		return s, badf("stream without labels")
	}
	s.Labels, err = ParseLabels(labels)
	return s, err
}

func (d *decoder) entry(start, end int) (Entry, error) {
	var e Entry
	err := d.message(start, end, func(num protowire.Number, typ protowire.Type, a, b int) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case fieldTimestamp:
			var sec, nanos int64
			err := d.message(a, b, func(n protowire.Number, t protowire.Type, x, _ int) error {
				if t != protowire.VarintType {
					return nil
				}
				switch n {
				case fieldSeconds:
					sec = int64(d.varintAt(x))
				case fieldNanos:
					nanos = int64(int32(d.varintAt(x)))
				}
				return nil
			})
			if err != nil {
				return err
			}
			if sec < 0 || sec > maxTimestampSecond || nanos < 0 || nanos > 999999999 ||
				(sec == maxTimestampSecond && nanos > maxTimestampNanos) {
				return badf("entry timestamp out of range")
			}
			e.TimeNs = sec*1e9 + nanos
		case fieldLine:
			e.Line = d.text[a:b]
		case fieldMetadata:
			var l Label
			err := d.message(a, b, func(n protowire.Number, t protowire.Type, x, y int) error {
				if t == protowire.BytesType && n == fieldPairName {
					l.Name = d.text[x:y]
				} else if t == protowire.BytesType && n == fieldPairValue {
					l.Value = d.text[x:y]
				}
				return nil
			})
			if err != nil {
				return err
			}
			if l.Name == "" || !utf8.ValidString(l.Name) {
				return badf("structured metadata with an empty or invalid name")
			}
			e.Metadata = append(e.Metadata, l)
		}
		return nil
	})
	return e, err
}

// Encoder writes PushRequests as snappy-compressed protobuf, reusing its buffers.
type Encoder struct {
	raw, out, labels []byte
}

// AppendStream writes one StreamAdapter to the request being built; call Finish for the body.
// labelsText is the stream's label set in Prometheus text form (AppendLabels).
func (e *Encoder) AppendStream(labelsText []byte, entries []Entry) {
	size := protowire.SizeTag(fieldLabels) + protowire.SizeBytes(len(labelsText))
	for i := range entries {
		n := entrySize(&entries[i])
		size += protowire.SizeTag(fieldEntries) + protowire.SizeBytes(n)
	}
	b := e.raw
	b = protowire.AppendTag(b, fieldStreams, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(size))
	b = protowire.AppendTag(b, fieldLabels, protowire.BytesType)
	b = protowire.AppendBytes(b, labelsText)
	for i := range entries {
		en := &entries[i]
		b = protowire.AppendTag(b, fieldEntries, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(entrySize(en)))
		b = appendEntry(b, en)
	}
	e.raw = b
}

// Finish compresses the request built so far into a body (valid until the next call) and starts
// the next request.
func (e *Encoder) Finish() []byte {
	// s2's snappy-compatible encoder: the same block format as Loki's snappy, faster to write.
	e.out = s2.EncodeSnappy(e.out[:cap(e.out)], e.raw)
	e.raw = e.raw[:0]
	return e.out
}

// RawSize is the uncompressed size of the request built so far.
func (e *Encoder) RawSize() int { return len(e.raw) }

// EncodeSnappyProto is the one-shot form: req as a snappy-compressed protobuf body.
func EncodeSnappyProto(req *Request) []byte {
	var e Encoder
	for i := range req.Streams {
		e.AppendStream(AppendLabels(nil, req.Streams[i].Labels), req.Streams[i].Entries)
	}
	return append([]byte(nil), e.Finish()...)
}

func timestampSize(ns int64) int {
	sec, nanos := floorDiv(ns)
	n := 0
	if sec != 0 {
		n += protowire.SizeTag(fieldSeconds) + protowire.SizeVarint(uint64(sec))
	}
	if nanos != 0 {
		n += protowire.SizeTag(fieldNanos) + protowire.SizeVarint(uint64(nanos))
	}
	return n
}

func floorDiv(ns int64) (int64, int64) {
	sec, nanos := ns/1e9, ns%1e9
	if nanos < 0 {
		sec, nanos = sec-1, nanos+1e9
	}
	return sec, nanos
}

func pairSize(l *Label) int {
	return protowire.SizeTag(fieldPairName) + protowire.SizeBytes(len(l.Name)) +
		protowire.SizeTag(fieldPairValue) + protowire.SizeBytes(len(l.Value))
}

func entrySize(en *Entry) int {
	n := protowire.SizeTag(fieldTimestamp) + protowire.SizeBytes(timestampSize(en.TimeNs)) +
		protowire.SizeTag(fieldLine) + protowire.SizeBytes(len(en.Line))
	for i := range en.Metadata {
		n += protowire.SizeTag(fieldMetadata) + protowire.SizeBytes(pairSize(&en.Metadata[i]))
	}
	return n
}

func appendEntry(b []byte, en *Entry) []byte {
	b = protowire.AppendTag(b, fieldTimestamp, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(timestampSize(en.TimeNs)))
	sec, nanos := floorDiv(en.TimeNs)
	if sec != 0 {
		b = protowire.AppendTag(b, fieldSeconds, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(sec))
	}
	if nanos != 0 {
		b = protowire.AppendTag(b, fieldNanos, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(nanos))
	}
	b = protowire.AppendTag(b, fieldLine, protowire.BytesType)
	b = protowire.AppendString(b, en.Line)
	for i := range en.Metadata {
		m := &en.Metadata[i]
		b = protowire.AppendTag(b, fieldMetadata, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(pairSize(m)))
		b = protowire.AppendTag(b, fieldPairName, protowire.BytesType)
		b = protowire.AppendString(b, m.Name)
		b = protowire.AppendTag(b, fieldPairValue, protowire.BytesType)
		b = protowire.AppendString(b, m.Value)
	}
	return b
}
