package main

import "time"

// The timestamp stage, as Alloy's stage.timestamp runs: one primary Go layout and fallback
// layouts tried in turn with time.Parse until one parses. Zone-less stamps are UTC (airlog's
// default --tz). time.Parse accepts a fraction after the seconds (`.` or `,`) that the layout
// does not spell, so one layout covers `12:00:01`, `12:00:01,234` and `12:00:01.123456789`.
var isoLayouts = []string{
	"2006-01-02T15:04:05Z07:00", // RFC 3339: `Z` or `+00:00`
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05 -0700", // gunicorn error log
	"2006-01-02 15:04:05 -07:00",
	"2006-01-02T15:04:05 -0700",
	"2006-01-02T15:04:05 -07:00",
	"2006-01-02T15:04:05Z07",
	"2006-01-02 15:04:05Z07",
}

// A logical date is also printed compact: `20240101T000000` (Marking task as … execution_date=).
var dateLayouts = append(append([]string{}, isoLayouts...), "20060102T150405")

// Common log format, gunicorn access lines.
var clfLayouts = []string{"02/Jan/2006:15:04:05 -0700"}

// parseTime tries `layouts` in turn; ok is false when none parses the whole text.
func parseTime(text string, layouts []string) (ns int64, ok bool) {
	for _, layout := range layouts {
		if t, err := time.Parse(layout, text); err == nil {
			return t.UnixNano(), true
		}
	}
	return 0, false
}

// timestampStage: an envelope's time (CRI, docker --timestamps) fills ts_ns when the record's
// own line gave none. The record's own times were parsed by parseTime as they were extracted.
type timestampStage struct {
	cfg *config
}

func (s timestampStage) Process(e *Entry) {
	if e.outerTS != "" {
		e.set(s.cfg, "ts", e.outerTS)
	}
}
