// assemble.cpp — assembly: turns classified lines into events. One pending event is open at a
// time; unrecognised lines that follow a record fold into it (tracebacks, TAB-indented
// TaskInstance lists, stats tables, printed output), until the next record or a cap. The pending
// event never outlives a call (when the buffer is not the last, its lines are left unconsumed and
// parsed again with more data; only the head of a record split by a cap is kept, in
// StreamState::resume, so its continuation resumes the same way). Whatever the chunking, the
// events are byte-identical to one call over the whole input. The Assembler runs per line and
// lives in this file only, with parse_block, its one driver, so its methods inline there.
#include "core/assemble.hpp"
#include "core/handles.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "common/text.hpp"
#include "core/classify.hpp"
#include "core/enrich.hpp"
#include "core/first_lines.hpp"
#include "core/redact.hpp"
#include "core/rules.hpp"

namespace airlog::detail {

namespace {

bool looks_like_exception_line(std::string_view s) noexcept {
  if (s.empty() || !(is_alpha(s[0]) || s[0] == '_')) return false;
  size_t i = 0;
  while (i < s.size() && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '_' || s[i] == '.')) ++i;
  return i == s.size() || s[i] == ':';
}

// Lines Python prints between two exceptions of one chain: the traceback after them continues
// the same event.
bool chains_exceptions(std::string_view s) noexcept {
  return starts_with(s, "During handling of the above exception") ||
         starts_with(s, "The above exception was the direct cause of the following exception");
}

// Headers Python prints before a traceback of its own (multiprocessing's `Process ForkProcess-35:`,
// threading's `Exception in thread …:`, the interpreter's unraisable / atexit / logging-error
// reports): after an ended traceback each opens a new event, as a `Traceback` line does.
struct TracebackHeader {
  std::string_view prefix;
  bool ends_with_colon;  // the whole line is `<prefix><name>:`
};
constexpr TracebackHeader kTracebackHeaders[] = {
    {"Process ", true},
    {"Exception in thread ", true},
    {"Exception ignored in: ", false},
    {"Exception ignored on ", false},
    {"Error in atexit._run_exitfuncs:", false},
    {"--- Logging error ---", false},
};

bool opens_traceback(std::string_view s) noexcept {
  if (starts_with(s, anchor_literal(Anchor::traceback))) return true;
  for (const TracebackHeader& h : kTracebackHeaders) {
    if (!starts_with(s, h.prefix)) continue;
    if (!h.ends_with_colon) return true;
    std::string_view name = s.substr(h.prefix.size());
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    // `Process ForkProcess-35:` — a name without spaces (threads' names may hold some).
    if (name.size() > 1 && name.back() == ':' && (h.prefix != "Process " || name.find(' ') == std::string_view::npos))
      return true;
  }
  return false;
}

// The event being assembled. Assembler::start() sets every field (a new one must be set there).
struct Pending {
  bool active = false;
  LineResult head;
  uint64_t line = 0;       // 1-based line number of the first line
  size_t first_begin = 0;  // block offset where the event's first line starts
  size_t first_index = 0;  // its index among the lines of the call
  size_t fold_begin = 0;   // block offset of the first folded line
  size_t last_end = 0;     // block offset one past the last line's text
  uint32_t lines = 0;      // lines of the block (inner lines, with an envelope)
  uint32_t physical = 0;   // physical lines of the input they stand for (outer lines)
  uint32_t head_physical = 0;
  Channel channel = Channel::none;  // the envelope's stream of the first line
  size_t bytes = 0;
  bool dirty = false;  // folded text cannot be one view of the block
  bool in_traceback = false;
  bool traceback_seen = false;
  bool chained = false;  // a chaining line followed the ended traceback: the next one continues it
  std::string_view exception_line;
  uint32_t exception_index = 0;   // the exception line's place among the event's lines (0: the first)
  uint32_t exception_end = 0;     // one past the last line with text that continues its message
  bool exception_closed = false;  // a chaining line came after it: its message ended
  uint32_t flags = 0;
  uint64_t anchors = 0;             // OR of its lines' anchors (the secret hint asks for redaction)
  bool split_in_traceback = false;  // a continuation: whether the split fell inside a traceback
  bool blank_lead = false;          // a lone blank raw line, held one line for a Celery record it leads
};

class Assembler {
 public:
  // `cut_end`: block offset where a partial line the caller cut at max_line_bytes ends (npos if none).
  Assembler(StreamState& st, ScratchImpl& scratch, std::string_view block, Batch& out, size_t cut_end)
      : st_(st), scratch_(scratch), block_(block), out_(out), cut_end_(cut_end), enrich_(st, out.arena) {
    ctx_.zone = &st.zone;
    ctx_.arena = &out.arena;
    ctx_.scratch = &scratch;
    ctx_.block = block;
    ctx_.known_dags = &st.known_dags;
    ctx_.context_dag_id = st.path.dag_id;
    if (st.resume.active) {
      // The first line of this call continues a record split by a cap in an earlier call.
      StreamState::Resume& r = st.resume;
      resume_head_ = r.head;
      Event& ev = resume_head_.ev;
      Arena& a = out.arena;
      for (size_t i = 0; i < kHeaderText.size(); ++i) ev.*kHeaderText[i] = a.copy(r.header[i]);
      resume_in_traceback_ = r.in_traceback;
      resuming_ = true;
    }
  }

  // Processes one physical line [begin, end) (terminator excluded). `meta`: what an envelope said
  // about it (null without one).
  void line(size_t begin, size_t end, uint64_t anchors, uint64_t number, const LineMeta* meta) {
    const bool resuming = resuming_;
    resuming_ = false;
    meta_ = meta;
    if (meta && meta->source != st_.export_source) adopt_export_source(meta->source);
    weight_ = meta ? meta->physical : 1;
    channel_ = meta ? meta->channel : Channel::none;
    std::string_view text = block_.substr(begin, end - begin);
    if (anchors & kUnscanned)
      anchors = scan_text(detail::impl_of(st_.db), scratch_, text);  // left to the JSON reader, read here after all
    // Already cut by the caller (or the envelope decoder): its end is not the line's end.
    const bool cut = meta ? meta->cut : end == cut_end_;
    bool had_cr = false;
    if (!cut && (anchors & bit(Anchor::carriage_return)) && !text.empty() && text.back() == '\r') {
      text.remove_suffix(1);
      had_cr = true;
    }
    const bool over_long = cut || text.size() > st_.options.max_line_bytes;
    if (over_long) {
      // Its first max_line_bytes bytes form an event of their own, flagged truncated; the rest of
      // the line is skipped. Nothing folds into it (a chunked parse never sees the line whole), and
      // only anchors inside the kept bytes count.
      text = block_.substr(begin, std::min(end - begin, st_.options.max_line_bytes));
      had_cr = false;
      if (!cut) anchors = scan_text(detail::impl_of(st_.db), scratch_, text);
      finish();
      start_flags_ = kFlagTruncated;
    }
    LineResult r;
    if (resuming && !over_long) {
      // This line started the open continuation when an earlier call last saw it.
      continue_record(resume_head_, resume_in_traceback_, begin, text, had_cr, anchors, number);
    } else if (!parse_line(text, anchors, ctx_, r)) {
      unrecognised(begin, text, had_cr, anchors, number, over_long);
    } else if (r.pod_text && pending_.active && pending_.head.pod_relay &&
               relay_container(text) == relay_container(block_.substr(pending_.first_begin)) &&
               folds_into_pending(text, anchors, over_long)) {
      fold(begin, text, had_cr, anchors, number);  // a pod's traceback or run-on text, relayed line by line
    } else if (r.after_blank && pending_.blank_lead && !over_long && same_channel()) {
      adopt_lead(r, begin, text, had_cr, anchors, number);  // Celery printed the blank line before it
    } else if (r.ev.format == Format::airflow_banner && !over_long && same_channel() &&
               continues_banner(r.ev.message)) {
      fold(begin, text, had_cr, anchors, number);  // the next line of the same printed / logged banner
    } else {
      finish();  // first, so an explicit dag_id on the previous record can split this one's repr
      if (!r.source_path.empty() || r.task_identity) adopt_source(r);
      if (json_decoded(r.ev.format))
        anchors = json_anchors(anchors, message_anchors(r.ev.message, text, anchors));
      else if (r.ev.format == Format::airflow_console && (anchors & ~kLineMarks))
        // Templates are read from the event text, as for the same event's JSON line: a literal
        // in a pair's value (`error='Failed to import …'`) names no template.
        anchors = json_anchors(anchors, scan_text(detail::impl_of(st_.db), scratch_, r.ev.message));
      else if (r.ev.format == Format::airlog_json)
        anchors &= kLineMarks;  // airlog's own line: its fields were read from the text already
      if (templated(r.ev.format)) extract_templates(anchors, ctx_, r.ev);
      start(r, begin, text, had_cr, number, anchors);
      if (!r.foldable) finish();
    }
    if (over_long) finish();
    ++line_index_;
  }

  // JSON-led lines spans[0 .. n) of plain input (none cut; see parse_json_run): read as one run
  // through simdjson's batch reader and assembled exactly as line() would assemble them one by
  // one. Returns the lines taken (0 when this call must resume a split record first).
  size_t json_run(const LineSpan* spans, size_t n, uint64_t first_number) {
    if (resuming_) return 0;
    n = std::min(n, kJsonRunLines);
    const size_t k = parse_json_run(block_, spans, n, st_.options.max_line_bytes, ctx_, scratch_.json_results.data());
    scan_json_messages(detail::impl_of(st_.db), scratch_, k);
    for (size_t j = 0; j < k; ++j) {
      meta_ = nullptr;
      weight_ = 1;
      channel_ = Channel::none;
      const LineSpan& s = spans[j];
      std::string_view text = block_.substr(s.begin, s.end - s.begin);
      bool had_cr = false;
      if ((s.anchors & bit(Anchor::carriage_return)) && !text.empty() && text.back() == '\r') {
        text.remove_suffix(1);
        had_cr = true;
      }
      LineResult& r = scratch_.json_results[j];
      uint64_t anchors = s.anchors;
      if (json_decoded(r.ev.format))
        anchors = json_anchors(anchors, scratch_.message_spans[j].anchors);
      else if (r.ev.format == Format::airlog_json)
        anchors &= kLineMarks;
      else if (anchors & kUnscanned)
        anchors = scan_text(detail::impl_of(st_.db), scratch_, block_.substr(s.begin, s.end - s.begin));
      finish();
      if (templated(r.ev.format)) extract_templates(anchors, ctx_, r.ev);
      start(r, s.begin, text, had_cr, first_number + j, anchors);
      if (!r.foldable) finish();
      ++line_index_;
    }
    return k;
  }

  // A line no layout matched: it folds into the open record, or stands alone as a raw event (a
  // traceback header opens a traceback event that the frames after it fold into).
  void unrecognised(size_t begin, std::string_view text, bool had_cr, uint64_t anchors, uint64_t number,
                    bool over_long) {
    if (folds_into_pending(text, anchors, over_long)) {
      fold(begin, text, had_cr, anchors, number);
      return;
    }
    finish();
    LineResult raw;
    raw.ev.message = text;
    raw.message_in_place = true;
    std::string_view content = clean(text, anchors);
    // A traceback printed under `kubectl logs --prefix`: its lines fold as a prefixed record's.
    const std::string_view unprefixed = strip_kubectl(content);
    if (unprefixed.data() != content.data() && starts_with(unprefixed, anchor_literal(Anchor::traceback))) {
      content = unprefixed;
      raw.kubectl_prefixed = true;
    }
    if (starts_with(content, anchor_literal(Anchor::traceback))) {
      raw.ev.format = Format::traceback;
      raw.ev.level = Level::error;
      raw.ev.message = content;
      raw.message_in_place = content.data() == text.data();
      start(raw, begin, text, had_cr, number, anchors);
      return;
    }
    raw.foldable = false;
    start(raw, begin, text, had_cr, number, anchors);
    // A blank line stays open for one more line: Celery writes one before its banner and its
    // shutdown messages (after_blank), and it is theirs. Any other next line emits it as it was.
    if (!over_long && !nul_only(text) && content.find_first_not_of(" \t") == std::string_view::npos)
      pending_.blank_lead = true;
    else
      finish();
  }

  // Whether line `text`, read as no record of its own, joins the open event.
  bool folds_into_pending(std::string_view text, uint64_t anchors, bool over_long) {
    return pending_.active && pending_.head.foldable && !over_long && same_channel() && same_pod(text) &&
           !nul_only(text) && !starts_another_traceback(text, anchors);
  }

  // Emits the pending event, if any.
  void finish() {
    if (!pending_.active) return;
    Pending& p = pending_;
    // Built in place in the output (one copy of the head, not two); taken back if a duplicate.
    Event& ev = out_.events.emplace_back(p.head.ev);
    ev.line = p.line;
    ev.lines = p.physical;
    ev.flags |= p.flags;
    if (p.lines > 1) ev.message = joined_message();
    if (p.lines > 1 && ev.format == Format::airflow_console && ev.logger.empty() && !p.traceback_seen)
      take_console_trailer(ev);
    enrich_.complete(ev, p.lines > 1 ? exception_text(ev.message) : p.exception_line, p.traceback_seen,
                     p.head.line_component);
    if (st_.dedup) {
      const bool duplicate = st_.dedup->seen(ev);
      st_.stats.dedup_memory_bytes = st_.dedup->memory_bytes();
      if (duplicate) {
        // Counted in physical lines, so lines_in == events_out_lines + duplicates_dropped holds.
        st_.stats.duplicates_dropped += ev.lines;
        st_.stats.duplicate_events_dropped += 1;
        out_.events.pop_back();
        p.active = false;
        return;
      }
    }
    // After the duplicate check, which sees the text as written (two lines differing only in a
    // password are two events).
    if (st_.options.redact && (p.anchors & kHintMarks)) st_.stats.redactions += redact_event(ev, out_.arena, p.anchors);
    enrich_.count(ev, p.head_physical);  // the event stays in out_.events: the one place events leave
    p.active = false;
  }

  bool has_pending() const { return pending_.active; }
  size_t pending_begin() const { return pending_.first_begin; }
  // How many lines of this call come before the open event's first line.
  size_t pending_index() const { return pending_.first_index; }

  // Called when the open event is left unconsumed: if it continues a split record, keep what
  // the next call needs to resume it (the record's head, owned).
  void save_resume() {
    StreamState::Resume& r = st_.resume;
    r.active = pending_.active && (pending_.head.ev.flags & kFlagContinued);
    if (!r.active) return;
    r.head = pending_.head;
    const Event& ev = pending_.head.ev;
    for (size_t i = 0; i < kHeaderText.size(); ++i) r.header[i].assign(ev.*kHeaderText[i]);
    Event& h = r.head.ev;
    for (std::string_view Event::*member : kTextMembers) h.*member = {};  // views of this call's batch
    r.in_traceback = pending_.split_in_traceback;
  }

 private:
  // A raw line's text with ANSI escapes removed (into the arena) for the traceback checks.
  std::string_view clean(std::string_view text, uint64_t anchors) {
    size_t nul = 0;
    while (nul < text.size() && text[nul] == '\0') ++nul;
    text.remove_prefix(nul);
    if (!(anchors & bit(Anchor::esc))) return text;
    char* buf = out_.arena.allocate(text.size());
    size_t n = strip_ansi(text, buf);
    out_.arena.shrink_last(buf, n);
    return {buf, n};
  }

  void start(const LineResult& r, size_t begin, std::string_view text, bool had_cr, uint64_t number, uint64_t anchors) {
    Pending& p = pending_;
    // Every field set here (no `p = Pending{}`: that would write the ~300-byte head twice per line).
    p.head = r;
    p.active = true;
    p.in_traceback = p.traceback_seen = p.split_in_traceback = p.blank_lead = p.chained = false;
    p.exception_line = {};
    p.anchors = anchors;
    p.exception_index = p.exception_end = 0;
    p.exception_closed = false;
    p.line = number;
    p.flags = start_flags_;
    start_flags_ = 0;
    p.first_begin = begin;
    p.first_index = line_index_;
    p.last_end = static_cast<size_t>(text.data() + text.size() - block_.data());
    p.fold_begin = p.last_end;
    p.lines = 1;
    p.physical = p.head_physical = weight_;
    p.channel = channel_;
    if (meta_ && meta_->has_time) {
      // The runtime's stamp: kept, and the event's time when the line carries none (uvicorn).
      Event& ev = p.head.ev;
      ev.ingest_ts_ns = meta_->time_ns;
      ev.has_ingest_ts = true;
      if (!ev.has_ts) {
        ev.ts_ns = meta_->time_ns;
        ev.has_ts = true;
      }
    }
    if (p.head.ev.channel == Channel::none) p.head.ev.channel = channel_;  // JSON `chan` wins
    // An export's labels name the component as a compose prefix does (the line's own hint wins).
    if (meta_ && meta_->component != Component::unknown && p.head.line_component == Component::unknown)
      p.head.line_component = meta_->component;
    p.bytes = r.ev.message.size();
    p.dirty = had_cr || !r.message_in_place;
    if (r.ev.format == Format::traceback || (anchors & bit(Anchor::traceback))) {
      p.in_traceback = true;
      p.traceback_seen = true;
    }
  }

  void fold(size_t begin, std::string_view text, bool had_cr, uint64_t anchors, uint64_t number) {
    Pending& p = pending_;
    if (p.physical + weight_ > st_.options.max_event_lines || p.bytes + 1 + text.size() > st_.options.max_event_bytes) {
      // Cap reached: emit what we have, continue the same record in a new event.
      LineResult head = p.head;
      bool tb = p.in_traceback;
      p.flags |= kFlagTruncated;
      finish();
      continue_record(head, tb, begin, text, had_cr, anchors, number);
      return;
    }
    if (p.lines == 1) p.fold_begin = begin;
    p.anchors |= anchors;
    p.lines += 1;
    p.physical += weight_;
    p.bytes += 1 + text.size();
    p.last_end = static_cast<size_t>(text.data() + text.size() - block_.data());
    if (had_cr || (anchors & bit(Anchor::esc)) || p.head.compose_prefixed || p.head.kubectl_prefixed ||
        p.head.pod_relay)
      p.dirty = true;
    track_traceback(strip_outer(p.head, clean(text, anchors)));
  }

  // The record `r` of line `text` takes over the open blank lead line as its first line: the event
  // starts at the lead, the record's fields are its fields, and the message is both lines as
  // printed (`\nworker: Warm shutdown (MainProcess)`).
  void adopt_lead(LineResult& r, size_t begin, std::string_view text, bool had_cr, uint64_t anchors, uint64_t number) {
    Pending& p = pending_;
    if (r.ev.format != Format::raw) extract_templates(anchors, ctx_, r.ev);
    const Event lead = p.head.ev;
    const bool lead_in_place = p.head.message_in_place;
    p.head = r;
    Event& ev = p.head.ev;
    ev.message = lead.message;
    p.head.message_in_place = lead_in_place;
    if (lead.has_ingest_ts) {  // the envelope's stamp of the first line, as start() sets it
      ev.ingest_ts_ns = lead.ingest_ts_ns;
      ev.has_ingest_ts = true;
      if (!ev.has_ts) ev.ts_ns = lead.ts_ns, ev.has_ts = lead.has_ts;
    }
    if (ev.channel == Channel::none) ev.channel = lead.channel;
    p.blank_lead = false;
    fold(begin, text, had_cr, anchors, number);
  }

  // With envelopes, a line folds only into an event of its own stream: the stdout and stderr of
  // a container are interleaved in one file, and a record's traceback is written to the record's
  // stream (an uncaught exception on stderr is not part of the stdout record before it).
  bool same_channel() const { return pending_.channel == channel_; }

  // `kubectl logs --prefix` over several pods interleaves their lines: a line folds only into a
  // record whose first line carries the same `[pod/NAME/CONTAINER]`.
  bool same_pod(std::string_view text) const {
    const Pending& p = pending_;
    if (!p.head.kubectl_prefixed) return true;
    const std::string_view first = block_.substr(p.first_begin);
    const size_t close = first.find(']');
    return close != std::string_view::npos && starts_with(text, first.substr(0, close + 1));
  }

  // A line of nothing but NUL bytes: what a rotated file that kept being written at its old offset
  // leaves behind (reference §10). It is no record's output, so it stands alone.
  static bool nul_only(std::string_view text) {
    return !text.empty() && text.find_first_not_of('\0') == std::string_view::npos;
  }

  // Whether banner line `msg` continues the open event. A banner is ONE record: the 5-line ASCII
  // art is one print(), so is the 2.x gunicorn banner ("Running the Gunicorn Server with:\n
  // Workers: …\n…\n=====", which starts a banner of its own), and 3.x logs "Running the uvicorn
  // with:\nApps: …" as one record with a `[ts] {file:N} INFO - ` prefix on its first line only.
  bool continues_banner(std::string_view msg) const {
    const Pending& p = pending_;
    if (!p.active || !p.head.foldable) return false;
    if (p.head.ev.format == Format::airflow_banner) return !banner_head(msg);
    return p.head.ev.format != Format::raw && p.head.ev.format != Format::traceback && banner_head(p.head.ev.message);
  }

  // Starts the event that continues `head`'s record (split by a cap) with the line `text`.
  void continue_record(const LineResult& head, bool in_traceback, size_t begin, std::string_view text, bool had_cr,
                       uint64_t anchors, uint64_t number) {
    LineResult cont = head;
    std::string_view content = strip_outer(cont, clean(text, anchors));
    cont.ev.message = content;
    cont.ev.flags = (cont.ev.flags & ~kFlagTruncated) | kFlagContinued;
    cont.ev.kind = EventKind::none;
    // What a continuation does not repeat (stream_state.hpp, is_header_text): a head resumed in a
    // later call has only its header text, and the events must not depend on where calls end.
    cont.ev.exception_type = cont.ev.exception_message = cont.ev.attrs = {};
    cont.message_in_place = content.data() == text.data() && content.size() == text.size();
    start(cont, begin, text, had_cr, number, 0);
    pending_.anchors = anchors;
    pending_.in_traceback = in_traceback;
    pending_.traceback_seen = in_traceback;
    pending_.split_in_traceback = in_traceback;
    track_traceback(content);
  }

  // A multi-line structlog console event prints ` [logger] key=value …` after its LAST line
  // (`… [info     ] 1 tasks up for execution:` / `\t<TaskInstance: …> [airflow.jobs…] loc=…`).
  // Reads that trailer with the console layout's own trailer parser and moves it into the event,
  // as for a one-line event: logger, fields and attrs set, ` [logger] k=v …` dropped from the message.
  void take_console_trailer(Event& ev) {
    std::string_view msg = ev.message;
    // Blank lines after the trailer are not the record's (Celery's ` ` before its banner): the
    // trailer is on the last line with text, and they stay after it in the message.
    size_t end = msg.size();
    size_t nl = msg.rfind('\n');
    while (nl != std::string_view::npos && nl > 0 &&
           msg.substr(nl + 1, end - nl - 1).find_first_not_of(" \t") == std::string_view::npos) {
      end = nl;
      nl = msg.rfind('\n', nl - 1);
    }
    if (nl == std::string_view::npos) return;
    std::string_view last = msg.substr(nl + 1, end - nl - 1);
    const std::string_view after = msg.substr(end);
    LineResult r;
    if (!parse_console_trailer(last, ctx_, r)) return;
    // Only a real trailer: ` [logger]` at the end or followed by `key=value` pairs.
    std::string_view rest = last.substr(static_cast<size_t>(r.ev.logger.data() - last.data()) + r.ev.logger.size() + 1);
    if (!rest.empty()) {
      size_t k = rest[0] == ' ' ? 1 : 0;
      size_t key = k;
      while (key < rest.size() && (is_alpha(rest[key]) || is_digit(rest[key]) || rest[key] == '_')) ++key;
      if (k == 0 || key == k || key >= rest.size() || rest[key] != '=') return;
    }
    const Event& t = r.ev;
    ev.logger = t.logger;
    if (ev.file.empty()) {
      ev.file = t.file;
      ev.lineno = t.lineno;
    }
    for (std::string_view Event::*member : kTextMembers)  // ids, HTTP, trace fields and attrs the pairs gave
      if (member != &Event::message && member != &Event::logger && member != &Event::file && (ev.*member).empty())
        ev.*member = t.*member;
    if (ev.map_index < 0) ev.map_index = t.map_index;
    if (ev.try_number == 0) ev.try_number = t.try_number;
    if (ev.state == State::none) ev.state = t.state;
    if (ev.http_status == 0) ev.http_status = t.http_status;
    if (!ev.has_return_code && t.has_return_code) {
      ev.return_code = t.return_code;
      ev.has_return_code = true;
    }
    if (!ev.has_logical_date && t.has_logical_date) {
      ev.logical_date_ns = t.logical_date_ns;
      ev.has_logical_date = true;
    }
    if (pending_.head.line_component == Component::unknown) pending_.head.line_component = r.line_component;
    if (ev.channel == Channel::none) ev.channel = t.channel;
    // The message: every line but the last as it was, then the last line's event text (and the
    // blank lines after it); the pairs are in the fields and attrs.
    const size_t size = nl + 1 + t.message.size() + after.size();
    char* m = out_.arena.allocate(size);
    std::memcpy(m, msg.data(), nl + 1);
    if (!t.message.empty()) std::memcpy(m + nl + 1, t.message.data(), t.message.size());
    if (!after.empty()) std::memcpy(m + nl + 1 + t.message.size(), after.data(), after.size());
    ev.message = {m, size};
  }

  // Whether templates are read from an event's text: not from a raw line's, and not from airlog's
  // own contract line's, whose keys already hold what airlog read from the text.
  static bool templated(Format f) { return f != Format::raw && f != Format::airlog_json; }

  // The anchors that describe a line's bytes rather than a template in its text (the secret hint
  // covers every field read from the line, JSON keys included).
  static constexpr uint64_t kHintMarks = bit(Anchor::secret_hint) | bit(Anchor::uri_hint);
  static constexpr uint64_t kLineMarks = bit(Anchor::esc) | bit(Anchor::carriage_return) | kHintMarks;

  // The anchors of an Airflow 3 JSON event: its templates are looked for in the decoded `event`
  // text only (`message_anchors`), whatever path read the line and whether or not the block scan
  // covered it; from the line itself only the ESC and CR marks count.
  static uint64_t json_anchors(uint64_t line_anchors, uint64_t message_anchors) {
    return (line_anchors & kLineMarks) | (message_anchors & ~kLineMarks);
  }

  // The anchors of a JSON event's text read on its own (line() path: envelope lines, ANSI lines).
  // A text that is a plain view of its scanned line holds no anchor the line lacks, so a line
  // without template anchors (most) needs no second scan.
  uint64_t message_anchors(std::string_view message, std::string_view line, uint64_t line_anchors) {
    const auto at = [](std::string_view v) { return reinterpret_cast<uintptr_t>(v.data()); };
    const bool in_line = at(message) >= at(line) && at(message) + message.size() <= at(line) + line.size();
    return in_line && !(line_anchors & ~kLineMarks) ? 0 : scan_text(detail::impl_of(st_.db), scratch_, message);
  }

  // A UI / download header names the task log it shows: its identity is the stream's from here on.
  void adopt_source(const LineResult& r) {
    PathContext pc;
    if (r.task_identity) {
      const Event& ev = r.ev;
      if (ev.dag_id.empty() || ev.task_id.empty()) return;
      pc.component = Component::task;
      pc.dag_id = ev.dag_id;
      pc.task_id = ev.task_id;
      pc.run_id = ev.run_id;
      pc.try_number = ev.try_number;
      pc.map_index = ev.map_index;
    } else {
      pc = parse_path_context(r.source_path);
      if (pc.dag_id.empty()) return;
    }
    set_path_context(st_, std::move(pc));
    ctx_.context_dag_id = st_.path.dag_id;
    enrich_.path_changed();
  }

  // A continuation line's text without the outer prefix its record's first line carried: every
  // physical line of a `docker compose logs` or `kubectl logs --prefix` record carries it.
  static std::string_view strip_outer(const LineResult& head, std::string_view s) {
    if (head.compose_prefixed) return strip_compose(s);
    if (head.kubectl_prefixed) return strip_kubectl(s);
    if (head.pod_relay) return strip_relay(s);
    return s;
  }

  // A KubernetesPodOperator relay line's `[ts] {pod_manager.py:N} INFO - [container] ` and the
  // pod's text after it (relay_container: the container's name, or empty).
  static size_t relay_text_at(std::string_view s) {
    const size_t at = s.find("{pod_");
    const size_t dash = at == std::string_view::npos ? at : s.find(" - ", at);
    if (dash == std::string_view::npos) return std::string_view::npos;
    const size_t text = dash + 3;
    const size_t close = text < s.size() && s[text] == '[' ? s.find("] ", text) : std::string_view::npos;
    return close != std::string_view::npos && close < text + 66 ? close + 2 : text;
  }
  static std::string_view strip_relay(std::string_view s) {
    const size_t at = relay_text_at(s);
    return at == std::string_view::npos ? s : s.substr(at);
  }
  static std::string_view relay_container(std::string_view line) {
    const size_t at = relay_text_at(line);
    if (at == std::string_view::npos || at < 2 || line[at - 2] != ']') return {};
    const size_t open = line.rfind('[', at - 2);
    return line.substr(open + 1, at - 2 - open - 1 + 0);
  }

  // `[pod/NAME/CONTAINER] rest` → rest (`[pod/…]` alone, an empty line, → empty); else `s`.
  static std::string_view strip_kubectl(std::string_view s) {
    if (!starts_with(s, "[pod/")) return s;
    const size_t close = s.find(']');
    if (close == std::string_view::npos || close > 300) return s;
    if (close + 1 == s.size()) return {};
    return s[close + 1] == ' ' ? s.substr(close + 2) : s;
  }

  // An exported record names its file (`filename`, `log.file.path`): its path context is the
  // stream's while records name that file. A record naming none (or a path that says nothing)
  // has the source's own: a Loki export mixes task files with pods' output.
  void adopt_export_source(uint32_t id) {
    st_.export_source = id;
    PathContext pc = id == 0 ? st_.origin_path : parse_path_context(st_.decoder.source(id));
    if (id != 0 && pc.dag_id.empty() && pc.component == Component::unknown) pc = st_.origin_path;
    finish();  // the open event keeps the identity it started with
    set_path_context(st_, std::move(pc));
    ctx_.context_dag_id = st_.path.dag_id;
    enrich_.path_changed();
  }

  static std::string_view strip_compose(std::string_view s) {
    size_t bar = s.find(" | ");
    if (bar != std::string_view::npos && bar < 128 && s.find(' ') <= bar) return s.substr(bar + 3);
    if (!s.empty() && s.back() == '|' && s.find(' ') != std::string_view::npos) return {};
    return s;
  }

  // Whether unrecognised line `text` opens a new event instead of folding into the open one: a
  // traceback ends at its exception line, and after it a new `Traceback` (or a header Python
  // prints before one) starts its own event unless a chaining line joined them. Other lines still
  // fold: exception messages run over several lines (SQL statements, `(Background on this error
  // at: …)`), and printed output after a record is the record's.
  bool starts_another_traceback(std::string_view text, uint64_t anchors) {
    const Pending& p = pending_;
    if (!p.traceback_seen || p.in_traceback || p.chained) return false;
    if (text.empty() || text[0] == ' ' || text[0] == '\t') return false;  // frames, blank lines
    return opens_traceback(strip_outer(p.head, clean(text, anchors)));
  }

  void track_traceback(std::string_view content) {
    Pending& p = pending_;
    if (starts_with(content, anchor_literal(Anchor::traceback))) {
      p.in_traceback = true;
      p.traceback_seen = true;
      p.chained = false;
      return;
    }
    if (!p.in_traceback) {
      if (p.traceback_seen && chains_exceptions(content)) {
        p.chained = true;
        p.exception_closed = true;
      } else if (!p.exception_line.empty() && !p.exception_closed && trim(content).size() > 0) {
        p.exception_end = p.lines;  // a multi-line str(exc) runs on after the exception line
      }
      return;
    }
    if (content.empty()) return;
    if (content[0] == ' ' || content[0] == '\t') return;  // frames, source lines, carets
    if (looks_like_exception_line(content)) {
      p.exception_line = content;
      p.exception_index = p.lines - 1;
      p.exception_end = p.lines;
      p.exception_closed = false;
    }
    p.in_traceback = false;
  }

  // The exception line and the lines that continue its message, as the event's text holds them:
  // from the exception line to the last line with text after it, stopping at a chaining line (the
  // run-on lines of a multi-line str(exc): SQL, `(Background on this error at: …)`, notes).
  std::string_view exception_text(std::string_view message) const {
    const Pending& p = pending_;
    if (p.exception_end <= p.exception_index + 1) return p.exception_line;
    size_t begin = 0;
    for (uint32_t i = 0; i < p.exception_index; ++i) {
      begin = message.find('\n', begin);
      if (begin == std::string_view::npos) return p.exception_line;
      ++begin;
    }
    size_t end = begin;
    for (uint32_t i = p.exception_index; i < p.exception_end; ++i) {
      end = message.find('\n', end);
      if (end == std::string_view::npos) break;
      if (i + 1 < p.exception_end) ++end;
    }
    if (end == std::string_view::npos) end = message.size();
    const std::string_view text = message.substr(begin, end - begin);
    return starts_with(text, p.exception_line) ? text : p.exception_line;
  }

  // The event's text: one view of the block when the lines could be used as they stand,
  // otherwise rebuilt in the arena line by line (CR, ANSI and compose prefixes removed).
  std::string_view joined_message() {
    Pending& p = pending_;
    std::string_view head = p.head.ev.message;
    if (!p.dirty && head.data() + head.size() == block_.data() + p.fold_begin - 1)
      return {head.data(), static_cast<size_t>(block_.data() + p.last_end - head.data())};
    size_t cap = head.size() + 1 + (p.last_end - p.fold_begin);
    char* buf = out_.arena.allocate(cap);
    size_t n = 0;
    if (!head.empty()) std::memcpy(buf, head.data(), head.size());  // an empty view may be null
    n += head.size();
    size_t pos = p.fold_begin;
    while (pos <= p.last_end) {
      const void* nl = std::memchr(block_.data() + pos, '\n', p.last_end - pos);
      size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - block_.data()) : p.last_end;
      std::string_view ln = block_.substr(pos, end - pos);
      if (!ln.empty() && ln.back() == '\r') ln.remove_suffix(1);
      buf[n++] = '\n';
      size_t w = strip_ansi(ln, buf + n);
      std::string_view written{buf + n, w};
      if (p.head.compose_prefixed || p.head.kubectl_prefixed || p.head.pod_relay) {
        std::string_view stripped = strip_outer(p.head, written);
        if (!stripped.empty()) std::memmove(buf + n, stripped.data(), stripped.size());
        w = stripped.size();
      }
      n += w;
      pos = end + 1;
    }
    out_.arena.shrink_last(buf, n);
    return {buf, n};
  }

  StreamState& st_;
  ScratchImpl& scratch_;
  std::string_view block_;
  Batch& out_;
  size_t cut_end_;
  Enricher enrich_;
  LineContext ctx_;
  Pending pending_;
  LineResult resume_head_;
  bool resume_in_traceback_ = false;
  bool resuming_ = false;
  uint32_t start_flags_ = 0;  // flags for the next event start() opens
  size_t line_index_ = 0;     // lines of this call processed so far
  // The line being processed: its envelope metadata (or null), physical lines and stream.
  const LineMeta* meta_ = nullptr;
  uint32_t weight_ = 1;
  Channel channel_ = Channel::none;
};

// Plain input is classified and assembled in slices of about this size: each slice's lines are
// still in L2 when the assembler reads them (+8% on JSON task logs against one pass over 4 MiB).
// (The fuzz harness builds with a tiny AIRLOG_SLICE_BYTES so its small inputs cross slices.)
#ifndef AIRLOG_SLICE_BYTES
#define AIRLOG_SLICE_BYTES (size_t{256} << 10)
#endif
constexpr size_t kSliceBytes = AIRLOG_SLICE_BYTES;

}  // namespace

absl::Status parse_block(StreamState& st, ScratchImpl& scratch, std::string_view bytes, bool last, Batch& out,
                         const LineMeta* meta, size_t* lines_used) {
  out.consumed = 0;
  if (lines_used) *lines_used = 0;
  // Until the stream's first lines have been read for its component, nothing is emitted.
  if (st.component_window && !read_component_window(st, scratch, bytes, last, out.arena)) return absl::OkStatus();
  size_t base = 0;

  // The tail of an over-long line whose head was already emitted (plain input only: the
  // envelope decoder skips its own).
  if (!meta && st.skipping_long_line) {
    const char* nl = find_newline(bytes);
    if (!nl) {
      st.stats.bytes_in += bytes.size();
      out.consumed = bytes.size();
      if (last) st.skipping_long_line = false;
      return absl::OkStatus();
    }
    base = static_cast<size_t>(nl - bytes.data()) + 1;
    st.stats.bytes_in += base;
    st.skipping_long_line = false;
  }
  std::string_view block = bytes.substr(base);

  // A trailing partial line already certain to exceed the cap: cut it here rather than buffer
  // without bound. "Certain" is cap + 2 bytes: a line of exactly the cap followed by "\r" is not
  // over-long, and whole-buffer parsing must agree with any chunking.
  size_t cut_end = std::string_view::npos;
  if (!last && !meta) {
    const char* nl = rfind_newline(block);
    const size_t tail = nl ? static_cast<size_t>(nl - block.data()) + 1 : 0;
    const size_t partial = block.size() - tail;
    if (partial > st.options.max_line_bytes && partial - st.options.max_line_bytes >= 2) {
      block = block.substr(0, tail + st.options.max_line_bytes);
      cut_end = block.size();
    }
  }
  const bool cut_long_line = cut_end != std::string_view::npos;

  Assembler assembler(st, scratch, block, out, cut_end);
  size_t used = 0;        // bytes of `block` in complete lines
  size_t line_count = 0;  // lines of `block` processed
  if (meta) {
    absl::StatusOr<size_t> complete = classify_block(detail::impl_of(st.db), scratch, block, last);
    if (!complete.ok()) return complete.status();
    const std::vector<LineSpan>& lines = scratch.lines;
    line_count = lines.size();
    for (size_t i = 0; i < line_count; ++i)
      assembler.line(lines[i].begin, lines[i].end, lines[i].anchors, meta[i].line, meta + i);
    used = *complete;
  } else {
    // Slices of about kSliceBytes, cut after a '\n', each classified then assembled while it is
    // still in cache; the line vector stays small however large the call's input.
    while (true) {
      size_t slice_end = block.size();
      if (block.size() - used > kSliceBytes) {
        const void* nl = std::memchr(block.data() + used + kSliceBytes, '\n', block.size() - used - kSliceBytes);
        if (nl) slice_end = static_cast<size_t>(static_cast<const char*>(nl) - block.data()) + 1;
      }
      const bool final_slice = slice_end == block.size();
      // Without an envelope, long JSON runs skip the anchor scan (json_run scans their event texts)
      // unless redacting.
      absl::StatusOr<size_t> complete =
          classify_block(detail::impl_of(st.db), scratch, block.substr(used, slice_end - used),
                         final_slice ? last || cut_long_line : false,
                         /*skip_json_runs=*/!st.options.redact);  // redaction needs every line's secret hint
      if (!complete.ok()) return complete.status();
      std::vector<LineSpan>& lines = scratch.lines;
      const size_t count = lines.size();
      for (LineSpan& l : lines) l.begin += used, l.end += used;
      // Runs of JSON-led lines go through the batch JSON reader; the cut over-long last line, if
      // any, never does (its end is not the line's end).
      const size_t limit = count - (final_slice && cut_long_line ? 1 : 0);
      const uint64_t first_number = st.next_line + line_count;
      for (size_t i = 0; i < count;) {
        if (i < limit && json_led(block, lines[i], st.options.max_line_bytes)) {
          const size_t k = assembler.json_run(lines.data() + i, limit - i, first_number + i);
          if (k > 0) {
            i += k;
            continue;
          }
        }
        assembler.line(lines[i].begin, lines[i].end, lines[i].anchors, first_number + i, nullptr);
        ++i;
      }
      line_count += count;
      used += *complete;
      if (final_slice) break;
    }
  }

  size_t used_lines = line_count;
  if (line_count > 0 || last) st.resume.active = false;  // the first line (if any) resumed the split record
  if (!last && !cut_long_line && assembler.has_pending()) {
    // Leave the open event for the next call, which will see its continuation lines.
    used = assembler.pending_begin();
    used_lines = assembler.pending_index();
    assembler.save_resume();
  } else {
    assembler.finish();
  }
  if (cut_long_line) st.skipping_long_line = true;
  if (meta) {
    uint64_t physical = 0;
    for (size_t i = 0; i < used_lines; ++i) physical += meta[i].physical;
    st.stats.lines_in += physical;  // bytes_in: counted by the decoder, in outer bytes
  } else {
    st.next_line += used_lines;
    st.stats.lines_in += used_lines;
    st.stats.bytes_in += used;
  }
  if (lines_used) *lines_used = used_lines;
  out.consumed = base + used;
  return absl::OkStatus();
}

}  // namespace airlog::detail
