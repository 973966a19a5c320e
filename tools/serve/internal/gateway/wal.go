package gateway

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/airlog/airlog/tools/serve/lokipush"
)

// wal is --buffer-dir: every accepted push is appended (and synced) before it is acknowledged,
// and the delivery checkpoint records, per incoming stream, the last line ID the store has. On
// start the segments are read again and every line past its stream's checkpoint is parsed anew,
// so a crash loses nothing acknowledged and repeats nothing delivered but the batch that was in
// flight: the store may have taken it without the answer reaching us, so it is sent again. Its
// marks are noted before each post (file "inflight"), so a restart says how many replayed lines
// are in doubt — Loki drops such a resend as duplicates (same stream, timestamp and line).
//
// Files: wal-<first line ID, 16 hex>.seg (records: u32 length, u32 CRC-32C, payload),
// checkpoint (lines "<ID hex> <quoted stream key>", appended; rewritten when segments go) and
// inflight (the same lines for the batch being posted; overwritten, never synced: it only
// counts, and a SIGKILL keeps what the kernel has).
type wal struct {
	dir string

	mu      sync.Mutex // the active segment
	f       *os.File
	w       *bufio.Writer
	written int64 // records written since start (a counter, for the group commit)
	segs    []*segment
	rec     []byte

	syncMu sync.Mutex // group commit: one fsync covers every record written before it
	synced int64

	ckMu  sync.Mutex
	ck    *os.File
	marks map[string]uint64
	ckBuf []byte

	inflight      *os.File
	inflightMarks map[string]uint64 // as found at start: the batch in flight at the crash
	ifBuf         []byte
}

type segment struct {
	path        string
	size        int64
	last        uint64
	streams     map[string]uint64 // stream key -> last line ID in this segment
	firstRecord int64             // value of `written` when the segment began
}

const segmentBytes = 64 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func openWAL(dir string) (*wal, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	w := &wal{dir: dir, marks: map[string]uint64{}, inflightMarks: map[string]uint64{}}
	if err := w.loadCheckpoint(); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, "inflight")
	if err := readMarks(p, w.inflightMarks); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	w.inflight = f
	return w, nil
}

// sending notes the marks of the batch about to be posted (see the type's comment).
func (w *wal) sending(marks map[string]uint64) error {
	w.ifBuf = appendMarks(w.ifBuf[:0], marks)
	if _, err := w.inflight.WriteAt(w.ifBuf, 0); err != nil {
		return err
	}
	return w.inflight.Truncate(int64(len(w.ifBuf)))
}

// inDoubt is how many of a stream's replayed lines, from..to, the batch in flight at the crash held.
func (w *wal) inDoubt(key string, from, to uint64) uint64 {
	if last := min(w.inflightMarks[key], to); last >= from {
		return last - from + 1
	}
	return 0
}

// replay calls fn for every record of every segment, oldest first, and returns the next free
// line ID. A torn record at a segment's end (a crash mid-write) ends that segment.
func (w *wal) replay(fn func(tenant string, streams []lokipush.Stream, firstID uint64)) (uint64, error) {
	paths, _ := filepath.Glob(filepath.Join(w.dir, "wal-*.seg"))
	sort.Strings(paths)
	next := uint64(1)
	for _, p := range paths {
		seg := &segment{path: p, streams: map[string]uint64{}}
		data, err := os.ReadFile(p)
		if err != nil {
			return 0, err
		}
		off := 0
		for off+8 <= len(data) {
			n := int(binary.LittleEndian.Uint32(data[off:]))
			sum := binary.LittleEndian.Uint32(data[off+4:])
			if off+8+n > len(data) || crc32.Checksum(data[off+8:off+8+n], castagnoli) != sum {
				break
			}
			tenant, streams, first, err := decodeRecord(data[off+8 : off+8+n])
			if err != nil {
				break
			}
			id := first
			for i := range streams {
				id += physicalLines(&streams[i])
				seg.streams[streamKey(tenant, streams[i].Labels)] = id - 1
			}
			seg.last = id - 1
			next = max(next, id)
			fn(tenant, streams, first)
			off += 8 + n
		}
		if off < len(data) {
			if err := os.Truncate(p, int64(off)); err != nil {
				return 0, err
			}
		}
		seg.size = int64(off)
		w.segs = append(w.segs, seg)
	}
	return next, nil
}

// append writes one accepted push; commit(ticket) makes it durable.
func (w *wal) append(tenant string, streams []lokipush.Stream, keys []string, lines []uint64, firstID uint64) (int64,
	error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rec = encodeRecord(w.rec[:0], tenant, streams, firstID)
	if w.f == nil || w.segs[len(w.segs)-1].size >= segmentBytes {
		if err := w.rollLocked(firstID); err != nil {
			return 0, err
		}
	}
	seg := w.segs[len(w.segs)-1]
	var hdr [8]byte
	binary.LittleEndian.PutUint32(hdr[:], uint32(len(w.rec)))
	binary.LittleEndian.PutUint32(hdr[4:], crc32.Checksum(w.rec, castagnoli))
	_, err1 := w.w.Write(hdr[:])
	if _, err := w.w.Write(w.rec); err != nil || err1 != nil {
		// The segment may now end in a torn record, and replay stops at one: what follows goes
		// to a new segment.
		w.f.Close()
		w.f = nil
		return 0, errors.Join(err1, err)
	}
	seg.size += int64(len(w.rec)) + 8
	id := firstID
	for i := range streams {
		id += lines[i]
		seg.streams[keys[i]] = id - 1
	}
	seg.last = id - 1
	w.written++
	return w.written, nil
}

func (w *wal) rollLocked(firstID uint64) error {
	if w.f != nil && w.w != nil {
		if err := w.w.Flush(); err != nil {
			return err
		}
		if err := w.f.Sync(); err != nil {
			return err
		}
		w.f.Close()
	}
	p := filepath.Join(w.dir, fmt.Sprintf("wal-%016x.seg", firstID))
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	w.f, w.w = f, bufio.NewWriterSize(f, 1<<20)
	w.segs = append(w.segs, &segment{path: p, streams: map[string]uint64{}, firstRecord: w.written})
	return syncDir(w.dir)
}

// commit returns once record `ticket` is on disk.
func (w *wal) commit(ticket int64) error {
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	if w.synced >= ticket {
		return nil
	}
	w.mu.Lock()
	if w.f == nil { // a write failed: what was buffered for that segment is not on disk
		w.mu.Unlock()
		return errors.New("a write to the buffer directory failed")
	}
	err := w.w.Flush()
	upTo, f := w.written, w.f
	w.mu.Unlock()
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	w.synced = upTo
	return nil
}

// delivered records the checkpoint of a delivered batch, then drops the segments whose every
// line is behind it.
func (w *wal) delivered(marks map[string]uint64) error {
	w.ckMu.Lock()
	defer w.ckMu.Unlock()
	w.ckBuf = w.ckBuf[:0]
	for k, id := range marks {
		if id > w.marks[k] {
			w.marks[k] = id
			w.ckBuf = appendMark(w.ckBuf, k, id)
		}
	}
	if len(w.ckBuf) > 0 {
		if _, err := w.ck.Write(w.ckBuf); err != nil {
			return err
		}
		if err := w.ck.Sync(); err != nil {
			return err
		}
	}
	return w.collect()
}

// collect removes fully delivered segments other than the active one, oldest first.
func (w *wal) collect() error {
	w.mu.Lock()
	removed := 0
	for len(w.segs)-removed > 1 {
		seg := w.segs[removed]
		done := true
		for k, last := range seg.streams {
			if w.marks[k] < last {
				done = false
				break
			}
		}
		if !done {
			break
		}
		if err := os.Remove(seg.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			w.mu.Unlock()
			return err
		}
		removed++
	}
	w.segs = w.segs[removed:]
	live := map[string]bool{}
	for _, s := range w.segs {
		for k := range s.streams {
			live[k] = true
		}
	}
	w.mu.Unlock()
	if removed == 0 {
		return nil
	}
	for k := range w.marks {
		if !live[k] {
			delete(w.marks, k)
		}
	}
	return w.rewriteCheckpoint()
}

func (w *wal) loadCheckpoint() error {
	if err := readMarks(filepath.Join(w.dir, "checkpoint"), w.marks); err != nil {
		return err
	}
	return w.rewriteCheckpoint()
}

// readMarks reads "<ID hex> <quoted stream key>" lines into marks (the highest ID per key); a
// missing file is empty, a torn last line is skipped.
func readMarks(path string, marks map[string]uint64) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		hex, quoted, ok := strings.Cut(sc.Text(), " ")
		id, err1 := strconv.ParseUint(hex, 16, 64)
		key, err2 := strconv.Unquote(quoted)
		if !ok || err1 != nil || err2 != nil {
			continue
		}
		marks[key] = max(marks[key], id)
	}
	return sc.Err()
}

func appendMark(b []byte, key string, id uint64) []byte {
	b = strconv.AppendUint(b, id, 16)
	b = append(b, ' ')
	b = strconv.AppendQuote(b, key)
	return append(b, '\n')
}

func appendMarks(b []byte, marks map[string]uint64) []byte {
	for k, id := range marks {
		b = appendMark(b, k, id)
	}
	return b
}

// rewriteCheckpoint writes the marks afresh (temporary file, sync, rename) and appends from there.
func (w *wal) rewriteCheckpoint() error {
	p := filepath.Join(w.dir, "checkpoint")
	tmp := p + ".tmp"
	if err := writeSynced(tmp, appendMarks(nil, w.marks)); err != nil {
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		return err
	}
	if w.ck != nil {
		w.ck.Close()
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	w.ck = f
	return syncDir(w.dir)
}

func (w *wal) mark(key string) uint64 {
	w.ckMu.Lock()
	defer w.ckMu.Unlock()
	return w.marks[key]
}

func (w *wal) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var err error
	if w.f != nil {
		err = errors.Join(w.w.Flush(), w.f.Sync(), w.f.Close())
		w.f = nil
	}
	if w.ck != nil {
		err = errors.Join(err, w.ck.Close())
	}
	if w.inflight != nil {
		err = errors.Join(err, w.inflight.Close())
	}
	return err
}

func writeSynced(path string, b []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	return errors.Join(err, f.Sync(), f.Close())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ---- record encoding ----------------------------------------------------------------------

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func encodeRecord(b []byte, tenant string, streams []lokipush.Stream, firstID uint64) []byte {
	b = binary.AppendUvarint(b, firstID)
	b = appendString(b, tenant)
	b = binary.AppendUvarint(b, uint64(len(streams)))
	for i := range streams {
		s := &streams[i]
		b = binary.AppendUvarint(b, uint64(len(s.Labels)))
		for _, l := range s.Labels {
			b = appendString(b, l.Name)
			b = appendString(b, l.Value)
		}
		b = binary.AppendUvarint(b, uint64(len(s.Entries)))
		for j := range s.Entries {
			e := &s.Entries[j]
			b = binary.AppendVarint(b, e.TimeNs)
			b = appendString(b, e.Line)
			b = binary.AppendUvarint(b, uint64(len(e.Metadata)))
			for _, m := range e.Metadata {
				b = appendString(b, m.Name)
				b = appendString(b, m.Value)
			}
		}
	}
	return b
}

type recordReader struct {
	b   []byte
	s   string // one copy of the record: strings are slices of it
	off int
	err error
}

func (r *recordReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.err = io.ErrUnexpectedEOF
		return 0
	}
	r.off += n
	return v
}

func (r *recordReader) varint() int64 {
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.err = io.ErrUnexpectedEOF
		return 0
	}
	r.off += n
	return v
}

func (r *recordReader) str() string {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)-r.off) {
		r.err = io.ErrUnexpectedEOF
		return ""
	}
	s := r.s[r.off : r.off+int(n)]
	r.off += int(n)
	return s
}

func decodeRecord(b []byte) (string, []lokipush.Stream, uint64, error) {
	r := &recordReader{b: b, s: string(b)}
	first := r.uvarint()
	tenant := r.str()
	ns := r.uvarint()
	if r.err != nil || ns > uint64(len(b)) {
		return "", nil, 0, io.ErrUnexpectedEOF
	}
	streams := make([]lokipush.Stream, ns)
	for i := range streams {
		nl := r.uvarint()
		for j := uint64(0); j < nl && r.err == nil; j++ {
			streams[i].Labels = append(streams[i].Labels, lokipush.Label{Name: r.str(), Value: r.str()})
		}
		ne := r.uvarint()
		if r.err != nil || ne > uint64(len(b)) {
			return "", nil, 0, io.ErrUnexpectedEOF
		}
		streams[i].Entries = make([]lokipush.Entry, ne)
		for j := range streams[i].Entries {
			e := &streams[i].Entries[j]
			e.TimeNs = r.varint()
			e.Line = r.str()
			nm := r.uvarint()
			for k := uint64(0); k < nm && r.err == nil; k++ {
				e.Metadata = append(e.Metadata, lokipush.Label{Name: r.str(), Value: r.str()})
			}
		}
	}
	return tenant, streams, first, r.err
}

// streamKey is an incoming stream's identity: its tenant and label set.
func streamKey(tenant string, labels []lokipush.Label) string {
	return tenant + "\n" + lokipush.FormatLabels(labels)
}
