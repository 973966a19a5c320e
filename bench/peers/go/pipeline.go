package main

import "strings"

// stage is one step a record goes through, in the shape of Alloy's loki.process stages: each
// reads and writes the entry's extracted map.
type stage interface {
	Process(e *Entry)
}

// pipeline is the loki.process chain. Per physical line: the source envelope (stage.cri), ANSI
// removal (stage.replace), then the multiline stage that groups lines into records. A record's
// first line goes through regex → json → templates when it opens (the templates read the first
// line's message and may put the record in traceback mode, which the folding lines need); when
// the record is finished it goes through timestamp → labels to the sink.
type pipeline struct {
	cfg       *config
	source    *rule // the source's envelope, decided on its first line; nil: none
	ansi      replaceStage
	multiline multilineStage
	onOpen    []stage
	onFinish  []stage
	sink      func(*Entry)
}

func newPipeline(cfg *config, sink func(*Entry)) *pipeline {
	p := &pipeline{
		cfg:      cfg,
		ansi:     replaceStage{re: cfg.ansi},
		onOpen:   []stage{regexStage{cfg}, jsonStage{cfg}, templateStage{cfg}},
		onFinish: []stage{timestampStage{cfg}, labelsStage{cfg}},
		sink:     sink,
	}
	p.multiline = multilineStage{cfg: cfg, opened: p.opened, flush: p.finished}
	return p
}

// parse runs every line of text through the pipeline and returns the number of physical lines
// (a last line without "\n" counts).
func (p *pipeline) parse(text string) int {
	n := 0
	for len(text) > 0 {
		var line string
		if end := strings.IndexByte(text, '\n'); end >= 0 {
			line, text = text[:end], text[end+1:]
		} else {
			line, text = text, ""
		}
		n++
		line = strings.TrimSuffix(line, "\r")
		line = strings.TrimLeft(line, "\x00") // NUL runs a rotated file leaves
		if n == 1 {
			p.source = p.detectEnvelope(line)
		}
		var outerTS string
		if p.source != nil {
			line, outerTS = peel(p.source, line)
		}
		coloured := strings.IndexByte(line, 0x1b) >= 0
		if coloured {
			line = p.ansi.Process(line)
		}
		p.multiline.Process(n, line, outerTS, coloured)
	}
	p.multiline.finish()
	return n
}

func (p *pipeline) detectEnvelope(first string) *rule {
	for i := range p.cfg.sourceEnvelopes {
		if p.cfg.sourceEnvelopes[i].re.MatchString(first) {
			return &p.cfg.sourceEnvelopes[i]
		}
	}
	return nil
}

// peel replaces a line the envelope matches by its "line" group and returns the envelope's time
// (a line it does not match is read as it is).
func peel(env *rule, line string) (string, string) {
	m := env.re.FindStringSubmatch(line)
	if m == nil {
		return line, ""
	}
	return envelopeParts(env, m)
}

// envelopeParts picks an envelope match's inner line and time.
func envelopeParts(env *rule, m []string) (inner, outerTS string) {
	for i, name := range env.fields {
		switch name {
		case "line":
			inner = m[i+1]
		case "outer_ts":
			outerTS = m[i+1]
		}
	}
	return inner, outerTS
}

func (p *pipeline) opened(e *Entry) {
	for _, s := range p.onOpen {
		s.Process(e)
	}
}

func (p *pipeline) finished(e *Entry) {
	for _, s := range p.onFinish {
		s.Process(e)
	}
	p.sink(e)
}
