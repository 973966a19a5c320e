package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// patternFile is bench/peers/patterns.json as written: the one agent configuration every peer
// runs (bench/peers/README.md describes each key).
type patternFile struct {
	Levels           map[string]string `json:"levels"`
	States           []string          `json:"states"`
	StateAliases     map[string]string `json:"state_aliases"`
	Envelopes        []patternRow      `json:"envelopes"`
	ANSI             string            `json:"ansi"`
	Layouts          []patternRow      `json:"layouts"`
	JSONKeys         orderedMap        `json:"json_keys"`
	ConsoleKV        string            `json:"console_kv"`
	ConsoleKeys      map[string]string `json:"console_keys"`
	HTTPAccessLogger string            `json:"http_access_logger"`
	Templates        []patternRow      `json:"templates"`
	TracebackStart   string            `json:"traceback_start"`
	ExceptionLine    string            `json:"exception_line"`
}

// patternRow is one envelope, layout or template: fields[i] names capture group i+1 (null: unused).
type patternRow struct {
	Name      string            `json:"name"`  // envelope
	Scope     string            `json:"scope"` // envelope: "source" or "line"
	Format    string            `json:"format"`
	Event     *string           `json:"event"` // template; null: it names no event
	Regex     string            `json:"regex"`
	Fields    []*string         `json:"fields"`
	Set       map[string]string `json:"set"`
	Nested    bool              `json:"nested"`
	Foldable  *bool             `json:"foldable"`
	Continues bool              `json:"continues"`
	Needs     string            `json:"needs"`
	Traceback bool              `json:"traceback"`
}

// keyValue is one entry of a JSON object whose order matters.
type keyValue struct{ key, value string }

// orderedMap keeps a JSON object's entries in the order written: json_keys is applied in that
// order, so that two keys filling one field resolve the same way in every peer.
type orderedMap []keyValue

func (m *orderedMap) UnmarshalJSON(raw []byte) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("json_keys: not an object")
	}
	for d.More() {
		k, err := d.Token()
		if err != nil {
			return err
		}
		var v string
		if err := d.Decode(&v); err != nil {
			return err
		}
		*m = append(*m, keyValue{k.(string), v})
	}
	return nil
}

// rule is a compiled row: the regex and, per capture group, the field it fills ("" for none).
type rule struct {
	patternRow
	re       *regexp.Regexp
	fields   []string
	foldable bool
	levelAt  int // capture group holding the level (layouts); 0: none
	stateAt  int // capture group holding the state (templates); 0: none
}

// config is the compiled configuration, shared by the pipeline's stages.
type config struct {
	levels           map[string]string
	states           map[string]string // lower-cased spelling → airlog's state name
	sourceEnvelopes  []rule
	lineEnvelopes    []rule
	ansi             *regexp.Regexp
	layouts          []rule
	jsonKeys         orderedMap
	consoleKV        *regexp.Regexp
	consoleKeys      map[string]string
	httpAccessLogger string
	templates        []rule
	tracebackStart   *regexp.Regexp
	exceptionLine    *regexp.Regexp
}

func loadConfig(path string) (*config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f patternFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := &config{levels: f.Levels, states: map[string]string{}, jsonKeys: f.JSONKeys,
		consoleKeys: f.ConsoleKeys, httpAccessLogger: f.HTTPAccessLogger}
	for _, s := range f.States {
		c.states[s] = s
	}
	for alias, s := range f.StateAliases {
		c.states[strings.ToLower(alias)] = s
	}
	for _, row := range f.Envelopes {
		r, err := compileRow(row, true, row.Name)
		if err != nil {
			return nil, err
		}
		if row.Scope == "source" {
			c.sourceEnvelopes = append(c.sourceEnvelopes, r)
		} else {
			c.lineEnvelopes = append(c.lineEnvelopes, r)
		}
	}
	for _, row := range f.Layouts {
		r, err := compileRow(row, true, row.Format)
		if err != nil {
			return nil, err
		}
		c.layouts = append(c.layouts, r)
	}
	for i, row := range f.Templates {
		r, err := compileRow(row, false, fmt.Sprintf("template %d", i))
		if err != nil {
			return nil, err
		}
		c.templates = append(c.templates, r)
	}
	// ansi and console_kv are searched, traceback_start is matched at the start of a line,
	// exception_line against the whole line.
	if c.ansi, err = regexp.Compile(f.ANSI); err != nil {
		return nil, err
	}
	if c.consoleKV, err = regexp.Compile(f.ConsoleKV); err != nil {
		return nil, err
	}
	if c.tracebackStart, err = regexp.Compile(`^(?:` + f.TracebackStart + `)`); err != nil {
		return nil, err
	}
	if c.exceptionLine, err = regexp.Compile(`^(?:` + f.ExceptionLine + `)$`); err != nil {
		return nil, err
	}
	return c, nil
}

// compileRow compiles a row's regex, anchored at both ends when it must match the whole text.
func compileRow(row patternRow, whole bool, label string) (rule, error) {
	pattern := row.Regex
	if whole {
		pattern = `^(?:` + pattern + `)$`
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return rule{}, fmt.Errorf("%s: %w", label, err)
	}
	r := rule{patternRow: row, re: re, fields: make([]string, re.NumSubexp()), foldable: true}
	if row.Foldable != nil {
		r.foldable = *row.Foldable
	}
	for i, name := range row.Fields {
		if i >= len(r.fields) || name == nil {
			continue
		}
		r.fields[i] = *name
		if *name == "level" && r.levelAt == 0 {
			r.levelAt = i + 1
		}
		if *name == "state" && r.stateAt == 0 {
			r.stateAt = i + 1
		}
	}
	return r, nil
}
