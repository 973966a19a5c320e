package airlog

/*
#include "airlog/airlog.h"
*/
import "C"

import "time"

// Level is the normalised severity (LevelNone: the line carried none).
type Level uint8

const (
	LevelNone Level = iota
	LevelDebug
	LevelInfo
	LevelWarning
	LevelError
	LevelCritical
)

// Component is the Airflow process that wrote the line.
type Component uint8

const (
	ComponentUnknown Component = iota
	ComponentScheduler
	ComponentWebserver
	ComponentAPIServer
	ComponentWorker
	ComponentTask
	ComponentTriggerer
	ComponentDagProcessor
)

// Format is the layout a line was recognised as.
type Format uint8

const (
	FormatRaw Format = iota
	FormatAirflowText
	FormatAirflowColor
	FormatAirflowSimple
	FormatAirflowJSON
	FormatAirflowConsole
	FormatCelery
	FormatGunicornError
	FormatGunicornAccess
	FormatUvicorn
	FormatUvicornAccess
	FormatPythonWarning
	FormatTraceback
	FormatAirflowBanner
	FormatGoSlog
)

// EventKind is the operational event a line reports (the contract's `event` key).
type EventKind uint8

const (
	EventNone EventKind = iota
	EventTaskState
	EventDagRunState
	EventTaskStart
	EventTaskExit
	EventExecutorReport
	EventTaskQueued
	EventZombie
	EventSigterm
	EventImportError
	EventException
	EventHTTPAccess
)

// State is an Airflow task or DAG-run state.
type State uint8

const (
	StateNone State = iota
	StateSuccess
	StateFailed
	StateUpForRetry
	StateUpForReschedule
	StateUpstreamFailed
	StateSkipped
	StateQueued
	StateScheduled
	StateRunning
	StateDeferred
	StateRestarting
	StateRemoved
	StateShutdown
)

// Channel is the standard stream a line was written to (from an envelope or a JSON `chan`).
type Channel uint8

const (
	ChannelNone Channel = iota
	ChannelStdout
	ChannelStderr
)

// The contract's spelling of each value (docs/schema.md); "" for the none values.
func (v Level) String() string     { return goName(C.airlog_level_string(C.int(v))) }
func (v Component) String() string { return goName(C.airlog_component_string(C.int(v))) }
func (v Format) String() string    { return goName(C.airlog_format_string(C.int(v))) }
func (v EventKind) String() string { return goName(C.airlog_event_kind_string(C.int(v))) }
func (v State) String() string     { return goName(C.airlog_state_string(C.int(v))) }
func (v Channel) String() string   { return goName(C.airlog_channel_string(C.int(v))) }

func goName(s *C.char) string {
	if s == nil {
		return "?"
	}
	return C.GoString(s)
}

// Flags are the bits of Event.Flags.
type Flags uint32

const (
	FlagTruncated   Flags = C.AIRLOG_FLAG_TRUNCATED    // the event hit a cap: text was split or cut
	FlagContinued   Flags = C.AIRLOG_FLAG_CONTINUED    // continues a record a cap split
	FlagInvalidUTF8 Flags = C.AIRLOG_FLAG_INVALID_UTF8 // the text holds invalid UTF-8
	FlagInvalidJSON Flags = C.AIRLOG_FLAG_INVALID_JSON // starts like JSON but is not valid JSON
)

// Event is one structured log event; include/airlog/event.hpp documents each field. Absent
// values are "", the None enum values, 0 (MapIndex: -1), and false in the Has* flags.
type Event struct {
	Line  uint64 // 1-based number of the first physical line in the source
	Lines uint32 // physical lines in the event
	Flags Flags

	TimeNs           int64 // event time, Unix ns UTC; valid when HasTime
	LogicalDateNs    int64 // logical / execution date, Unix ns UTC; valid when HasLogicalDate
	IngestTimeNs     int64 // container runtime's stamp; valid when HasIngestTime
	HasTime          bool
	HasLogicalDate   bool
	HasIngestTime    bool
	HasReturnCode    bool
	Level            Level
	Component        Component
	Format           Format
	Kind             EventKind
	State            State
	Channel          Channel
	Lineno           int32
	TryNumber        int32
	MapIndex         int32
	ReturnCode       int32
	HTTPStatus       int32
	Logger           string
	File             string
	Message          string
	DagID            string
	TaskID           string
	RunID            string
	TiID             string // Airflow 3 task-instance UUID, as written
	ExceptionType    string
	ExceptionMessage string
	HTTPMethod       string
	HTTPPath         string
	Client           string
	TraceID          string // W3C trace id, 32 lowercase hex digits
	SpanID           string // W3C span id, 16 lowercase hex digits
	Attrs            string // Airflow 3 JSON keys airlog does not map, as one JSON object text

	loki    string // Parser.SetLokiFields: the event's airlog_render_loki_fields records
	hasLoki bool
}

// Time is the event time (the zero Time when the line had none).
func (e *Event) Time() time.Time {
	if !e.HasTime {
		return time.Time{}
	}
	return time.Unix(0, e.TimeNs).UTC()
}

// spanString is the text a span names: a slice of the call's input copy or of its text copy.
func spanString(s *C.airlog_span, input, text string) string {
	if s.length == 0 {
		return ""
	}
	off, end := uint64(s.offset), uint64(s.offset)+uint64(s.length)
	if s.base == C.AIRLOG_SPAN_TEXT {
		return text[off:end]
	}
	return input[off:end]
}

// fromC fills e from c; input and text are Go copies of the buffers c's spans refer to.
func (e *Event) fromC(c *C.airlog_event, input, text string) {
	e.Line = uint64(c.line)
	e.Lines = uint32(c.lines)
	e.Flags = Flags(c.flags)
	e.TimeNs = int64(c.ts_ns)
	e.LogicalDateNs = int64(c.logical_date_ns)
	e.IngestTimeNs = int64(c.ingest_ts_ns)
	e.HasTime = c.has_ts != 0
	e.HasLogicalDate = c.has_logical_date != 0
	e.HasIngestTime = c.has_ingest_ts != 0
	e.HasReturnCode = c.has_return_code != 0
	e.Level = Level(c.level)
	e.Component = Component(c.component)
	e.Format = Format(c.format)
	e.Kind = EventKind(c.kind)
	e.State = State(c.state)
	e.Channel = Channel(c.channel)
	e.Lineno = int32(c.lineno)
	e.TryNumber = int32(c.try_number)
	e.MapIndex = int32(c.map_index)
	e.ReturnCode = int32(c.return_code)
	e.HTTPStatus = int32(c.http_status)
	e.Logger = spanString(&c.logger, input, text)
	e.File = spanString(&c.file, input, text)
	e.Message = spanString(&c.message, input, text)
	e.DagID = spanString(&c.dag_id, input, text)
	e.TaskID = spanString(&c.task_id, input, text)
	e.RunID = spanString(&c.run_id, input, text)
	e.ExceptionType = spanString(&c.exception_type, input, text)
	e.ExceptionMessage = spanString(&c.exception_message, input, text)
	e.HTTPMethod = spanString(&c.http_method, input, text)
	e.HTTPPath = spanString(&c.http_path, input, text)
	e.Client = spanString(&c.client, input, text)
	e.Attrs = spanString(&c.attrs, input, text)
	e.TiID = spanString(&c.ti_id, input, text)
	e.TraceID = spanString(&c.trace_id, input, text)
	e.SpanID = spanString(&c.span_id, input, text)
	e.loki, e.hasLoki = "", false
}

// toC is the inverse of fromC, with every text field appended to text (all spans TEXT).
func (e *Event) toC(c *C.airlog_event, text []byte) []byte {
	*c = C.airlog_event{}
	c.line = C.uint64_t(e.Line)
	c.lines = C.uint32_t(e.Lines)
	c.flags = C.uint32_t(e.Flags)
	c.ts_ns = C.int64_t(e.TimeNs)
	c.logical_date_ns = C.int64_t(e.LogicalDateNs)
	c.ingest_ts_ns = C.int64_t(e.IngestTimeNs)
	c.has_ts = cBool(e.HasTime)
	c.has_logical_date = cBool(e.HasLogicalDate)
	c.has_ingest_ts = cBool(e.HasIngestTime)
	c.has_return_code = cBool(e.HasReturnCode)
	c.level = C.uint8_t(e.Level)
	c.component = C.uint8_t(e.Component)
	c.format = C.uint8_t(e.Format)
	c.kind = C.uint8_t(e.Kind)
	c.state = C.uint8_t(e.State)
	c.channel = C.uint8_t(e.Channel)
	c.lineno = C.int32_t(e.Lineno)
	c.try_number = C.int32_t(e.TryNumber)
	c.map_index = C.int32_t(e.MapIndex)
	c.return_code = C.int32_t(e.ReturnCode)
	c.http_status = C.int32_t(e.HTTPStatus)
	put := func(s *C.airlog_span, v string) {
		*s = C.airlog_span{offset: C.uint64_t(len(text)), length: C.uint32_t(len(v)), base: C.AIRLOG_SPAN_TEXT}
		text = append(text, v...)
	}
	put(&c.logger, e.Logger)
	put(&c.file, e.File)
	put(&c.message, e.Message)
	put(&c.dag_id, e.DagID)
	put(&c.task_id, e.TaskID)
	put(&c.run_id, e.RunID)
	put(&c.exception_type, e.ExceptionType)
	put(&c.exception_message, e.ExceptionMessage)
	put(&c.http_method, e.HTTPMethod)
	put(&c.http_path, e.HTTPPath)
	put(&c.client, e.Client)
	put(&c.attrs, e.Attrs)
	put(&c.ti_id, e.TiID)
	put(&c.trace_id, e.TraceID)
	put(&c.span_id, e.SpanID)
	return text
}

func cBool(b bool) C.uint8_t {
	if b {
		return 1
	}
	return 0
}
