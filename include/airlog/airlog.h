/* airlog/airlog.h — the stable C API of airlog (libairlog.so.0), the only ABI-stable surface.
 *
 * Plain C99; compiles as C and as C++. Three handles, each saying how it may be shared:
 *   airlog_database  compiled rules; immutable, thread-safe, shared by every parser of the process
 *   airlog_options   per-source settings, set through one enum-keyed setter
 *   airlog_parser    the state of ONE log source (a file, a pod's stdout); not thread-safe
 *
 * Every call returns an airlog_status (AIRLOG_OK = 0) and hands results back only through
 * out-parameters. No C++ exception crosses this boundary. No pointer the caller passes in is
 * kept after the call returns. Every free function accepts NULL.
 *
 * Events come out in batches, into arrays the caller owns. The text of an event is a span
 * (offset, length, base): base AIRLOG_SPAN_INPUT means bytes of the input buffer of the call that
 * produced the event (left where they lie: zero copy), AIRLOG_SPAN_TEXT means bytes the call copied
 * into the caller's text buffer (text airlog rewrote, text carried over from earlier chunks).
 * docs/c-api.md describes the model, the "buffer too small" protocol and the Go binding.
 *
 *   airlog_database* db = NULL;
 *   airlog_parser* p = NULL;
 *   if (airlog_database_compile(&db) != AIRLOG_OK) { puts(airlog_last_error_message()); return 1; }
 *   airlog_parser_create(db, NULL, "logs/dag_id=d/run_id=r/task_id=t/attempt=1.log", &p);
 *   airlog_event events[1024];
 *   char text[1 << 16];
 *   airlog_output out = {events, 1024, text, sizeof text};
 *   while ((n = read(fd, buf, sizeof buf)) > 0) {
 *     airlog_status st = airlog_parser_feed(p, buf, n, now_ns(), &out);
 *     for (;;) {
 *       ship(events, out.events_written, buf, text);           // spans: buf or text
 *       if (st != AIRLOG_BUFFER_TOO_SMALL) break;               // (or grow to out.*_pending)
 *       st = airlog_parser_take(p, &out);                       // the rest of this call's events
 *     }
 *   }
 *   airlog_parser_flush(p, &out);  ...  airlog_parser_free(p); airlog_database_free(db);
 */
#ifndef AIRLOG_AIRLOG_H_
#define AIRLOG_AIRLOG_H_

#include <stddef.h>
#include <stdint.h>

#include "airlog/version.h"

#if defined(AIRLOG_BUILDING_LIBRARY) && defined(__GNUC__)
#define AIRLOG_API __attribute__((visibility("default")))
#else
#define AIRLOG_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Version. The macros (airlog/version.h) describe the header compiled against; the functions, the
 * library loaded. */

/** "MAJOR.MINOR.PATCH" of the loaded library; a static string. Thread-safe. */
AIRLOG_API const char* airlog_version_string(void);
/** MAJOR * 10000 + MINOR * 100 + PATCH of the loaded library. Thread-safe. */
AIRLOG_API uint32_t airlog_version_number(void);

/* ---------------------------------------------------------------------------------------------
 * Status. Values are written out and never renumbered; new ones are only ever appended. */

typedef enum airlog_status {
  AIRLOG_OK = 0,
  AIRLOG_INVALID_ARGUMENT = 1,            /**< a NULL where a pointer is required, a value out of range, an
                                               unknown time zone, zero caps, span offsets outside their base */
  AIRLOG_UNKNOWN_OPTION = 2,              /**< an option key this library does not know, or set with the
                                               wrong setter (a string key through set_int or vice versa) */
  AIRLOG_BUFFER_TOO_SMALL = 3,            /**< a caller buffer could not take every result: see airlog_output
                                               and the render / stats calls for the sizes needed */
  AIRLOG_OUT_OF_MEMORY = 4,               /**< an allocation failed; the handle is unchanged or still usable */
  AIRLOG_RESULTS_PENDING = 5,             /**< a feed/parse/poll/flush while events of an earlier call wait
                                               to be taken (airlog_parser_take) */
  AIRLOG_COMPILE_FAILED = 6,              /**< the rule database did not compile (e.g. CPU without SSSE3) */
  AIRLOG_SCAN_FAILED = 7,                 /**< the pattern scan failed while parsing */
  AIRLOG_INTERNAL = 8,                    /**< a bug: an unexpected failure inside airlog */
  AIRLOG_STATUS_FORCE_INT32_ = 0x7fffffff /**< never returned: keeps the type 32 bits wide */
} airlog_status;

/** A static English description of `status` ("ok", "buffer too small", …; "unknown status" for a
 *  value this library does not define). Never NULL. Thread-safe. */
AIRLOG_API const char* airlog_status_string(airlog_status status);

/** Details of the most recent call made by THIS thread that returned a status other than
 *  AIRLOG_OK ("unknown time zone: Mars/Olympus", the rule that failed to compile, …); "" if none.
 *  Valid until the thread's next failing call. Thread-safe (one message per thread). */
AIRLOG_API const char* airlog_last_error_message(void);

/* ---------------------------------------------------------------------------------------------
 * Vocabularies. Values equal the C++ enums (include/airlog/types.hpp) and are never renumbered.
 * The *_string helpers return the JSON contract's spelling (docs/schema.md) as a static
 * NUL-terminated string, "" for the "none" values, and NULL for a value out of range.
 * Thread-safe. */

typedef enum airlog_level {
  AIRLOG_LEVEL_NONE = 0,
  AIRLOG_LEVEL_DEBUG = 1,
  AIRLOG_LEVEL_INFO = 2,
  AIRLOG_LEVEL_WARNING = 3,
  AIRLOG_LEVEL_ERROR = 4,
  AIRLOG_LEVEL_CRITICAL = 5
} airlog_level;
#define AIRLOG_LEVEL_COUNT 6

typedef enum airlog_component {
  AIRLOG_COMPONENT_UNKNOWN = 0,
  AIRLOG_COMPONENT_SCHEDULER = 1,
  AIRLOG_COMPONENT_WEBSERVER = 2,
  AIRLOG_COMPONENT_API_SERVER = 3,
  AIRLOG_COMPONENT_WORKER = 4,
  AIRLOG_COMPONENT_TASK = 5,
  AIRLOG_COMPONENT_TRIGGERER = 6,
  AIRLOG_COMPONENT_DAG_PROCESSOR = 7
} airlog_component;
#define AIRLOG_COMPONENT_COUNT 8

typedef enum airlog_format {
  AIRLOG_FORMAT_RAW = 0,
  AIRLOG_FORMAT_AIRFLOW_TEXT = 1,
  AIRLOG_FORMAT_AIRFLOW_COLOR = 2,
  AIRLOG_FORMAT_AIRFLOW_SIMPLE = 3,
  AIRLOG_FORMAT_AIRFLOW_JSON = 4,
  AIRLOG_FORMAT_AIRFLOW_CONSOLE = 5,
  AIRLOG_FORMAT_CELERY = 6,
  AIRLOG_FORMAT_GUNICORN_ERROR = 7,
  AIRLOG_FORMAT_GUNICORN_ACCESS = 8,
  AIRLOG_FORMAT_UVICORN = 9,
  AIRLOG_FORMAT_UVICORN_ACCESS = 10,
  AIRLOG_FORMAT_PYTHON_WARNING = 11,
  AIRLOG_FORMAT_TRACEBACK = 12,
  AIRLOG_FORMAT_AIRFLOW_BANNER = 13,
  AIRLOG_FORMAT_GO_SLOG = 14,
  AIRLOG_FORMAT_AIRLOG_JSON = 15,
  AIRLOG_FORMAT_AIRFLOW_UI = 16,
  AIRLOG_FORMAT_AIRFLOW_UI_HEADER = 17,
  AIRLOG_FORMAT_AIRFLOW_ES_JSON = 18
} airlog_format;
#define AIRLOG_FORMAT_COUNT 19

typedef enum airlog_event_kind {
  AIRLOG_EVENT_NONE = 0,
  AIRLOG_EVENT_TASK_STATE = 1,
  AIRLOG_EVENT_DAG_RUN_STATE = 2,
  AIRLOG_EVENT_TASK_START = 3,
  AIRLOG_EVENT_TASK_EXIT = 4,
  AIRLOG_EVENT_EXECUTOR_REPORT = 5,
  AIRLOG_EVENT_TASK_QUEUED = 6,
  AIRLOG_EVENT_ZOMBIE = 7,
  AIRLOG_EVENT_SIGTERM = 8,
  AIRLOG_EVENT_IMPORT_ERROR = 9,
  AIRLOG_EVENT_EXCEPTION = 10,
  AIRLOG_EVENT_HTTP_ACCESS = 11
} airlog_event_kind;
#define AIRLOG_EVENT_KIND_COUNT 12

typedef enum airlog_state {
  AIRLOG_STATE_NONE = 0,
  AIRLOG_STATE_SUCCESS = 1,
  AIRLOG_STATE_FAILED = 2,
  AIRLOG_STATE_UP_FOR_RETRY = 3,
  AIRLOG_STATE_UP_FOR_RESCHEDULE = 4,
  AIRLOG_STATE_UPSTREAM_FAILED = 5,
  AIRLOG_STATE_SKIPPED = 6,
  AIRLOG_STATE_QUEUED = 7,
  AIRLOG_STATE_SCHEDULED = 8,
  AIRLOG_STATE_RUNNING = 9,
  AIRLOG_STATE_DEFERRED = 10,
  AIRLOG_STATE_RESTARTING = 11,
  AIRLOG_STATE_REMOVED = 12,
  AIRLOG_STATE_SHUTDOWN = 13
} airlog_state;
#define AIRLOG_STATE_COUNT 14

typedef enum airlog_channel {
  AIRLOG_CHANNEL_NONE = 0,
  AIRLOG_CHANNEL_STDOUT = 1,
  AIRLOG_CHANNEL_STDERR = 2
} airlog_channel;
#define AIRLOG_CHANNEL_COUNT 3

/** The container-runtime wrapping of a source's lines (AIRLOG_OPT_ENVELOPE). */
typedef enum airlog_envelope {
  AIRLOG_ENVELOPE_AUTO = 0,        /**< decided from the source's first line */
  AIRLOG_ENVELOPE_NONE = 1,        /**< plain lines */
  AIRLOG_ENVELOPE_CRI = 2,         /**< Kubernetes CRI `<time> <stream> <P|F> <line>` */
  AIRLOG_ENVELOPE_DOCKER = 3,      /**< Docker json-file `{"log":…,"stream":…,"time":…}` */
  AIRLOG_ENVELOPE_EXPORT_JSON = 4, /**< records exported from log stores / collectors, JSON */
  AIRLOG_ENVELOPE_EXPORT_TSV = 5   /**< tab-separated exports `<time>\t[<label>\t…]<line>` */
} airlog_envelope;

AIRLOG_API const char* airlog_level_string(int level);
AIRLOG_API const char* airlog_component_string(int component);
AIRLOG_API const char* airlog_format_string(int format);
AIRLOG_API const char* airlog_event_kind_string(int kind);
AIRLOG_API const char* airlog_state_string(int state);
AIRLOG_API const char* airlog_channel_string(int channel);

/* ---------------------------------------------------------------------------------------------
 * Events: fixed layout (320 bytes on every platform with 8-byte int64 alignment). */

/** Bits of airlog_event.flags. */
#define AIRLOG_FLAG_TRUNCATED 0x1u    /**< the event hit a cap: its text was split or cut */
#define AIRLOG_FLAG_CONTINUED 0x2u    /**< continues a record a cap split */
#define AIRLOG_FLAG_INVALID_UTF8 0x4u /**< the text holds bytes that are not valid UTF-8 */
#define AIRLOG_FLAG_INVALID_JSON 0x8u /**< starts like a JSON object but is not valid JSON */

/** airlog_span.base values. */
#define AIRLOG_SPAN_INPUT 0u /**< offset into the input buffer of the call that produced the event */
#define AIRLOG_SPAN_TEXT 1u  /**< offset into the caller's text buffer of the call that delivered it */

/** A piece of text. Absent text is {0, 0, AIRLOG_SPAN_INPUT}. Not NUL-terminated. */
typedef struct airlog_span {
  uint64_t offset;
  uint32_t length;
  uint32_t base; /**< AIRLOG_SPAN_INPUT or AIRLOG_SPAN_TEXT */
} airlog_span;

/** One event, as airlog::Event (include/airlog/event.hpp) documents each field. */
typedef struct airlog_event {
  uint64_t line;           /**< 1-based number of the event's first physical line in its source */
  uint32_t lines;          /**< physical lines in the event */
  uint32_t flags;          /**< AIRLOG_FLAG_* bits */
  int64_t ts_ns;           /**< event time, Unix epoch ns UTC; valid when has_ts */
  int64_t logical_date_ns; /**< logical / execution date, epoch ns UTC; valid when has_logical_date */
  int64_t ingest_ts_ns;    /**< container runtime's stamp; valid when has_ingest_ts */
  uint8_t has_ts, has_logical_date, has_return_code, has_ingest_ts; /**< 0 or 1 */
  uint8_t level;                                                    /**< airlog_level */
  uint8_t component;                                                /**< airlog_component */
  uint8_t format;                                                   /**< airlog_format */
  uint8_t kind;                                                     /**< airlog_event_kind */
  uint8_t state;                                                    /**< airlog_state */
  uint8_t channel;                                                  /**< airlog_channel */
  uint8_t reserved0[6];                                             /**< zero */
  int32_t lineno;                                                   /**< source line of `file`; 0 when absent */
  int32_t try_number;                                               /**< 0 when absent */
  int32_t map_index;                                                /**< -1 when absent or unmapped */
  int32_t return_code;                                              /**< valid when has_return_code */
  int32_t http_status;                                              /**< 0 when absent */
  int32_t reserved1;                                                /**< zero */
  airlog_span logger, file, message, dag_id, task_id, run_id;
  airlog_span exception_type, exception_message, http_method, http_path, client;
  airlog_span attrs; /**< Airflow 3 JSON keys airlog does not map, as one JSON object text */
  /* Appended to the 0.1.0 layout (the JSON contract orders ti_id after map_index, trace_id and
   * span_id before attrs). */
  airlog_span ti_id;    /**< Airflow 3 task-instance UUID, as written */
  airlog_span trace_id; /**< W3C trace id, 32 lowercase hex digits */
  airlog_span span_id;  /**< W3C span id, 16 lowercase hex digits */
} airlog_event;

/** Where a producing call writes its events, and what it reports. The caller fills the first four
 *  fields (text may be NULL when text_capacity is 0) and may reuse the struct for every call; the
 *  call sets the last four. */
typedef struct airlog_output {
  airlog_event* events;   /**< in: the caller's array */
  size_t events_capacity; /**< in: its length in events */
  char* text;             /**< in: the caller's text buffer */
  size_t text_capacity;   /**< in: its size in bytes */
  size_t events_written;  /**< out: events written to events[0 .. events_written) */
  size_t text_written;    /**< out: bytes written to text[0 .. text_written) */
  size_t events_pending;  /**< out: events still waiting in the parser (0 unless BUFFER_TOO_SMALL) */
  size_t text_pending;    /**< out: text bytes those events need, so that ONE take with
                               events_capacity >= events_pending and text_capacity >= text_pending
                               delivers them all */
} airlog_output;

/* ---------------------------------------------------------------------------------------------
 * Database. */

typedef struct airlog_database airlog_database;

/** Compiles the built-in Airflow rules into *out (set to NULL on failure: AIRLOG_COMPILE_FAILED,
 *  AIRLOG_OUT_OF_MEMORY). Compile once per process: it takes milliseconds. Thread-safe. */
AIRLOG_API airlog_status airlog_database_compile(airlog_database** out);
/** Releases the handle. Parsers made from it stay valid (they share the compiled rules). NULL is a
 *  no-op. Not concurrently with other calls on the same handle. */
AIRLOG_API airlog_status airlog_database_free(airlog_database* db);
/** Number of rules (template anchors). Thread-safe. */
AIRLOG_API airlog_status airlog_database_rule_count(const airlog_database* db, size_t* out);

/* ---------------------------------------------------------------------------------------------
 * Options: created with the defaults of airlog::Options (include/airlog/options.hpp). An options
 * object is read only by airlog_parser_create (which copies it): it may be freed or changed
 * afterwards. Not thread-safe while being set; any number of threads may create parsers from
 * one that no thread is changing. */

typedef struct airlog_options airlog_options;

typedef enum airlog_option {
  AIRLOG_OPT_COMPONENT = 1,            /**< int airlog_component, or string ("scheduler",
                                            "api-server", …); a hint that wins over inference */
  AIRLOG_OPT_TIME_ZONE = 2,            /**< string: IANA name, "UTC" or "+02:00", for zone-less stamps */
  AIRLOG_OPT_MAX_EVENT_LINES = 3,      /**< int 1 .. 2^32-1: lines before a multi-line event is cut */
  AIRLOG_OPT_MAX_EVENT_BYTES = 4,      /**< int 1 .. 2^32-1: bytes before an event is cut */
  AIRLOG_OPT_MAX_LINE_BYTES = 5,       /**< int 1 .. 2^32-1: a longer physical line is cut */
  AIRLOG_OPT_ENVELOPE = 6,             /**< int airlog_envelope, or string "auto"/"none"/"cri"/"docker" */
  AIRLOG_OPT_MULTILINE_WAIT_NS = 7,    /**< int >= 0: poll() emits an open event after this idle time */
  AIRLOG_OPT_DEDUP = 8,                /**< int 0 or 1: drop events identical to one seen recently */
  AIRLOG_OPT_DEDUP_WINDOW_EVENTS = 9,  /**< int 1 .. 2^32-1: the dedup window in events */
  AIRLOG_OPT_DEDUP_WINDOW_NS = 10,     /**< int >= 0: the dedup window in event time (default INT64_MAX: none) */
  AIRLOG_OPT_REDACT = 11,              /**< int 0 or 1: mask secrets with `***` (default 0; docs/redaction.md) */
  AIRLOG_OPT_FORCE_INT32_ = 0x7fffffff /**< not an option: keeps the type 32 bits wide */
} airlog_option;

/** New options with the defaults into *out (NULL on failure). Thread-safe. */
AIRLOG_API airlog_status airlog_options_create(airlog_options** out);
/** Releases `opts`; parsers created from it are unaffected. NULL is a no-op. */
AIRLOG_API airlog_status airlog_options_free(airlog_options* opts);
/** Sets an integer-valued option (not concurrently with other calls on `opts`). AIRLOG_UNKNOWN_OPTION for a key that is
 * not an integer option, AIRLOG_INVALID_ARGUMENT for a value out of the key's range (the options are then unchanged).
 */
AIRLOG_API airlog_status airlog_options_set_int(airlog_options* opts, airlog_option key, int64_t value);
/** Sets a string-valued option from a NUL-terminated string (copied). AIRLOG_UNKNOWN_OPTION for a
 *  key without a string form, AIRLOG_INVALID_ARGUMENT for an unknown zone, component or envelope. */
AIRLOG_API airlog_status airlog_options_set_string(airlog_options* opts, airlog_option key, const char* value);
/** Reads an integer-valued option (AIRLOG_OPT_COMPONENT and AIRLOG_OPT_ENVELOPE as enum values).
 *  Safe alongside other reads of `opts`, not alongside a setter. */
AIRLOG_API airlog_status airlog_options_get_int(const airlog_options* opts, airlog_option key, int64_t* out);

/* ---------------------------------------------------------------------------------------------
 * Parser: one source. Not thread-safe: one thread at a time per parser; any number of parsers,
 * on any threads, may share one database. Use either parse() or feed()/poll()/flush() on a
 * parser, not both.
 *
 * Producing calls (feed, parse, poll, flush) write events into `out` and return:
 *   AIRLOG_OK                every event of the call is in out->events[0 .. out->events_written);
 *   AIRLOG_BUFFER_TOO_SMALL  the call itself succeeded (the input is consumed, the parser's state
 *                            has advanced) but not every event fitted: the longest prefix that
 *                            fits was written (events_written may be 0) and the rest waits in the
 *                            parser. Read the written ones, then call airlog_parser_take() — with
 *                            the same buffers or ones grown to out->events_pending/text_pending —
 *                            until it returns AIRLOG_OK. Until then other producing calls fail
 *                            with AIRLOG_RESULTS_PENDING. Nothing is ever dropped.
 *   anything else            an error; nothing was written.
 * Span offsets with base AIRLOG_SPAN_INPUT stay relative to the input buffer of the call that
 * produced the event, also for the events take() delivers later: keep that buffer until then.
 * Spans with base AIRLOG_SPAN_TEXT are relative to the text buffer of the call that delivered
 * them (text of one call is written from offset 0). */

typedef struct airlog_parser airlog_parser;

/** A parser for one source. `opts` NULL means the defaults; `path` (NULL or "" for none, copied)
 *  names the source and drives component inference and task-log identity. The parser keeps its
 *  own reference to the compiled rules: `db` may be freed first. AIRLOG_INVALID_ARGUMENT for
 *  options airlog rejects (the message says which). Thread-safe with respect to `db`. */
AIRLOG_API airlog_status airlog_parser_create(const airlog_database* db, const airlog_options* opts, const char* path,
                                              airlog_parser** out);
/** Releases the parser, with any events still waiting to be taken. Events already delivered live
 *  in the caller's buffers and are unaffected. NULL is a no-op. */
AIRLOG_API airlog_status airlog_parser_free(airlog_parser* p);

/** Incremental input: `data` (size bytes; NULL only with size 0) is whatever a read returned and
 *  may end anywhere (mid-line, mid-UTF-8, mid-envelope); it is taken whole. Complete events come
 *  out; the rest waits inside the parser, bounded by the caps. The events are the same whatever
 *  the chunking. `now_ns`: the caller's clock (any epoch; 0 = none) for poll(). `data` is not kept.
 *  Without a component hint or a path that names one, the first events wait until the source's
 *  first 64 lines (64 KiB) have come, flush, or an expired multiline wait (the component from the
 *  first lines; docs/architecture.md). One thread at a time per parser (as for every
 *  airlog_parser_* call below). */
AIRLOG_API airlog_status airlog_parser_feed(airlog_parser* p, const char* data, size_t size, int64_t now_ns,
                                            airlog_output* out);
/** Whole-buffer input: with `last` non-zero all of `data` becomes events; with `last` 0 a trailing
 *  partial line or open multi-line event is left unconsumed (as are a source's first 64 lines while
 *  they may still name its component, see feed): *consumed (may be NULL) tells how many
 *  leading bytes were used, and the caller passes the rest again, followed by more data. */
AIRLOG_API airlog_status airlog_parser_parse(airlog_parser* p, const char* data, size_t size, int last,
                                             size_t* consumed, airlog_output* out);
/** Emits waiting complete lines once nothing arrived for AIRLOG_OPT_MULTILINE_WAIT_NS by the
 *  caller's clock. Call after each feed and on a timer while the source is idle. All spans are
 *  AIRLOG_SPAN_TEXT. */
AIRLOG_API airlog_status airlog_parser_poll(airlog_parser* p, int64_t now_ns, airlog_output* out);
/** End of input: emits everything still waiting. The parser may be fed again after (line numbers
 *  and stats continue). All spans are AIRLOG_SPAN_TEXT. */
AIRLOG_API airlog_status airlog_parser_flush(airlog_parser* p, airlog_output* out);
/** Hands over events an earlier call left waiting (see above); AIRLOG_OK with nothing written when
 *  none wait. AIRLOG_BUFFER_TOO_SMALL again while some still do not fit. */
AIRLOG_API airlog_status airlog_parser_take(airlog_parser* p, airlog_output* out);

/** The counters of airlog::Stats (include/airlog/stats.hpp). Invariant after a flush:
 *  lines_in == event_lines_out + duplicates_dropped. The by_* arrays are indexed by enum value;
 *  entries past the *_COUNT of this version are zero. */
typedef struct airlog_stats {
  uint64_t lines_in;
  uint64_t events_out;
  uint64_t event_lines_out;
  uint64_t lines_folded;
  uint64_t duplicates_dropped;
  uint64_t duplicate_events_dropped;
  uint64_t bytes_in;
  uint64_t recognised_lines;
  uint64_t dedup_memory_bytes;
  uint64_t redactions; /**< secrets masked (AIRLOG_OPT_REDACT) */
  uint64_t by_format[32];
  uint64_t by_component[16];
  uint64_t by_level[16];
  uint64_t by_event[32];
} airlog_stats;

/** The parser's counters so far. Not concurrently with another call on the same parser. */
AIRLOG_API airlog_status airlog_parser_stats(const airlog_parser* p, airlog_stats* out);
/** The counters as the CLI's `--stats` JSON object (with '\n'), written to buf (not NUL-terminated;
 *  not concurrently with another call on the same parser).
 *  *size receives the length; AIRLOG_BUFFER_TOO_SMALL (nothing written) when it exceeds capacity. */
AIRLOG_API airlog_status airlog_parser_stats_json(const airlog_parser* p, char* buf, size_t capacity, size_t* size);

/* ---------------------------------------------------------------------------------------------
 * Rendering. */

/** Writes events[0 .. count) as JSON lines of the output contract (docs/schema.md), one object and
 *  '\n' per event, exactly as the CLI and airlog::append_json do. `input`/`input_size` and
 *  `text`/`text_size` are the buffers the spans are relative to (NULL when no span uses them).
 *  *size receives the length needed; when it exceeds `capacity`, AIRLOG_BUFFER_TOO_SMALL and
 *  nothing is written. AIRLOG_INVALID_ARGUMENT if a span lies outside its buffer or an enum is out
 *  of range. Keeps no state: thread-safe. */
AIRLOG_API airlog_status airlog_render_json(const airlog_event* events, size_t count, const char* input,
                                            size_t input_size, const char* text, size_t text_size, char* buf,
                                            size_t capacity, size_t* size);

/** Roles of a record written by airlog_render_loki_fields (the field table's Loki roles,
 *  include/airlog/fields.hpp). */
#define AIRLOG_LOKI_LABEL 1u    /* the key may be chosen as a Loki stream label */
#define AIRLOG_LOKI_METADATA 2u /* the key goes to structured metadata unless it is a label */

/** Writes the contract fields that a Loki entry carries outside its line, for events[0 .. count):
 *  for each event, 4 bytes (little-endian) giving the length of its records, then the records: every
 *  present key with a Loki role, in contract order, each as
 *    1 byte roles (AIRLOG_LOKI_LABEL | AIRLOG_LOKI_METADATA), 1 byte name length, the name,
 *    1 byte length of the key's OpenTelemetry attribute name (0: none), that name,
 *    4 bytes value length (little-endian), the value
 *  where the value is the key's text in the contract (docs/schema.md: enums by name, integers in
 *  decimal, dates RFC 3339 UTC, flags "true", `attrs` as its JSON object text), repaired to valid
 *  UTF-8 and cut on a character boundary to `max_value_bytes` (0: not cut). This is how the
 *  CLI's Loki bodies choose labels and metadata, for a caller that builds its own entries (the
 *  push gateway). `input`/`text` are the buffers the spans are relative to, as for
 *  airlog_render_json. *size receives the length needed; AIRLOG_BUFFER_TOO_SMALL (nothing
 *  written) when it exceeds `capacity`; AIRLOG_INVALID_ARGUMENT for a span outside its buffer or
 *  an enum out of range. Keeps no state: thread-safe. */
AIRLOG_API airlog_status airlog_render_loki_fields(const airlog_event* events, size_t count, const char* input,
                                                   size_t input_size, const char* text, size_t text_size,
                                                   size_t max_value_bytes, char* buf, size_t capacity, size_t* size);

/* ---------------------------------------------------------------------------------------------
 * Redaction. */

/** Masks the secrets in text[0 .. size) with `***` as AIRLOG_OPT_REDACT masks an event's fields
 *  (docs/redaction.md), for a caller that forwards a line's original text (the push gateway). `json`
 *  non-zero: the text is a JSON object (a masked bare value becomes "***", escapes stay whole).
 *  *size receives the length of the result; AIRLOG_BUFFER_TOO_SMALL (nothing written) when it
 *  exceeds `capacity`. *redactions (may be NULL) receives the number of secrets masked (0: the
 *  result is the text as given). Keeps no state: thread-safe. */
AIRLOG_API airlog_status airlog_redact_text(const char* text, size_t size, int json, char* buf, size_t capacity,
                                            size_t* out_size, size_t* redactions);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AIRLOG_AIRLOG_H_ */
