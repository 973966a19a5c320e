package lokipush

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseLabels reads a label set in Prometheus text form, `{name="value", other="v"}`, as Loki's
// protobuf streams carry it. Names must be valid label names and unique; values are Go-style quoted
// strings (Prometheus writes them with strconv.Quote rules). The result is sorted by name.
func ParseLabels(s string) ([]Label, error) {
	p := strings.TrimSpace(s)
	if len(p) < 2 || p[0] != '{' || p[len(p)-1] != '}' {
		return nil, badf("labels %q: not of the form {name=\"value\", …}", clip(s))
	}
	p = strings.TrimSpace(p[1 : len(p)-1])
	var out []Label
	for p != "" {
		eq := strings.IndexByte(p, '=')
		if eq <= 0 {
			return nil, badf("labels %q: expected name=\"value\"", clip(s))
		}
		name := strings.TrimSpace(p[:eq])
		if !ValidLabelName(name) {
			return nil, badf("invalid label name %q", clip(name))
		}
		p = strings.TrimLeft(p[eq+1:], " ")
		if p == "" || p[0] != '"' {
			return nil, badf("label %s: value is not a quoted string", name)
		}
		end := closingQuote(p)
		if end < 0 {
			return nil, badf("label %s: unterminated value", name)
		}
		value, err := strconv.Unquote(p[:end+1])
		if err != nil {
			return nil, badf("label %s: bad value: %v", name, err)
		}
		out = append(out, Label{name, value})
		p = strings.TrimLeft(p[end+1:], " ")
		if p != "" {
			if p[0] != ',' {
				return nil, badf("labels %q: expected ',' after %s", clip(s), name)
			}
			p = strings.TrimLeft(p[1:], " ")
		}
	}
	return SortLabels(out)
}

// SortLabels sorts a label set by name and rejects a repeated name.
func SortLabels(ls []Label) ([]Label, error) {
	sort.Slice(ls, func(i, j int) bool { return ls[i].Name < ls[j].Name })
	for i := 1; i < len(ls); i++ {
		if ls[i].Name == ls[i-1].Name {
			return nil, badf("label %s repeated", ls[i].Name)
		}
	}
	return ls, nil
}

// closingQuote is the index of the quote that ends the string starting at s[0] == '"'; -1 if none.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// AppendLabels writes ls (sorted) in Prometheus text form.
func AppendLabels(dst []byte, ls []Label) []byte {
	dst = append(dst, '{')
	for i, l := range ls {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, l.Name...)
		dst = append(dst, '=')
		if plainValue(l.Value) { // the common case: nothing to escape
			dst = append(dst, '"')
			dst = append(dst, l.Value...)
			dst = append(dst, '"')
		} else {
			dst = strconv.AppendQuote(dst, l.Value)
		}
	}
	return append(dst, '}')
}

// FormatLabels is AppendLabels as a string.
func FormatLabels(ls []Label) string { return string(AppendLabels(nil, ls)) }

func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// plainValue: printable ASCII without '"' or '\\', which strconv.Quote writes as is.
func plainValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
