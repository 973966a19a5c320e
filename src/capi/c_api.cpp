// c_api.cpp — include/airlog/airlog.h over the C++ API: handles, the enum-keyed options, the
// batch calls that turn airlog::Event views into spans (input offsets or copies into the caller's
// text buffer), the "buffer too small" staging and the JSON rendering of caller-held events.
// Every entry point is noexcept: exceptions become statuses in guarded().
#include "airlog/airlog.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "airlog/airlog.hpp"
#include "common/decimal.hpp"
#include "common/utf8.hpp"
#include "core/fields.hpp"
#include "core/handles.hpp"
#include "core/redact.hpp"
#include "core/timestamp.hpp"

// The C vocabularies mirror the C++ enums value for value.
static_assert(AIRLOG_LEVEL_COUNT == airlog::kLevelCount);
static_assert(AIRLOG_COMPONENT_COUNT == airlog::kComponentCount);
static_assert(AIRLOG_FORMAT_COUNT == airlog::kFormatCount);
static_assert(AIRLOG_EVENT_KIND_COUNT == airlog::kEventKindCount);
static_assert(AIRLOG_STATE_COUNT == airlog::kStateCount);
static_assert(AIRLOG_LEVEL_CRITICAL == static_cast<int>(airlog::Level::critical));
static_assert(AIRLOG_COMPONENT_DAG_PROCESSOR == static_cast<int>(airlog::Component::dag_processor));
static_assert(AIRLOG_FORMAT_GO_SLOG == static_cast<int>(airlog::Format::go_slog));
static_assert(AIRLOG_FORMAT_AIRFLOW_ES_JSON == static_cast<int>(airlog::Format::airflow_es_json));
static_assert(AIRLOG_EVENT_HTTP_ACCESS == static_cast<int>(airlog::EventKind::http_access));
static_assert(AIRLOG_STATE_SHUTDOWN == static_cast<int>(airlog::State::shutdown));
static_assert(AIRLOG_CHANNEL_STDERR == static_cast<int>(airlog::Channel::stderr_stream));
static_assert(AIRLOG_ENVELOPE_EXPORT_TSV == static_cast<int>(airlog::Envelope::export_tsv));
static_assert(AIRLOG_FLAG_TRUNCATED == airlog::kFlagTruncated && AIRLOG_FLAG_CONTINUED == airlog::kFlagContinued &&
              AIRLOG_FLAG_INVALID_UTF8 == airlog::kFlagInvalidUtf8 &&
              AIRLOG_FLAG_INVALID_JSON == airlog::kFlagInvalidJson);
static_assert(sizeof(airlog_span) == 16 && sizeof(airlog_event) == 320, "airlog_event is a fixed ABI layout");
static_assert(airlog::kFormatCount <= 32 && airlog::kComponentCount <= 16 && airlog::kLevelCount <= 16 &&
                  airlog::kEventKindCount <= 32,
              "airlog_stats arrays hold every enum value");

struct airlog_database {
  airlog::Database db;
};

struct airlog_options {
  airlog::Options options;
};

struct airlog_parser {
  airlog::Database db;  // first: the stream below is destroyed before it
  airlog::Stream stream;
  // Events of the last producing call that did not fit the caller's buffers. Their TEXT spans
  // are offsets into staged_text, where each event's text follows the previous one's.
  std::vector<airlog_event> staged;
  std::vector<size_t> staged_text_end;  // end of each staged event's text in staged_text
  std::string staged_text;
  size_t cursor = 0;  // first staged event not yet handed over

  bool pending() const noexcept { return cursor < staged.size(); }
  // Bytes of staged_text already handed over.
  size_t delivered_text() const noexcept { return cursor == 0 ? 0 : staged_text_end[cursor - 1]; }
};

namespace {

using airlog::Event;

thread_local std::string t_last_error;

airlog_status fail(airlog_status status, std::string_view message) noexcept {
  try {
    t_last_error.assign(message);
  } catch (...) {
    t_last_error.clear();
  }
  return status;
}

// Runs `f`, turning any exception into a status: nothing escapes through the C boundary.
template <typename F>
airlog_status guarded(F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return fail(AIRLOG_OUT_OF_MEMORY, "airlog: out of memory");
  } catch (const std::exception& e) {
    return fail(AIRLOG_INTERNAL, e.what());
  } catch (...) {
    return fail(AIRLOG_INTERNAL, "airlog: unknown exception");
  }
}

airlog_status null_argument(const char* what) {
  return fail(AIRLOG_INVALID_ARGUMENT, std::string("airlog: ") + what + " is NULL");
}

std::string_view message_of(const absl::Status& st) {
  return std::string_view(st.message().data(), st.message().size());
}

airlog_status from_absl(const absl::Status& st, airlog_status fallback) {
  switch (st.code()) {
    case absl::StatusCode::kOk: return AIRLOG_OK;
    case absl::StatusCode::kInvalidArgument:
      return fail(fallback == AIRLOG_COMPILE_FAILED ? fallback : AIRLOG_INVALID_ARGUMENT, message_of(st));
    case absl::StatusCode::kResourceExhausted: return fail(AIRLOG_OUT_OF_MEMORY, message_of(st));
    default: return fail(fallback, message_of(st));
  }
}

// The text fields of an event (the field table's string_view members), and the airlog_event span
// of each, in the same order: the C struct's spans are named here, checked against the table.
constexpr auto& kEventText = airlog::detail::kTextMembers;
constexpr std::pair<std::string_view, airlog_span airlog_event::*> kEventSpanNames[] = {
    {"logger", &airlog_event::logger},
    {"file", &airlog_event::file},
    {"message", &airlog_event::message},
    {"dag_id", &airlog_event::dag_id},
    {"task_id", &airlog_event::task_id},
    {"run_id", &airlog_event::run_id},
    {"ti_id", &airlog_event::ti_id},
    {"exception_type", &airlog_event::exception_type},
    {"exception_message", &airlog_event::exception_message},
    {"http_method", &airlog_event::http_method},
    {"http_path", &airlog_event::http_path},
    {"client", &airlog_event::client},
    {"trace_id", &airlog_event::trace_id},
    {"span_id", &airlog_event::span_id},
    {"attrs", &airlog_event::attrs}};
constexpr auto kEventSpans = [] {
  std::array<airlog_span airlog_event::*, std::size(kEventSpanNames)> spans{};
  for (size_t i = 0; i < spans.size(); ++i) spans[i] = kEventSpanNames[i].second;
  return spans;
}();
static_assert(
    [] {
      if (kEventSpans.size() != kEventText.size()) return false;
      size_t n = 0;
      for (size_t i = 0; i < airlog::detail::kFieldCount; ++i)
        if (airlog::detail::kFieldMembers[i] != nullptr &&
            (n == kEventSpans.size() || airlog::detail::kFields[i].name != kEventSpanNames[n++].first))
          return false;
      return n == kEventSpans.size();
    }(),
    "airlog_event's spans and the field table's text rows differ (the C struct is a fixed ABI)");
// The spans are the struct's last 15 members, consecutive: the twelve of the 0.1.0 layout in
// table order, then the three appended after them (ti_id, trace_id, span_id).
static_assert(offsetof(airlog_event, logger) == 320 - 15 * sizeof(airlog_span) &&
              offsetof(airlog_event, attrs) == offsetof(airlog_event, logger) + 11 * sizeof(airlog_span) &&
              offsetof(airlog_event, span_id) == offsetof(airlog_event, logger) + 14 * sizeof(airlog_span));

// The input buffer of a producing call (empty for poll and flush).
struct Input {
  uintptr_t begin = 0;
  size_t size = 0;

  // Offset of `v` in the input, or npos when `v` lies (partly) elsewhere. Integer compares: the
  // pointers may belong to unrelated objects.
  size_t offset_of(std::string_view v) const noexcept {
    const uintptr_t p = reinterpret_cast<uintptr_t>(v.data());
    if (p < begin || p - begin > size || v.size() > size - (p - begin)) return std::string_view::npos;
    return p - begin;
  }
};

// Bytes of `e`'s text that do not lie in the input and must be copied.
size_t copied_text_size(const Event& e, const Input& in) noexcept {
  size_t n = 0;
  for (auto field : kEventText) {
    const std::string_view v = e.*field;
    if (!v.empty() && in.offset_of(v) == std::string_view::npos) n += v.size();
  }
  return n;
}

// Fills `out` from `e`; text not in the input is copied to `text` + *text_pos. Returns false,
// leaving *text_pos as it was, when that text does not fit in `text_capacity`.
bool convert(const Event& e, const Input& in, char* text, size_t text_capacity, size_t* text_pos, airlog_event& out) {
  const size_t text_start = *text_pos;
  out.line = e.line;
  out.lines = e.lines;
  out.flags = e.flags;
  out.ts_ns = e.ts_ns;
  out.logical_date_ns = e.logical_date_ns;
  out.ingest_ts_ns = e.ingest_ts_ns;
  out.has_ts = e.has_ts;
  out.has_logical_date = e.has_logical_date;
  out.has_return_code = e.has_return_code;
  out.has_ingest_ts = e.has_ingest_ts;
  out.level = static_cast<uint8_t>(e.level);
  out.component = static_cast<uint8_t>(e.component);
  out.format = static_cast<uint8_t>(e.format);
  out.kind = static_cast<uint8_t>(e.kind);
  out.state = static_cast<uint8_t>(e.state);
  out.channel = static_cast<uint8_t>(e.channel);
  std::memset(out.reserved0, 0, sizeof out.reserved0);
  out.lineno = e.lineno;
  out.try_number = e.try_number;
  out.map_index = e.map_index;
  out.return_code = e.return_code;
  out.http_status = e.http_status;
  out.reserved1 = 0;
  for (size_t i = 0; i < kEventText.size(); ++i) {
    const std::string_view v = e.*kEventText[i];
    airlog_span& s = out.*kEventSpans[i];
    if (v.size() > std::numeric_limits<uint32_t>::max()) throw std::length_error("airlog: text span over 4 GiB");
    s.length = static_cast<uint32_t>(v.size());
    if (v.empty()) {
      s.offset = 0;
      s.base = AIRLOG_SPAN_INPUT;
      continue;
    }
    const size_t at = in.offset_of(v);
    if (at != std::string_view::npos) {
      s.offset = at;
      s.base = AIRLOG_SPAN_INPUT;
    } else {
      if (v.size() > text_capacity - *text_pos) {
        *text_pos = text_start;
        return false;
      }
      std::memcpy(text + *text_pos, v.data(), v.size());
      s.offset = *text_pos;
      s.base = AIRLOG_SPAN_TEXT;
      *text_pos += v.size();
    }
  }
  return true;
}

bool valid_output(const airlog_output* out) noexcept {
  return out != nullptr && (out->events != nullptr || out->events_capacity == 0) &&
         (out->text != nullptr || out->text_capacity == 0);
}

void report(airlog_output* out, size_t events, size_t text, size_t events_pending, size_t text_pending) {
  out->events_written = events;
  out->text_written = text;
  out->events_pending = events_pending;
  out->text_pending = text_pending;
}

airlog_status too_small_or_ok(airlog_parser* p) {
  if (!p->pending()) return AIRLOG_OK;
  return fail(AIRLOG_BUFFER_TOO_SMALL, "airlog: " + std::to_string(p->staged.size() - p->cursor) +
                                           " events wait to be taken (airlog_parser_take)");
}

// Hands the batch of the call just made to the caller: the longest prefix that fits goes straight
// into the caller's buffers, the rest into the parser's staging area for take().
airlog_status deliver(airlog_parser* p, const airlog::Batch& batch, const Input& in, airlog_output* out) {
  const std::vector<Event>& events = batch.events;
  size_t i = 0, text_pos = 0;
  for (; i < events.size() && i < out->events_capacity; ++i)
    if (!convert(events[i], in, out->text, out->text_capacity, &text_pos, out->events[i])) break;
  p->staged.clear();
  p->staged_text_end.clear();
  p->staged_text.clear();
  p->cursor = 0;
  if (i < events.size()) {
    const size_t rest = events.size() - i;
    p->staged.resize(rest);
    p->staged_text_end.resize(rest);
    for (size_t k = 0; k < rest; ++k) {
      const Event& e = events[i + k];
      size_t pos = p->staged_text.size();
      p->staged_text.resize(pos + copied_text_size(e, in));
      convert(e, in, p->staged_text.data(), p->staged_text.size(), &pos, p->staged[k]);
      p->staged_text_end[k] = pos;
    }
  }
  report(out, i, text_pos, p->staged.size(), p->staged_text.size());
  return too_small_or_ok(p);
}

// Hands over staged events: the longest run from the cursor that fits, TEXT spans rebased to 0.
airlog_status take(airlog_parser* p, airlog_output* out) {
  const size_t text_start = p->delivered_text();
  size_t n = 0, text_end = text_start;
  while (p->cursor + n < p->staged.size() && n < out->events_capacity &&
         p->staged_text_end[p->cursor + n] - text_start <= out->text_capacity) {
    airlog_event& e = out->events[n] = p->staged[p->cursor + n];
    for (auto field : kEventSpans)
      if ((e.*field).base == AIRLOG_SPAN_TEXT) (e.*field).offset -= text_start;
    text_end = p->staged_text_end[p->cursor + n];
    ++n;
  }
  if (text_end > text_start) std::memcpy(out->text, p->staged_text.data() + text_start, text_end - text_start);
  p->cursor += n;
  report(out, n, text_end - text_start, p->staged.size() - p->cursor, p->staged_text.size() - text_end);
  return too_small_or_ok(p);
}

// A parser's calls use the calling thread's scratch for its database, not one of their own: scratch
// is per-call state, so an embedder with thousands of streams (the push gateway: one parser per
// incoming stream) holds a few scratches, not thousands, and a new parser costs no Hyperscan
// scratch allocation. A binding may call from any thread (cgo moves goroutines); each thread keeps
// the scratches of the last few databases it served, with a copy of each database so that its
// address is not reused while cached.
absl::StatusOr<airlog::Scratch*> thread_scratch(const airlog::Database& db) {
  struct Entry {
    airlog::Database db;
    airlog::Scratch scratch;
  };
  thread_local std::vector<Entry> cache;
  const void* id = &airlog::detail::impl_of(db);
  for (Entry& e : cache)
    if (&airlog::detail::impl_of(e.db) == id) return &e.scratch;
  absl::StatusOr<airlog::Scratch> scratch = airlog::Scratch::create(db);
  if (!scratch.ok()) return scratch.status();
  constexpr size_t kDatabasesPerThread = 4;
  if (cache.size() == kDatabasesPerThread) cache.erase(cache.begin());
  cache.push_back(Entry{db, *std::move(scratch)});
  return &cache.back().scratch;
}

// The common shape of feed / parse / poll / flush: argument checks, the pending-results rule,
// the C++ call into the parser's batch, then delivery.
template <typename Call>
airlog_status produce(airlog_parser* p, const Input& in, airlog_output* out, Call&& call) {
  return guarded([&]() -> airlog_status {
    if (p == nullptr) return null_argument("parser");
    if (!valid_output(out))
      return fail(AIRLOG_INVALID_ARGUMENT, "airlog: output is NULL or has a NULL buffer with a capacity");
    report(out, 0, 0, p->staged.size() - p->cursor, p->staged_text.size() - p->delivered_text());
    if (p->pending())
      return fail(AIRLOG_RESULTS_PENDING, "airlog: take the waiting events (airlog_parser_take) before the next call");
    // The batch lives only for the call (deliver copies what the caller gets), so it is the
    // thread's, like the scratch: an idle parser holds no event buffers.
    thread_local airlog::Batch batch;
    batch.clear();
    absl::StatusOr<airlog::Scratch*> scratch = thread_scratch(p->db);
    if (!scratch.ok()) return from_absl(scratch.status(), AIRLOG_INTERNAL);
    absl::Status st = call(**scratch, batch);
    if (!st.ok()) {
      batch.clear();
      return from_absl(st, AIRLOG_SCAN_FAILED);
    }
    return deliver(p, batch, in, out);
  });
}

// Static NUL-terminated copies of the contract's names of an enum.
template <size_t N, typename Enum>
const char* enum_name(int value) {
  static const std::array<std::string, N> names = [] {
    std::array<std::string, N> a;
    for (size_t i = 0; i < N; ++i) a[i] = std::string(airlog::to_string(static_cast<Enum>(i)));
    return a;
  }();
  if (value < 0 || static_cast<size_t>(value) >= N) return nullptr;
  return names[static_cast<size_t>(value)].c_str();
}

// The value of an enum argument as the caller passed it. A C caller may pass any 32-bit value;
// reading the bytes avoids a C++ enum load, undefined for values outside the enumerators' range.
template <typename Enum>
int32_t raw_value(const Enum& e) noexcept {
  static_assert(sizeof(Enum) == sizeof(int32_t));
  int32_t v;
  std::memcpy(&v, &e, sizeof v);
  return v;
}

airlog_status bad_value(airlog_option key, std::string_view why) {
  return fail(AIRLOG_INVALID_ARGUMENT, "airlog: option " + std::to_string(raw_value(key)) + ": " + std::string(why));
}

airlog_status unknown_option(airlog_option key, const char* setter) {
  return fail(AIRLOG_UNKNOWN_OPTION,
              "airlog: option " + std::to_string(raw_value(key)) + " is not one " + setter + " sets");
}

constexpr int64_t kU32Max = std::numeric_limits<uint32_t>::max();

// Renders into `buf` through the caller-size protocol shared by render_json and stats_json.
airlog_status copy_out(const std::string& text, char* buf, size_t capacity, size_t* size) {
  *size = text.size();
  if (text.size() > capacity)
    return fail(AIRLOG_BUFFER_TOO_SMALL, "airlog: the output needs " + std::to_string(text.size()) + " bytes");
  if (!text.empty()) std::memcpy(buf, text.data(), text.size());
  return AIRLOG_OK;
}

// The view a span names, or false when it lies outside its buffer.
bool span_view(const airlog_span& s, const char* input, size_t input_size, const char* text, size_t text_size,
               std::string_view* out) {
  if (s.length == 0) {
    *out = {};
    return true;
  }
  const char* base = s.base == AIRLOG_SPAN_INPUT ? input : s.base == AIRLOG_SPAN_TEXT ? text : nullptr;
  const size_t size = s.base == AIRLOG_SPAN_INPUT ? input_size : text_size;
  if (base == nullptr || s.offset > size || s.length > size - s.offset) return false;
  *out = std::string_view(base + s.offset, s.length);
  return true;
}

// The airlog::Event a caller-held airlog_event stands for; false if it is malformed.
bool to_event(const airlog_event& c, const char* input, size_t input_size, const char* text, size_t text_size,
              Event* e) {
  if (c.level >= airlog::kLevelCount || c.component >= airlog::kComponentCount || c.format >= airlog::kFormatCount ||
      c.kind >= airlog::kEventKindCount || c.state >= airlog::kStateCount || c.channel >= AIRLOG_CHANNEL_COUNT)
    return false;
  e->line = c.line;
  e->lines = c.lines;
  e->flags = c.flags;
  e->ts_ns = c.ts_ns;
  e->logical_date_ns = c.logical_date_ns;
  e->ingest_ts_ns = c.ingest_ts_ns;
  e->has_ts = c.has_ts != 0;
  e->has_logical_date = c.has_logical_date != 0;
  e->has_return_code = c.has_return_code != 0;
  e->has_ingest_ts = c.has_ingest_ts != 0;
  e->level = static_cast<airlog::Level>(c.level);
  e->component = static_cast<airlog::Component>(c.component);
  e->format = static_cast<airlog::Format>(c.format);
  e->kind = static_cast<airlog::EventKind>(c.kind);
  e->state = static_cast<airlog::State>(c.state);
  e->channel = static_cast<airlog::Channel>(c.channel);
  e->lineno = c.lineno;
  e->try_number = c.try_number;
  e->map_index = c.map_index;
  e->return_code = c.return_code;
  e->http_status = c.http_status;
  for (size_t i = 0; i < kEventText.size(); ++i)
    if (!span_view(c.*kEventSpans[i], input, input_size, text, text_size, &(e->*kEventText[i]))) return false;
  return true;
}

}  // namespace

// The rendering calls: arguments checked, each caller-held event turned back into an airlog::Event
// (spans and enums validated), render(event, out) appended, the result copied out under the
// "buffer too small" protocol.
template <typename Render>
airlog_status render_events(const airlog_event* events, size_t count, const char* input, size_t input_size,
                            const char* text, size_t text_size, char* buf, size_t capacity, size_t* size,
                            Render&& render) {
  return guarded([&]() -> airlog_status {
    if (size == nullptr) return null_argument("size");
    *size = 0;
    if (events == nullptr && count != 0) return null_argument("events");
    if (buf == nullptr && capacity != 0) return null_argument("buf");
    if (input == nullptr && input_size != 0) return null_argument("input");
    if (text == nullptr && text_size != 0) return null_argument("text");
    thread_local std::string out;
    out.clear();
    Event e;
    for (size_t i = 0; i < count; ++i) {
      if (!to_event(events[i], input, input_size, text, text_size, &e))
        return fail(AIRLOG_INVALID_ARGUMENT,
                    "airlog: event " + std::to_string(i) + " has a span outside its buffer or an enum out of range");
      render(e, out);
    }
    return copy_out(out, buf, capacity, size);
  });
}

extern "C" {

const char* airlog_version_string(void) { return airlog::kVersionString; }

uint32_t airlog_version_number(void) { return AIRLOG_VERSION_NUMBER; }

const char* airlog_status_string(airlog_status status) {
  switch (raw_value(status)) {
    case AIRLOG_OK: return "ok";
    case AIRLOG_INVALID_ARGUMENT: return "invalid argument";
    case AIRLOG_UNKNOWN_OPTION: return "unknown option";
    case AIRLOG_BUFFER_TOO_SMALL: return "buffer too small";
    case AIRLOG_OUT_OF_MEMORY: return "out of memory";
    case AIRLOG_RESULTS_PENDING: return "results pending";
    case AIRLOG_COMPILE_FAILED: return "compile failed";
    case AIRLOG_SCAN_FAILED: return "scan failed";
    case AIRLOG_INTERNAL: return "internal error";
    default: break;
  }
  return "unknown status";
}

const char* airlog_last_error_message(void) { return t_last_error.c_str(); }

const char* airlog_level_string(int v) { return enum_name<airlog::kLevelCount, airlog::Level>(v); }
const char* airlog_component_string(int v) { return enum_name<airlog::kComponentCount, airlog::Component>(v); }
const char* airlog_format_string(int v) { return enum_name<airlog::kFormatCount, airlog::Format>(v); }
const char* airlog_event_kind_string(int v) { return enum_name<airlog::kEventKindCount, airlog::EventKind>(v); }
const char* airlog_state_string(int v) { return enum_name<airlog::kStateCount, airlog::State>(v); }
const char* airlog_channel_string(int v) { return enum_name<AIRLOG_CHANNEL_COUNT, airlog::Channel>(v); }

airlog_status airlog_database_compile(airlog_database** out) {
  return guarded([&]() -> airlog_status {
    if (out == nullptr) return null_argument("out");
    *out = nullptr;
    absl::StatusOr<airlog::Database> db = airlog::Database::compile();
    if (!db.ok()) return from_absl(db.status(), AIRLOG_COMPILE_FAILED);
    *out = new airlog_database{*std::move(db)};
    return AIRLOG_OK;
  });
}

airlog_status airlog_database_free(airlog_database* db) {
  delete db;
  return AIRLOG_OK;
}

airlog_status airlog_database_rule_count(const airlog_database* db, size_t* out) {
  if (db == nullptr) return null_argument("database");
  if (out == nullptr) return null_argument("out");
  *out = db->db.rule_count();
  return AIRLOG_OK;
}

airlog_status airlog_options_create(airlog_options** out) {
  return guarded([&]() -> airlog_status {
    if (out == nullptr) return null_argument("out");
    *out = new airlog_options{};
    return AIRLOG_OK;
  });
}

airlog_status airlog_options_free(airlog_options* opts) {
  delete opts;
  return AIRLOG_OK;
}

airlog_status airlog_options_set_int(airlog_options* opts, airlog_option key, int64_t value) {
  if (opts == nullptr) return null_argument("options");
  airlog::Options& o = opts->options;
  const auto in = [&](int64_t lo, int64_t hi) { return value >= lo && value <= hi; };
  switch (raw_value(key)) {
    case AIRLOG_OPT_COMPONENT:
      if (!in(0, AIRLOG_COMPONENT_COUNT - 1)) return bad_value(key, "not an airlog_component");
      o.component = static_cast<airlog::Component>(value);
      return AIRLOG_OK;
    case AIRLOG_OPT_MAX_EVENT_LINES:
      if (!in(1, kU32Max)) return bad_value(key, "must be 1 .. 2^32-1");
      o.max_event_lines = static_cast<uint32_t>(value);
      return AIRLOG_OK;
    case AIRLOG_OPT_MAX_EVENT_BYTES:
      if (!in(1, kU32Max)) return bad_value(key, "must be 1 .. 2^32-1");
      o.max_event_bytes = static_cast<size_t>(value);
      return AIRLOG_OK;
    case AIRLOG_OPT_MAX_LINE_BYTES:
      if (!in(1, kU32Max)) return bad_value(key, "must be 1 .. 2^32-1");
      o.max_line_bytes = static_cast<size_t>(value);
      return AIRLOG_OK;
    case AIRLOG_OPT_ENVELOPE:
      if (!in(AIRLOG_ENVELOPE_AUTO, AIRLOG_ENVELOPE_EXPORT_TSV)) return bad_value(key, "not an airlog_envelope");
      o.envelope = static_cast<airlog::Envelope>(value);
      return AIRLOG_OK;
    case AIRLOG_OPT_MULTILINE_WAIT_NS:
      if (value < 0) return bad_value(key, "must not be negative");
      o.multiline_wait_ns = value;
      return AIRLOG_OK;
    case AIRLOG_OPT_DEDUP:
      if (!in(0, 1)) return bad_value(key, "must be 0 or 1");
      o.dedup = value == 1;
      return AIRLOG_OK;
    case AIRLOG_OPT_DEDUP_WINDOW_EVENTS:
      if (!in(1, kU32Max)) return bad_value(key, "must be 1 .. 2^32-1");
      o.dedup_window_events = static_cast<size_t>(value);
      return AIRLOG_OK;
    case AIRLOG_OPT_DEDUP_WINDOW_NS:
      if (value < 0) return bad_value(key, "must not be negative");
      o.dedup_window_ns = value;
      return AIRLOG_OK;
    case AIRLOG_OPT_REDACT:
      if (!in(0, 1)) return bad_value(key, "must be 0 or 1");
      o.redact = value == 1;
      return AIRLOG_OK;
    default: break;
  }
  return unknown_option(key, "airlog_options_set_int");
}

airlog_status airlog_options_set_string(airlog_options* opts, airlog_option key, const char* value) {
  return guarded([&]() -> airlog_status {
    if (opts == nullptr) return null_argument("options");
    if (value == nullptr) return null_argument("value");
    const std::string_view v(value);
    airlog::Options& o = opts->options;
    switch (raw_value(key)) {
      case AIRLOG_OPT_TIME_ZONE: {
        absl::StatusOr<airlog::detail::ZoneResolver> zone =
            airlog::detail::ZoneResolver::create(v);  // validated now, not at parser creation
        if (!zone.ok()) return bad_value(key, message_of(zone.status()));
        o.time_zone = std::string(v);
        return AIRLOG_OK;
      }
      case AIRLOG_OPT_COMPONENT: {
        airlog::Component c = airlog::Component::unknown;
        if (!v.empty() && v != "unknown" && !airlog::parse_component(v, &c))
          return bad_value(key, "unknown component '" + std::string(v) + "'");
        o.component = c;
        return AIRLOG_OK;
      }
      case AIRLOG_OPT_ENVELOPE: {
        if (!airlog::parse_envelope(v, &o.envelope))
          return bad_value(key,
                           "unknown envelope '" + std::string(v) + "' (" + std::string(airlog::kEnvelopeNames) + ")");
        return AIRLOG_OK;
      }
      default: break;
    }
    return unknown_option(key, "airlog_options_set_string");
  });
}

airlog_status airlog_options_get_int(const airlog_options* opts, airlog_option key, int64_t* out) {
  if (opts == nullptr) return null_argument("options");
  if (out == nullptr) return null_argument("out");
  const airlog::Options& o = opts->options;
  switch (raw_value(key)) {
    case AIRLOG_OPT_COMPONENT: *out = static_cast<int64_t>(o.component); return AIRLOG_OK;
    case AIRLOG_OPT_MAX_EVENT_LINES: *out = o.max_event_lines; return AIRLOG_OK;
    case AIRLOG_OPT_MAX_EVENT_BYTES: *out = static_cast<int64_t>(o.max_event_bytes); return AIRLOG_OK;
    case AIRLOG_OPT_MAX_LINE_BYTES: *out = static_cast<int64_t>(o.max_line_bytes); return AIRLOG_OK;
    case AIRLOG_OPT_ENVELOPE: *out = static_cast<int64_t>(o.envelope); return AIRLOG_OK;
    case AIRLOG_OPT_MULTILINE_WAIT_NS: *out = o.multiline_wait_ns; return AIRLOG_OK;
    case AIRLOG_OPT_DEDUP: *out = o.dedup ? 1 : 0; return AIRLOG_OK;
    case AIRLOG_OPT_DEDUP_WINDOW_EVENTS: *out = static_cast<int64_t>(o.dedup_window_events); return AIRLOG_OK;
    case AIRLOG_OPT_DEDUP_WINDOW_NS: *out = o.dedup_window_ns; return AIRLOG_OK;
    case AIRLOG_OPT_REDACT: *out = o.redact ? 1 : 0; return AIRLOG_OK;
    default: break;
  }
  return unknown_option(key, "airlog_options_get_int");
}

airlog_status airlog_parser_create(const airlog_database* db, const airlog_options* opts, const char* path,
                                   airlog_parser** out) {
  return guarded([&]() -> airlog_status {
    if (out == nullptr) return null_argument("out");
    *out = nullptr;
    if (db == nullptr) return null_argument("database");
    const airlog::Options defaults;
    absl::StatusOr<airlog::Stream> stream = airlog::Stream::create(db->db, opts ? opts->options : defaults,
                                                                   path ? std::string_view(path) : std::string_view());
    if (!stream.ok()) return from_absl(stream.status(), AIRLOG_INTERNAL);
    *out = new airlog_parser{db->db, *std::move(stream), {}, {}, {}, 0};
    return AIRLOG_OK;
  });
}

airlog_status airlog_parser_free(airlog_parser* p) {
  delete p;
  return AIRLOG_OK;
}

airlog_status airlog_parser_feed(airlog_parser* p, const char* data, size_t size, int64_t now_ns, airlog_output* out) {
  if (data == nullptr && size != 0) return null_argument("data");
  const Input in{reinterpret_cast<uintptr_t>(data), size};
  return produce(p, in, out, [&](airlog::Scratch& scratch, airlog::Batch& batch) {
    return p->stream.feed(scratch, std::string_view(data, size), batch, now_ns);
  });
}

airlog_status airlog_parser_parse(airlog_parser* p, const char* data, size_t size, int last, size_t* consumed,
                                  airlog_output* out) {
  if (data == nullptr && size != 0) return null_argument("data");
  if (consumed != nullptr) *consumed = 0;
  const Input in{reinterpret_cast<uintptr_t>(data), size};
  return produce(p, in, out, [&](airlog::Scratch& scratch, airlog::Batch& batch) {
    absl::Status st = p->stream.parse(scratch, std::string_view(data, size), last != 0, batch);
    if (st.ok() && consumed != nullptr) *consumed = batch.consumed;
    return st;
  });
}

airlog_status airlog_parser_poll(airlog_parser* p, int64_t now_ns, airlog_output* out) {
  return produce(p, Input{}, out, [&](airlog::Scratch& scratch, airlog::Batch& batch) {
    return p->stream.poll(scratch, now_ns, batch);
  });
}

airlog_status airlog_parser_flush(airlog_parser* p, airlog_output* out) {
  return produce(p, Input{}, out,
                 [&](airlog::Scratch& scratch, airlog::Batch& batch) { return p->stream.flush(scratch, batch); });
}

airlog_status airlog_parser_take(airlog_parser* p, airlog_output* out) {
  return guarded([&]() -> airlog_status {
    if (p == nullptr) return null_argument("parser");
    if (!valid_output(out))
      return fail(AIRLOG_INVALID_ARGUMENT, "airlog: output is NULL or has a NULL buffer with a capacity");
    return take(p, out);
  });
}

airlog_status airlog_parser_stats(const airlog_parser* p, airlog_stats* out) {
  if (p == nullptr) return null_argument("parser");
  if (out == nullptr) return null_argument("out");
  const airlog::Stats& s = p->stream.stats();
  std::memset(out, 0, sizeof *out);
  out->lines_in = s.lines_in;
  out->events_out = s.events_out;
  out->event_lines_out = s.event_lines_out;
  out->lines_folded = s.lines_folded;
  out->duplicates_dropped = s.duplicates_dropped;
  out->duplicate_events_dropped = s.duplicate_events_dropped;
  out->bytes_in = s.bytes_in;
  out->recognised_lines = s.recognised_lines;
  out->dedup_memory_bytes = s.dedup_memory_bytes;
  out->redactions = s.redactions;
  std::copy(s.by_format.begin(), s.by_format.end(), out->by_format);
  std::copy(s.by_component.begin(), s.by_component.end(), out->by_component);
  std::copy(s.by_level.begin(), s.by_level.end(), out->by_level);
  std::copy(s.by_event.begin(), s.by_event.end(), out->by_event);
  return AIRLOG_OK;
}

airlog_status airlog_parser_stats_json(const airlog_parser* p, char* buf, size_t capacity, size_t* size) {
  return guarded([&]() -> airlog_status {
    if (p == nullptr) return null_argument("parser");
    if (size == nullptr) return null_argument("size");
    if (buf == nullptr && capacity != 0) return null_argument("buf");
    std::string json;
    airlog::append_stats_json(p->stream.stats(), json);
    return copy_out(json, buf, capacity, size);
  });
}

airlog_status airlog_render_json(const airlog_event* events, size_t count, const char* input, size_t input_size,
                                 const char* text, size_t text_size, char* buf, size_t capacity, size_t* size) {
  return render_events(events, count, input, input_size, text, text_size, buf, capacity, size,
                       [](const Event& e, std::string& out) { airlog::append_json(e, out); });
}

airlog_status airlog_render_loki_fields(const airlog_event* events, size_t count, const char* input, size_t input_size,
                                        const char* text, size_t text_size, size_t max_value_bytes, char* buf,
                                        size_t capacity, size_t* size) {
  static_assert(AIRLOG_LOKI_LABEL == airlog::detail::kLokiLabel &&
                AIRLOG_LOKI_METADATA == airlog::detail::kLokiMetadata);
  thread_local std::string number;
  struct Records {
    std::string* out;
    size_t cap;
    void put(const airlog::detail::FieldInfo& f, std::string_view v) {
      constexpr uint8_t kRoles = airlog::detail::kLokiLabel | airlog::detail::kLokiMetadata;
      if (!(f.roles & kRoles)) return;
      out->push_back(static_cast<char>(f.roles & kRoles));
      out->push_back(static_cast<char>(f.name.size()));
      out->append(f.name);
      out->push_back(static_cast<char>(f.otel.size()));
      out->append(f.otel);
      const size_t at = out->size();
      out->append(4, '\0');
      airlog::detail::append_valid_utf8(cap ? airlog::detail::utf8_prefix(v, cap) : v, *out);
      put_u32(out->size() - at - 4, at);
    }
    void put_u32(size_t n, size_t at) {
      for (int b = 0; b < 4; ++b) (*out)[at + b] = static_cast<char>((n >> (8 * b)) & 0xff);
    }
    void text(const airlog::detail::FieldInfo& f, std::string_view s) { put(f, s); }
    void json(const airlog::detail::FieldInfo& f, std::string_view s) { put(f, s); }
    void flag(const airlog::detail::FieldInfo& f) { put(f, "true"); }
    void integer(const airlog::detail::FieldInfo& f, int64_t v) {
      number.clear();
      airlog::detail::append_int(v, number);
      put(f, number);
    }
    void date(const airlog::detail::FieldInfo& f, int64_t ns) {
      number.clear();
      airlog::detail::append_rfc3339_utc(ns, number);
      put(f, number);
    }
  };
  return render_events(events, count, input, input_size, text, text_size, buf, capacity, size,
                       [max_value_bytes](const Event& e, std::string& out) {
                         Records records{&out, max_value_bytes};
                         const size_t at = out.size();
                         out.append(4, '\0');  // the event's records' length, below
                         airlog::detail::visit_event_fields(e, records);
                         records.put_u32(out.size() - at - 4, at);
                       });
}

airlog_status airlog_redact_text(const char* text, size_t size, int json, char* buf, size_t capacity, size_t* out_size,
                                 size_t* redactions) {
  return guarded([&]() -> airlog_status {
    if (text == nullptr && size != 0) return null_argument("text");
    if (out_size == nullptr) return null_argument("out_size");
    if (buf == nullptr && capacity != 0) return null_argument("buf");
    thread_local airlog::Arena arena;  // reused: a call allocates only when its text holds secrets
    arena.clear();
    std::string_view out(text, size);
    const size_t count = airlog::detail::redact_text(out, json != 0, arena, out);
    if (redactions) *redactions = 0;
    *out_size = out.size();
    if (out.size() > capacity)
      return fail(AIRLOG_BUFFER_TOO_SMALL, "airlog: the output needs " + std::to_string(out.size()) + " bytes");
    if (!out.empty()) std::memmove(buf, out.data(), out.size());
    if (redactions) *redactions = count;
    return AIRLOG_OK;
  });
}

}  // extern "C"
