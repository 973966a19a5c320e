package gateway

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	airlog "github.com/airlog/airlog/bindings/go"
	"github.com/airlog/airlog/tools/serve/lokipush"
)

// outEntry is one entry on its way to the store, with what the checkpoint needs.
type outEntry struct {
	tenant     string
	labels     []lokipush.Label // sorted
	labelsText string           // labels in Prometheus text form: the batch stream's key
	entry      lokipush.Entry
	streamKey  string // the incoming stream
	lastID     uint64 // its last line
	bytes      int64  // admitted bytes its delivery releases
	marker     bool   // no entry: only moves the checkpoint past lines no event holds
	severity   airlog.Level
}

// build appends the entries of one event: normally one; a line past Loki's max_line_size is
// sent in parts (metadata airlog_part="i/n"), never cut.
func (g *Gateway) build(dst []outEntry, w *worker, s *stream, ev *airlog.Event, lines []line, carry int64) []outEntry {
	var err error
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
		b, err := airlog.AppendJSON(w.text[:0], *ev)
		if err != nil {
			b = append(b[:0], s.original(lines, ev.HasIngestTime)...)
		}
		w.text = b
		text = strings.TrimSuffix(string(b), "\n")
	} else {
		text = s.original(lines, ev.HasIngestTime)
	}

	ts := lines[0].ts
	if ev.HasTime {
		ts = ev.TimeNs
	}

	// Labels: incoming + static + airlog's, when they fit the budget; else airlog's go to metadata.
	var ok bool
	if w.fields, ok = ev.AppendLokiFields(w.fields[:0]); !ok { // rendered with the event (SetLokiFields)
		if w.fields, err = w.renderer.AppendLokiFields(w.fields[:0], ev, g.cfg.MaxMetadataLen); err != nil {
			g.log.Printf("stream %s: fields of event at line %d: %v", s.key, ev.Line, err)
		}
	}
	fields := w.fields
	if g.cfg.OTLPURL != "" {
		rememberOTelNames(fields)
	}
	extra := w.extra[:0]
	for _, name := range g.cfg.LabelFields {
		if labelValue(s.baseLabels, name) != "" {
			continue // the sender's own label of that name stays
		}
		for _, f := range fields {
			if f.Name == name && f.Label {
				extra = append(extra, lokipush.Label{Name: name, Value: f.Value})
			}
		}
	}
	w.extra = extra
	asLabels := len(s.baseLabels)+len(extra) <= g.cfg.LabelBudget
	labels, labelsText := s.baseLabels, s.baseText
	if asLabels && len(extra) > 0 {
		labels, labelsText = s.labelSet(extra)
	} else if !asLabels {
		g.metrics.labelsToMetadata.Add(1)
	}

	// Structured metadata: the incoming entry's, then airlog's fields that are not labels.
	n := len(lines[0].meta)
	for _, f := range fields {
		if f.Metadata {
			n++
		}
	}
	meta := make([]lokipush.Label, len(lines[0].meta), n)
	copy(meta, lines[0].meta)
	for _, f := range fields {
		if !f.Metadata || labelValue(labels, f.Name) != "" {
			continue // never metadata, or a label already
		}
		if g.cfg.LineJSON && !(isIn(extra, f.Name) && !asLabels) {
			continue // the JSON line holds every field; metadata keeps the labels that did not fit
		}
		if len(lines[0].meta) == 0 || labelValue(lines[0].meta, f.Name) == "" {
			meta = append(meta, lokipush.Label{Name: f.Name, Value: f.Value})
		}
	}

	base := outEntry{tenant: s.tenant, labels: labels, labelsText: labelsText, streamKey: s.key, lastID: last, severity: ev.Level}
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

// labelSet is the stream's base labels with airlog's extra ones, sorted, and its text form. A
// stream's events mostly repeat one set (the same component, level, dag_id), so the last one is
// kept and reused.
func (s *stream) labelSet(extra []lokipush.Label) ([]lokipush.Label, string) {
	if len(extra) == len(s.lastExtra) {
		same := true
		for i := range extra {
			same = same && extra[i] == s.lastExtra[i]
		}
		if same {
			return s.lastLabels, s.lastText
		}
	}
	// Copies: the values slice the rendered fields of a whole parser call, which the cache must
	// not keep alive.
	extra = cloneLabels(extra)
	labels := make([]lokipush.Label, 0, len(s.baseLabels)+len(extra))
	labels = append(labels, s.baseLabels...)
	for _, e := range extra { // insertion keeps the order: the sets are a few labels
		i := len(labels)
		labels = append(labels, e)
		for i > 0 && labels[i-1].Name > e.Name {
			labels[i] = labels[i-1]
			i--
		}
		labels[i] = e
	}
	s.lastExtra = append(s.lastExtra[:0], extra...)
	s.lastLabels, s.lastText = labels, string(lokipush.AppendLabels(nil, labels))
	return s.lastLabels, s.lastText
}

// original is the text of an event's lines as sent (joinOriginal), its secrets masked when the
// parser found some in this stream's events being emitted (stream.masking).
func (s *stream) original(lines []line, enveloped bool) string {
	text := joinOriginal(lines, enveloped)
	if !s.masking {
		return text
	}
	// A JSON line (Airflow 3) is masked as a JSON object, so a bare value stays valid JSON.
	json := strings.HasPrefix(text, "{") && strings.HasSuffix(text, "}")
	masked, _, err := airlog.RedactText(text, json)
	if err != nil {
		return "***" // fail closed: a secret is known to be there
	}
	return masked
}

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
