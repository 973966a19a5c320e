package gateway

import (
	"hash/maphash"
	"time"

	"github.com/airlog/airlog/tools/serve/lokipush"
)

// retried recognises entries a sender pushes again: a Loki client whose answer was lost (a
// timeout, airlog restarted) sends the same batch again, entries with the same timestamps and
// lines. Like Loki, which keeps one of identical (stream, timestamp, line) entries, airlog keeps
// the first: per stream it remembers the entries of the last two pushes that carried it (an agent
// has one batch in flight per endpoint and retries it before sending the next). Lines repeated
// with new timestamps are new lines; the event duplicate filter judges those.
type retried struct {
	streams   map[string]*recentEntries
	lastSweep time.Time
}

type recentEntries struct {
	sets     [2]map[uint64]struct{} // [0]: the stream's last push, [1]: the one before
	lastSeen time.Time
}

var entrySeed = maphash.MakeSeed()

func entryHash(e *lokipush.Entry) uint64 {
	return maphash.String(entrySeed, e.Line) ^ uint64(e.TimeNs)*0x9e3779b97f4a7c15
}

func newRetried() *retried { return &retried{streams: map[string]*recentEntries{}} }

// filter returns the stream's entries not seen in its last two pushes (dst reused). It changes
// nothing: a push refused after this (429) must not make its retry look like a repeat.
func (r *retried) filter(key string, entries []lokipush.Entry) (kept []lokipush.Entry, dropped int) {
	rs := r.streams[key]
	if rs == nil {
		return entries, 0
	}
	seen := func(h uint64) bool {
		for _, set := range rs.sets {
			if _, ok := set[h]; ok {
				return true
			}
		}
		return false
	}
	first := -1
	for i := range entries {
		if seen(entryHash(&entries[i])) {
			first = i
			break
		}
	}
	if first < 0 {
		return entries, 0
	}
	kept = append([]lokipush.Entry(nil), entries[:first]...)
	for i := first; i < len(entries); i++ {
		if !seen(entryHash(&entries[i])) {
			kept = append(kept, entries[i])
		}
	}
	return kept, len(entries) - len(kept)
}

// remember records an accepted push's entries of one stream (all of them, repeats included).
func (r *retried) remember(key string, entries []lokipush.Entry, now time.Time) {
	rs := r.streams[key]
	if rs == nil {
		rs = &recentEntries{}
		r.streams[key] = rs
	}
	rs.lastSeen = now
	set := make(map[uint64]struct{}, len(entries))
	for i := range entries {
		set[entryHash(&entries[i])] = struct{}{}
	}
	rs.sets[1], rs.sets[0] = rs.sets[0], set
}

// sweep forgets streams silent for longer than idle (at most once a minute).
func (r *retried) sweep(now time.Time, idle time.Duration) {
	if now.Sub(r.lastSweep) < time.Minute {
		return
	}
	r.lastSweep = now
	for k, rs := range r.streams {
		if now.Sub(rs.lastSeen) > idle {
			delete(r.streams, k)
		}
	}
}
