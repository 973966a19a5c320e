package gateway

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	airlog "github.com/airlog/airlog/bindings/go"
	"github.com/airlog/airlog/tools/serve/lokipush"
)

// outEntry is one entry on its way to the store, with what the checkpoint needs.
type outEntry struct {
	tenant    string
	labels    []lokipush.Label // sorted
	entry     lokipush.Entry
	streamKey string // the incoming stream
	lastID    uint64 // its last line
	bytes     int64  // admitted bytes its delivery releases
	marker    bool   // no entry: only moves the checkpoint past lines no event holds
	severity  airlog.Level
}

// build appends the entries of one event: normally one; a line past Loki's max_line_size is
// sent in parts (metadata airlog_part="i/n"), never cut.
func (g *Gateway) build(dst []outEntry, s *stream, ev *airlog.Event, lines []line, fr *airlog.FieldRenderer,
	scratch *[]byte, carry int64) []outEntry {
	var bytes int64 = carry
	for _, l := range lines {
		bytes += l.bytes
	}
	if len(lines) == 0 {
		return dst
	}
	last := lines[len(lines)-1].id

	// The line: the original text, envelope removed, or the contract's JSON line.
	var text string
	if g.cfg.LineJSON {
		b, err := airlog.AppendJSON((*scratch)[:0], *ev)
		if err != nil {
			b = append(b[:0], joinOriginal(lines, ev.HasIngestTime)...)
		}
		*scratch = b
		text = strings.TrimSuffix(string(b), "\n")
	} else {
		text = joinOriginal(lines, ev.HasIngestTime)
	}
	ts := lines[0].ts
	if ev.HasTime {
		ts = ev.TimeNs
	}

	// Labels: incoming + static + airlog's, when they fit the budget; else airlog's go to metadata.
	fields, err := fr.AppendLokiFields(nil, ev, g.cfg.MaxMetadataLen)
	if err != nil {
		g.log.Printf("stream %s: fields of event at line %d: %v", s.key, ev.Line, err)
	}
	if g.cfg.OTLPURL != "" {
		rememberOTelNames(fields)
	}
	labels := make([]lokipush.Label, 0, len(s.labels)+len(g.cfg.StaticLabels)+len(g.cfg.LabelFields))
	labels = append(labels, s.labels...)
	for _, l := range g.cfg.StaticLabels {
		if labelValue(s.labels, l.Name) == "" {
			labels = append(labels, l)
		}
	}
	var extra []lokipush.Label
	for _, name := range g.cfg.LabelFields {
		if labelValue(labels, name) != "" {
			continue // the sender's own label of that name stays
		}
		for _, f := range fields {
			if f.Name == name && f.Label {
				extra = append(extra, lokipush.Label{Name: name, Value: f.Value})
			}
		}
	}
	asLabels := len(labels)+len(extra) <= g.cfg.LabelBudget
	if asLabels {
		labels = append(labels, extra...)
	} else {
		g.metrics.labelsToMetadata.Add(1)
	}
	sort.Slice(labels, func(i, j int) bool { return labels[i].Name < labels[j].Name })

	// Structured metadata: the incoming entry's, then airlog's fields that are not labels.
	meta := append([]lokipush.Label(nil), lines[0].meta...)
	for _, f := range fields {
		if labelValue(labels, f.Name) != "" || !f.Metadata {
			continue // a label already, or a key that is never metadata
		}
		if g.cfg.LineJSON && !isIn(extra, f.Name) {
			continue // the JSON line holds every field; metadata keeps the labels that did not fit
		}
		if labelValue(meta, f.Name) == "" {
			meta = append(meta, lokipush.Label{Name: f.Name, Value: f.Value})
		}
	}

	base := outEntry{tenant: s.tenant, labels: labels, streamKey: s.key, lastID: last, severity: ev.Level}
	if len(text) <= g.cfg.MaxLineSize || g.cfg.MaxLineSize <= 0 {
		e := base
		e.entry = lokipush.Entry{TimeNs: ts, Line: text, Metadata: meta}
		e.bytes = bytes
		return append(dst, e)
	}
	parts := splitUTF8(text, g.cfg.MaxLineSize)
	for i, p := range parts {
		e := base
		m := append(append([]lokipush.Label(nil), meta...),
			lokipush.Label{Name: "airlog_part", Value: strconv.Itoa(i+1) + "/" + strconv.Itoa(len(parts))})
		e.entry = lokipush.Entry{TimeNs: ts, Line: p, Metadata: m}
		if i == len(parts)-1 {
			e.bytes = bytes
		} else {
			e.lastID = 0 // only the last part moves the checkpoint
		}
		dst = append(dst, e)
	}
	return dst
}

func isIn(ls []lokipush.Label, name string) bool { return labelValue(ls, name) != "" }

// joinOriginal is the event's physical lines joined by '\n', without their CRI / Docker envelope.
func joinOriginal(lines []line, enveloped bool) string {
	if len(lines) == 1 && !enveloped {
		return lines[0].text
	}
	n := 0
	for _, l := range lines {
		n += len(l.text) + 1
	}
	var b strings.Builder
	b.Grow(n)
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		t := l.text
		if enveloped {
			t = stripEnvelope(t)
		}
		b.WriteString(t)
	}
	return b.String()
}

// stripEnvelope removes a CRI prefix (`<time> stdout F `) or a Docker json-file wrapper.
func stripEnvelope(t string) string {
	if strings.HasPrefix(t, `{"log":`) {
		var d struct {
			Log string `json:"log"`
		}
		if json.Unmarshal([]byte(t), &d) == nil {
			return strings.TrimSuffix(d.Log, "\n")
		}
		return t
	}
	sp := strings.IndexByte(t, ' ')
	if sp < 0 || sp+9 > len(t) {
		return t
	}
	rest := t[sp+1:]
	for _, ch := range []string{"stdout ", "stderr "} {
		if strings.HasPrefix(rest, ch) && len(rest) >= 9 && (rest[7] == 'F' || rest[7] == 'P') && rest[8] == ' ' {
			return rest[9:]
		}
	}
	return t
}

// splitUTF8 cuts s into parts of at most n bytes on character boundaries.
func splitUTF8(s string, n int) []string {
	var out []string
	for len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 {
			cut = n
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	return append(out, s)
}
