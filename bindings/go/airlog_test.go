package airlog

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

var testDB *Database

func TestMain(m *testing.M) {
	db, err := Compile()
	if err != nil {
		panic(err)
	}
	testDB = db
	code := m.Run()
	db.Close()
	os.Exit(code)
}

func sourceDir(t testing.TB) string {
	if d := os.Getenv("AIRLOG_SOURCE_DIR"); d != "" {
		return d
	}
	d, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

type golden struct {
	name, path string
	log, jsonl []byte
}

// The hand-written golden logs every layout family has, with the source path each is parsed under
// and the exact JSON lines airlog must produce (corpus/golden, shared with the C++ tests).
func goldens(t *testing.T) []golden {
	dir := filepath.Join(sourceDir(t), "corpus", "golden")
	logs, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil || len(logs) < 10 {
		t.Fatalf("golden logs missing in %s (%v)", dir, err)
	}
	sort.Strings(logs)
	var out []golden
	for _, l := range logs {
		name := strings.TrimSuffix(filepath.Base(l), ".log")
		g := golden{name: name, path: "corpus/golden/" + name + ".log"}
		if p, err := os.ReadFile(filepath.Join(dir, name+".path")); err == nil {
			g.path = strings.SplitN(string(p), "\n", 2)[0]
		}
		var err1, err2 error
		g.log, err1 = os.ReadFile(l)
		g.jsonl, err2 = os.ReadFile(filepath.Join(dir, name+".jsonl"))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		out = append(out, g)
	}
	return out
}

func newParser(t testing.TB, opts Options, path string) *Parser {
	t.Helper()
	p, err := NewParser(testDB, opts, path)
	if err != nil {
		t.Fatalf("NewParser: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// feedAll feeds data in chunks of `chunk` bytes (0: whole) from a buffer that is overwritten after
// every call, then flushes.
func feedAll(t testing.TB, p *Parser, data []byte, chunk int) []Event {
	t.Helper()
	if chunk <= 0 {
		chunk = len(data) + 1
	}
	var events []Event
	buf := make([]byte, chunk)
	for pos := 0; pos < len(data); pos += chunk {
		n := copy(buf, data[pos:])
		var err error
		events, err = p.AppendFeed(events, buf[:n])
		if err != nil {
			t.Fatalf("Feed: %v", err)
		}
		for i := range buf[:n] {
			buf[i] = '#' // events must not depend on the chunk after the call
		}
	}
	rest, err := p.Flush()
	if err != nil {
		t.Fatalf("Flush: %v", err)
	}
	return append(events, rest...)
}

func render(t testing.TB, events []Event) []byte {
	t.Helper()
	out, err := AppendJSON(nil, events...)
	if err != nil {
		t.Fatalf("AppendJSON: %v", err)
	}
	return out
}

func checkInvariant(t *testing.T, p *Parser, events []Event) {
	t.Helper()
	s, err := p.Stats()
	if err != nil {
		t.Fatal(err)
	}
	var lines uint64
	for _, e := range events {
		lines += uint64(e.Lines)
	}
	if s.EventsOut != uint64(len(events)) || s.EventLinesOut != lines {
		t.Errorf("stats count %d events / %d lines, got %d / %d", s.EventsOut, s.EventLinesOut, len(events), lines)
	}
	if s.LinesIn != s.EventLinesOut+s.DuplicatesDropped {
		t.Errorf("lines_in %d != event_lines_out %d + duplicates_dropped %d", s.LinesIn, s.EventLinesOut, s.DuplicatesDropped)
	}
}

func TestGoldenLogsRenderExactly(t *testing.T) {
	for _, g := range goldens(t) {
		t.Run(g.name, func(t *testing.T) {
			p := newParser(t, Options{}, g.path)
			events := feedAll(t, p, g.log, 0)
			if got := render(t, events); !bytes.Equal(got, g.jsonl) {
				t.Errorf("output differs from %s.jsonl:\n got: %.600s\nwant: %.600s", g.name, got, g.jsonl)
			}
			checkInvariant(t, p, events)
		})
	}
}

func TestChunkingDoesNotChangeEvents(t *testing.T) {
	for _, g := range goldens(t) {
		whole := feedAll(t, newParser(t, Options{}, g.path), g.log, 0)
		for _, chunk := range []int{1, 7, 100, 4096} {
			got := feedAll(t, newParser(t, Options{}, g.path), g.log, chunk)
			if !reflect.DeepEqual(got, whole) {
				t.Fatalf("%s: %d-byte chunks give other events than one chunk", g.name, chunk)
			}
		}
		// Parse (whole buffer) agrees with Feed.
		parsed, err := newParser(t, Options{}, g.path).Parse(g.log)
		if err != nil || !reflect.DeepEqual(parsed, whole) {
			t.Fatalf("%s: Parse differs from Feed (%v)", g.name, err)
		}
	}
}

const taskFailure = "[2024-01-02T00:00:05.100+0000] {taskinstance.py:2905} ERROR - Task failed with exception\n" +
	"Traceback (most recent call last):\n" +
	"  File \"/opt/airflow/airflow/models/taskinstance.py\", line 465, in _execute_task\n" +
	"    result = _execute_callable(context=context, **execute_callable_kwargs)\n" +
	"  File \"/opt/airflow/dags/etl.py\", line 12, in extract\n" +
	"    raise ValueError(\"boom: bad row 7\")\n" +
	"ValueError: boom: bad row 7\n" +
	"[2024-01-02T00:00:05.200+0000] {taskinstance.py:1206} INFO - Marking task as UP_FOR_RETRY. dag_id=etl, task_id=extract, run_id=scheduled__2024-01-01T00:00:00+00:00, execution_date=20240101T000000, start_date=20240102T000001, end_date=20240102T000005\n"

func TestTracebackFields(t *testing.T) {
	p := newParser(t, Options{}, "logs/dag_id=etl/run_id=scheduled__2024-01-01T00:00:00+00:00/task_id=extract/attempt=2.log")
	events := feedAll(t, p, []byte(taskFailure), 0)
	if len(events) != 2 {
		t.Fatalf("want 2 events (record + traceback, next record), got %d", len(events))
	}
	e := events[0]
	if e.Line != 1 || e.Lines != 7 || e.Level != LevelError || e.Kind != EventException || e.Format != FormatAirflowText {
		t.Errorf("first event: line %d lines %d level %v kind %v format %v", e.Line, e.Lines, e.Level, e.Kind, e.Format)
	}
	if e.ExceptionType != "ValueError" || e.ExceptionMessage != "boom: bad row 7" {
		t.Errorf("exception %q: %q", e.ExceptionType, e.ExceptionMessage)
	}
	if !strings.HasPrefix(e.Message, "Task failed with exception\nTraceback (most recent call last):") {
		t.Errorf("message %q", e.Message)
	}
	if e.File != "taskinstance.py" || e.Lineno != 2905 || e.Component != ComponentTask {
		t.Errorf("file %q:%d component %v", e.File, e.Lineno, e.Component)
	}
	if e.DagID != "etl" || e.TaskID != "extract" || e.TryNumber != 2 || e.RunID != "scheduled__2024-01-01T00:00:00+00:00" {
		t.Errorf("identity %q %q %q %d", e.DagID, e.TaskID, e.RunID, e.TryNumber)
	}
	if want := time.Date(2024, 1, 2, 0, 0, 5, 100e6, time.UTC); !e.Time().Equal(want) {
		t.Errorf("time %v, want %v", e.Time(), want)
	}
	s := events[1]
	if s.Kind != EventTaskState || s.State != StateUpForRetry || s.Line != 8 {
		t.Errorf("second event: kind %v state %v line %d", s.Kind, s.State, s.Line)
	}
	if s.State.String() != "up_for_retry" || s.Kind.String() != "task_state" || s.Level.String() != "info" {
		t.Errorf("names: %q %q %q", s.State, s.Kind, s.Level)
	}
	checkInvariant(t, p, events)
}

func TestEnvelopes(t *testing.T) {
	cri := "2024-05-01T12:00:00.000000001Z stderr P [2024-01-02T00:00:05.700+0000] {local_task_job_runner.py:266} INFO - Task exited \n" +
		"2024-05-01T12:00:00.5Z stderr F with return code 1\n"
	events := feedAll(t, newParser(t, Options{}, ""), []byte(cri), 5)
	if len(events) != 1 {
		t.Fatalf("CRI: want 1 event from 2 pieces, got %d", len(events))
	}
	e := events[0]
	if e.Message != "Task exited with return code 1" || e.Channel != ChannelStderr || !e.HasIngestTime || e.IngestTimeNs != 1714564800000000001 {
		t.Errorf("CRI event: %q channel %v ingest %v %d", e.Message, e.Channel, e.HasIngestTime, e.IngestTimeNs)
	}
	if e.Kind != EventTaskExit || !e.HasReturnCode || e.ReturnCode != 1 {
		t.Errorf("CRI event: kind %v return code %v %d", e.Kind, e.HasReturnCode, e.ReturnCode)
	}

	docker := `{"log":"[2024-01-02T00:00:05.100+0000] {taskinstance.py:2905} ERROR - Task failed \u003cx\u003e\n","stream":"stdout","time":"2024-05-01T12:00:00Z"}` + "\n" +
		`{"log":"Traceback (most recent call last):\n","stream":"stdout","time":"2024-05-01T12:00:01Z"}` + "\n" +
		`{"log":"KeyError: 'k'\n","stream":"stdout","time":"2024-05-01T12:00:02Z"}` + "\n"
	events = feedAll(t, newParser(t, Options{Envelope: EnvelopeDocker}, ""), []byte(docker), 13)
	if len(events) != 1 {
		t.Fatalf("Docker: want 1 event, got %d", len(events))
	}
	e = events[0]
	if e.Lines != 3 || e.Channel != ChannelStdout || e.ExceptionType != "KeyError" || !strings.HasPrefix(e.Message, "Task failed <x>\nTraceback") {
		t.Errorf("Docker event: lines %d channel %v %q %q", e.Lines, e.Channel, e.ExceptionType, e.Message)
	}
}

// Results that do not fit the binding's buffers grow them (through airlog_parser_take) without
// losing or changing anything.
func TestTooSmallBuffersGrow(t *testing.T) {
	var all []byte
	for _, g := range goldens(t) {
		all = append(all, g.log...)
	}
	want := feedAll(t, newParser(t, Options{}, ""), all, 0)
	for _, chunk := range []int{0, 5000} {
		p := newParser(t, Options{}, "")
		p.bufs = newBuffers(1, 1) // as small as they can be

		got := feedAll(t, p, all, chunk)
		if p.grows == 0 {
			t.Errorf("chunk %d: the buffers never had to grow", chunk)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("chunk %d: events differ after growth (%d vs %d events)", chunk, len(got), len(want))
		}
	}
}

func TestStatsAndDedup(t *testing.T) {
	line := "[2024-01-02T00:00:05.700+0000] {local_task_job_runner.py:266} INFO - Task exited with return code 1\n"
	p := newParser(t, Options{Dedup: true}, "")
	events := feedAll(t, p, []byte(line+taskFailure+taskFailure), 0) // the failure read twice
	s, err := p.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 || s.DuplicateEventsDropped != 2 || s.DuplicatesDropped != 8 {
		t.Errorf("dedup: %d events, %d duplicate events / %d lines dropped", len(events), s.DuplicateEventsDropped, s.DuplicatesDropped)
	}
	if s.LinesIn != 17 || s.LinesFolded != 6 || s.ByLevel[LevelError] != 1 || s.ByEvent[EventTaskExit] != 1 {
		t.Errorf("stats: %+v", s)
	}
	checkInvariant(t, p, events)
}

func TestPollEmitsAfterTheWait(t *testing.T) {
	p := newParser(t, Options{MultilineWait: time.Hour}, "") // no scheduler hiccup reaches it
	events, err := p.Feed([]byte(taskFailure[:strings.Index(taskFailure, "[2024-01-02T00:00:05.200")]))
	if err != nil || len(events) != 0 {
		t.Fatalf("the traceback may go on: %d events, %v", len(events), err)
	}
	if events, _ = p.Poll(time.Now()); len(events) != 0 {
		t.Fatalf("emitted before the wait")
	}
	events, err = p.Poll(time.Now().Add(2 * time.Hour))
	if err != nil || len(events) != 1 || events[0].Lines != 7 {
		t.Fatalf("after the wait: %d events, %v", len(events), err)
	}
}

func TestHostileInput(t *testing.T) {
	inputs := []string{
		"nul \x00 byte\n\x00\x00\n",
		"[2024-01-02T00:00:05.700+0000] {a.py:1} INFO - bad utf8 \xff\xfe\xc3\x28\n",
		`{"timestamp":"2025-04-22T09:00:05Z","level":"info","event":"trunc`,
		strings.Repeat("\n", 5000) + "x",
	}
	seed := uint32(7)
	for i := 0; i < 20; i++ {
		b := make([]byte, 2000)
		for k := range b {
			seed = seed*1664525 + 1013904223
			b[k] = byte(seed >> 24)
		}
		inputs = append(inputs, string(b))
	}
	for i, in := range inputs {
		p := newParser(t, Options{}, "")
		events := feedAll(t, p, []byte(in), 3)
		checkInvariant(t, p, events)
		out := render(t, events)
		for _, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
			if len(events) > 0 && (len(line) == 0 || line[0] != '{') {
				t.Errorf("input %d: not a JSON object line: %q", i, line)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	var aerr *Error
	_, err := NewParser(testDB, Options{TimeZone: "Mars/Olympus_Mons"}, "")
	if !errors.As(err, &aerr) || aerr.Status != StatusInvalidArgument || !strings.Contains(aerr.Error(), "Mars/Olympus_Mons") {
		t.Errorf("bad time zone: %v", err)
	}
	_, err = NewParser(testDB, Options{Component: "kubelet"}, "")
	if !errors.As(err, &aerr) || aerr.Status != StatusInvalidArgument {
		t.Errorf("bad component: %v", err)
	}
	_, err = NewParser(testDB, Options{Envelope: Envelope(9)}, "")
	if !errors.As(err, &aerr) || aerr.Status != StatusInvalidArgument {
		t.Errorf("bad envelope: %v", err)
	}
	if _, err = NewParser(nil, Options{}, ""); !errors.As(err, &aerr) || aerr.Status != StatusClosed {
		t.Errorf("nil database: %v", err)
	}
	p := newParser(t, Options{Component: "scheduler", TimeZone: "Europe/Paris"}, "")
	p.Close()
	p.Close()
	if _, err = p.Feed([]byte("x\n")); !errors.As(err, &aerr) || aerr.Status != StatusClosed {
		t.Errorf("Feed after Close: %v", err)
	}
	if _, err = p.Stats(); err == nil {
		t.Errorf("Stats after Close succeeded")
	}
	if StatusBufferTooSmall.String() != "buffer too small" || StatusOK.String() != "ok" {
		t.Errorf("status strings: %q %q", StatusBufferTooSmall, StatusOK)
	}
	if VersionNumber() < 100 || !strings.Contains(Version(), ".") || testDB.RuleCount() == 0 {
		t.Errorf("version %q %d, %d rules", Version(), VersionNumber(), testDB.RuleCount())
	}
}

// Events outlive the parser and the chunk: their strings are Go's own.
func TestEventsOutliveParserAndChunk(t *testing.T) {
	// A task-log path names the component: no first-lines window holds the events back.
	p, err := NewParser(testDB, Options{}, "logs/dag_id=d/run_id=r/task_id=t/attempt=1.log")
	if err != nil {
		t.Fatal(err)
	}
	chunk := []byte(taskFailure)
	events, err := p.Feed(chunk)
	if err != nil || len(events) != 1 {
		t.Fatalf("%d events, %v", len(events), err)
	}
	p.Close()
	for i := range chunk {
		chunk[i] = 'z'
	}
	if events[0].ExceptionType != "ValueError" || events[0].File != "taskinstance.py" {
		t.Errorf("event changed with its chunk: %q %q", events[0].ExceptionType, events[0].File)
	}
}

func TestRedact(t *testing.T) {
	line := "[2024-01-02T00:00:05.700+0000] {base.py:84} INFO - conn postgresql://u:hunter2@db/x token=abc\n"
	for _, redact := range []bool{false, true} {
		p := newParser(t, Options{Redact: redact}, "")
		events := feedAll(t, p, []byte(line), 0)
		s, err := p.Stats()
		if err != nil {
			t.Fatal(err)
		}
		want, count := "conn postgresql://u:hunter2@db/x token=abc", uint64(0)
		if redact {
			want, count = "conn postgresql://u:***@db/x token=***", 2
		}
		if len(events) != 1 || events[0].Message != want || s.Redactions != count {
			t.Errorf("redact=%v: %d events, %+v, %d redactions", redact, len(events), events, s.Redactions)
		}
	}
	got, n, err := RedactText(`{"event":"x","password":"p","n":1}`, true)
	if err != nil || got != `{"event":"x","password":"***","n":1}` || n != 1 {
		t.Errorf("RedactText: %q %d %v", got, n, err)
	}
	if got, n, _ := RedactText("nothing here", false); got != "nothing here" || n != 0 {
		t.Errorf("RedactText without a secret: %q %d", got, n)
	}
}
