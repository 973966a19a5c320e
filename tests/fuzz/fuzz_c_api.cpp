// fuzz_c_api.cpp — libFuzzer target: random call sequences over the C API (include/airlog/airlog.h)
// with tiny caller buffers and airlog_parser_take.
//
// Input layout: byte 0 = mode (bit 0: parse() instead of feed(); bits 1-3: how many option
// settings follow), then per setting 3 bytes (key, value choice, setter), then operations: one
// byte each (kind + buffer sizes), a data operation followed by its 1-byte length and the bytes.
// Checks (abort() on failure):
//   * statuses are the documented ones: BUFFER_TOO_SMALL leaves events waiting, every producing
//     call then answers RESULTS_PENDING (writing nothing) until take() answers OK;
//   * written counts stay within the caller's capacities; every span lies inside its base buffer
//     (the producing call's input, or the delivering call's text) — airlog_render_json agrees;
//   * render_json with a too-small buffer reports the exact size needed and writes nothing;
//   * without poll(), the events of the whole sequence render exactly like one parse(last=1) of
//     the same bytes, and the stats invariant holds after the final flush;
//   * stats_json with a too-small buffer: BUFFER_TOO_SMALL and the size.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "airlog/airlog.h"
#include "fuzz_util.hpp"

namespace {

using airlog_fuzz::fail;

airlog_database* database() {
  static airlog_database* db = [] {
    airlog_database* d = nullptr;
    if (airlog_database_compile(&d) != AIRLOG_OK) fail("airlog_database_compile", airlog_last_error_message());
    return d;
  }();
  return db;
}

std::string status_text(airlog_status st) {
  return std::string(airlog_status_string(st)) + " (" + airlog_last_error_message() + ")";
}

struct Reader {
  const uint8_t* p;
  const uint8_t* end;
  bool empty() const { return p >= end; }
  uint8_t byte() { return p < end ? *p++ : 0; }
};

// Caller buffers, resized per call; a capacity of 0 passes NULL where the API allows it.
struct Buffers {
  std::vector<airlog_event> events;
  std::vector<char> text;
  airlog_output out{};

  airlog_output* prepare(size_t events_capacity, size_t text_capacity) {
    events.assign(events_capacity ? events_capacity : 1, airlog_event{});
    text.assign(text_capacity ? text_capacity : 1, '\0');
    out = airlog_output{};
    out.events = events.data();
    out.events_capacity = events_capacity;
    out.text = text_capacity ? text.data() : nullptr;
    out.text_capacity = text_capacity;
    return &out;
  }
};

void check_span(const airlog_span& s, size_t input_size, size_t text_size, const char* what) {
  if (s.length == 0) return;
  const size_t limit = s.base == AIRLOG_SPAN_INPUT ? input_size : s.base == AIRLOG_SPAN_TEXT ? text_size : 0;
  if (s.base > AIRLOG_SPAN_TEXT || s.offset > limit || s.length > limit - s.offset)
    fail("a span lies outside its buffer", std::string(what) + " base " + std::to_string(s.base) + " offset " +
                                               std::to_string(s.offset) + " length " + std::to_string(s.length) +
                                               " (input " + std::to_string(input_size) + ", text " +
                                               std::to_string(text_size) + ")");
}

// Checks what one call delivered and appends its JSON rendering to `jsonl`.
void deliver(const airlog_output& out, const char* input, size_t input_size, std::string& jsonl) {
  if (out.events_written > out.events_capacity) fail("events_written exceeds events_capacity");
  if (out.text_written > out.text_capacity) fail("text_written exceeds text_capacity");
  for (size_t i = 0; i < out.events_written; ++i) {
    const airlog_event& e = out.events[i];
    const airlog_span* spans[] = {&e.logger,      &e.file,      &e.message,        &e.dag_id,
                                  &e.task_id,     &e.run_id,    &e.exception_type, &e.exception_message,
                                  &e.http_method, &e.http_path, &e.client,         &e.attrs,
                                  &e.ti_id,       &e.trace_id,  &e.span_id};
    for (const airlog_span* s : spans) check_span(*s, input_size, out.text_written, "event span");
  }
  if (out.events_written == 0) return;
  size_t need = 0;
  airlog_status st = airlog_render_json(out.events, out.events_written, input, input_size, out.text, out.text_written,
                                        nullptr, 0, &need);
  if (st != AIRLOG_BUFFER_TOO_SMALL || need == 0) fail("render_json into no buffer", status_text(st));
  std::string buf(need + 1, '#');
  size_t got = 0;
  st = airlog_render_json(out.events, out.events_written, input, input_size, out.text, out.text_written, buf.data(),
                          need - 1, &got);
  if (st != AIRLOG_BUFFER_TOO_SMALL || got != need || buf[0] != '#')
    fail("render_json into a buffer one byte short wrote or sized wrongly", status_text(st));
  st = airlog_render_json(out.events, out.events_written, input, input_size, out.text, out.text_written, buf.data(),
                          need, &got);
  if (st != AIRLOG_OK || got != need || buf[need] != '#') fail("render_json into an exact buffer", status_text(st));
  jsonl.append(buf.data(), need);
}

// Parser state the sequence must respect.
struct Session {
  airlog_parser* parser = nullptr;
  bool pending = false;
  const char* pending_input = nullptr;  // input of the call whose events wait
  size_t pending_input_size = 0;
  std::string jsonl;
};

// After a producing call: OK, or BUFFER_TOO_SMALL with events waiting.
void after_producing(Session& s, airlog_status st, const airlog_output& out, const char* input, size_t input_size,
                     const char* what) {
  if (st != AIRLOG_OK && st != AIRLOG_BUFFER_TOO_SMALL) fail(what, status_text(st));
  deliver(out, input, input_size, s.jsonl);
  if (st == AIRLOG_BUFFER_TOO_SMALL) {
    if (out.events_pending == 0) fail("BUFFER_TOO_SMALL without events pending");
    s.pending = true;
    s.pending_input = input;
    s.pending_input_size = input_size;
  } else if (out.events_pending != 0) {
    fail("OK with events pending");
  }
}

// take() until nothing waits: first with the caller's tiny buffers, then grown to what is pending.
void take_all(Session& s, Buffers& b, size_t events_capacity, size_t text_capacity) {
  int tries = 0;
  while (s.pending) {
    airlog_output* out = b.prepare(events_capacity, text_capacity);
    const airlog_status st = airlog_parser_take(s.parser, out);
    if (st != AIRLOG_OK && st != AIRLOG_BUFFER_TOO_SMALL) fail("take", status_text(st));
    deliver(*out, s.pending_input, s.pending_input_size, s.jsonl);
    if (st == AIRLOG_OK) {
      if (out->events_pending != 0) fail("take OK with events pending");
      s.pending = false;
      break;
    }
    if (out->events_pending == 0) fail("take BUFFER_TOO_SMALL without events pending");
    if (out->events_written == 0 || ++tries > 64) {
      events_capacity = out->events_pending;
      text_capacity = out->text_pending;
      tries = 0;
    }
  }
}

void expect_pending_refusal(Session& s, Buffers& b, bool parse_mode) {
  airlog_output* out = b.prepare(4, 64);
  size_t consumed = 0;
  const airlog_status st =
      parse_mode ? airlog_parser_parse(s.parser, nullptr, 0, 0, &consumed, out) : airlog_parser_flush(s.parser, out);
  if (st != AIRLOG_RESULTS_PENDING || out->events_written != 0 || out->text_written != 0)
    fail("a producing call while events wait did not answer RESULTS_PENDING", status_text(st));
}

constexpr int64_t kInts[] = {-1, 0, 1, 2, 3, 7, 64, 1000, 3'000'000'000, INT64_MAX, int64_t{1} << 32};
constexpr const char* kStrings[] = {"UTC",  "Europe/Berlin", "+02:00", "Mars/Olympus", "auto", "cri",  "docker",
                                    "none", "scheduler",     "task",   "api-server",   "",     "bogus"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in{data, data + size};
  const uint8_t mode = in.byte();
  const bool parse_mode = mode & 1;

  // Handles: NULL is rejected or a no-op, never a crash.
  if (airlog_parser_free(nullptr) != AIRLOG_OK || airlog_options_free(nullptr) != AIRLOG_OK)
    fail("free(NULL) is not a no-op");
  if (airlog_parser_flush(nullptr, nullptr) != AIRLOG_INVALID_ARGUMENT) fail("flush(NULL) is not INVALID_ARGUMENT");

  airlog_options* opts = nullptr;
  if (airlog_options_create(&opts) != AIRLOG_OK) fail("options_create");
  for (int i = 0, n = (mode >> 1) & 7; i < n; ++i) {
    const auto key = static_cast<airlog_option>(in.byte() % 12);
    const uint8_t v = in.byte();
    const airlog_status st = (in.byte() & 1) ? airlog_options_set_string(opts, key, kStrings[v % std::size(kStrings)])
                                             : airlog_options_set_int(opts, key, kInts[v % std::size(kInts)]);
    if (st != AIRLOG_OK && st != AIRLOG_INVALID_ARGUMENT && st != AIRLOG_UNKNOWN_OPTION)
      fail("options setter", status_text(st));
  }

  Session s;
  if (airlog_status st =
          airlog_parser_create(database(), opts, "logs/dag_id=d/run_id=r/task_id=t/attempt=1.log", &s.parser);
      st != AIRLOG_OK) {
    if (st != AIRLOG_INVALID_ARGUMENT) fail("parser_create", status_text(st));
    airlog_options_free(opts);
    return 0;
  }

  Buffers b;
  std::vector<std::unique_ptr<char[]>> inputs;  // kept until the end: waiting events point into them
  std::string all;                              // every byte given, for the reference parse
  std::string carry;                            // parse mode: the unconsumed tail
  bool polled = false;
  while (!in.empty()) {
    const uint8_t op = in.byte();
    const size_t events_capacity = (op >> 3) & 3;                        // 0..3
    const size_t text_capacity = ((op >> 5) & 7) * ((op >> 5) & 7) * 3;  // 0..147
    if (s.pending && (op & 7) != 4) expect_pending_refusal(s, b, parse_mode);
    switch (op & 7) {
      case 0:
      case 1:
      case 2: {  // data
        const size_t n = std::min<size_t>(in.byte(), in.end - in.p);
        std::string piece(reinterpret_cast<const char*>(in.p), n);
        in.p += n;
        take_all(s, b, events_capacity, text_capacity);
        all += piece;
        if (parse_mode) piece = carry + piece;
        inputs.emplace_back(new char[piece.size() ? piece.size() : 1]);
        char* buf = inputs.back().get();
        std::memcpy(buf, piece.data(), piece.size());
        airlog_output* out = b.prepare(events_capacity, text_capacity);
        if (parse_mode) {
          size_t consumed = SIZE_MAX;
          const airlog_status st = airlog_parser_parse(s.parser, buf, piece.size(), 0, &consumed, out);
          after_producing(s, st, *out, buf, piece.size(), "parse(last=0)");
          if (consumed > piece.size()) fail("parse consumed more than it was given");
          carry = piece.substr(consumed);
        } else {
          after_producing(s, airlog_parser_feed(s.parser, buf, piece.size(), 0, out), *out, buf, piece.size(), "feed");
        }
        break;
      }
      case 3: {  // poll (feed mode only), by a clock far past any wait
        if (parse_mode) break;
        take_all(s, b, events_capacity, text_capacity);
        polled = true;
        airlog_output* out = b.prepare(events_capacity, text_capacity);
        after_producing(s, airlog_parser_poll(s.parser, int64_t{1} << 62, out), *out, nullptr, 0, "poll");
        break;
      }
      case 4:  // take
        take_all(s, b, events_capacity, text_capacity);
        break;
      case 5: {  // stats JSON into a tiny buffer
        char tiny[16];
        size_t need = 0;
        const airlog_status st = airlog_parser_stats_json(s.parser, tiny, sizeof tiny, &need);
        if (st != AIRLOG_BUFFER_TOO_SMALL || need <= sizeof tiny) fail("stats_json into 16 bytes", status_text(st));
        break;
      }
      default:  // a bogus option key and a NULL output: refused, state unchanged
        if (airlog_options_set_int(opts, static_cast<airlog_option>(999), 1) != AIRLOG_UNKNOWN_OPTION)
          fail("unknown option key accepted");
        if (airlog_parser_take(s.parser, nullptr) != AIRLOG_INVALID_ARGUMENT) fail("take(NULL output) accepted");
        break;
    }
  }
  // The end: what the parse mode still holds, then flush.
  take_all(s, b, 1, 8);
  if (parse_mode) {
    inputs.emplace_back(new char[carry.size() ? carry.size() : 1]);
    char* buf = inputs.back().get();
    std::memcpy(buf, carry.data(), carry.size());
    airlog_output* out = b.prepare(1, 8);
    size_t consumed = 0;
    after_producing(s, airlog_parser_parse(s.parser, buf, carry.size(), 1, &consumed, out), *out, buf, carry.size(),
                    "parse(last=1)");
    if (consumed != carry.size()) fail("parse(last=1) left bytes unconsumed");
  } else {
    airlog_output* out = b.prepare(2, 40);
    after_producing(s, airlog_parser_flush(s.parser, out), *out, nullptr, 0, "flush");
  }
  take_all(s, b, 2, 40);
  airlog_stats stats{};
  if (airlog_parser_stats(s.parser, &stats) != AIRLOG_OK) fail("parser_stats");
  if (stats.lines_in != stats.event_lines_out + stats.duplicates_dropped)
    fail("C API stats invariant lines_in == event_lines_out + duplicates_dropped");
  airlog_fuzz::check_json_lines(s.jsonl);

  // The reference: the same bytes in one parse(last=1) with room for everything.
  if (!polled) {
    Session ref;
    if (airlog_parser_create(database(), opts, "logs/dag_id=d/run_id=r/task_id=t/attempt=1.log", &ref.parser) !=
        AIRLOG_OK)
      fail("reference parser_create");
    std::unique_ptr<char[]> buf(new char[all.size() ? all.size() : 1]);
    std::memcpy(buf.get(), all.data(), all.size());
    airlog_output* out = b.prepare(0, 0);
    size_t consumed = 0;
    after_producing(ref, airlog_parser_parse(ref.parser, buf.get(), all.size(), 1, &consumed, out), *out, buf.get(),
                    all.size(), "reference parse");
    take_all(ref, b, 0, 0);  // grown to what is pending
    if (ref.jsonl != s.jsonl)
      fail("the call sequence's events differ from one parse of the same bytes",
           "--- one parse:\n" + ref.jsonl.substr(0, 2000) + "\n--- sequence:\n" + s.jsonl.substr(0, 2000));
    airlog_parser_free(ref.parser);
  }
  airlog_parser_free(s.parser);
  airlog_options_free(opts);
  return 0;
}
