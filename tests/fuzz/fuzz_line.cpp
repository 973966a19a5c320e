// fuzz_line.cpp — libFuzzer target: the first two stages on their own, classify (line split +
// one anchor scan over a block) and the single-line parser (parse_line), on arbitrary bytes.
//
// Input layout: byte 0 = zone / path context, rest = a block of lines. Checks (abort() on failure):
//   * classify_block's lines tile the block: consecutive, each ending at a '\n' (or the block's
//     end), none holding a '\n';
//   * the anchors the block scan gives each line equal those of the line scanned on its own;
//   * parse_line on every line: each text field of the event (logger, message, ids …) and the
//     source path is either inside the line or outside the whole block (rewritten text in the
//     arena); a message "in place" ends where the line ends; every byte of each field is readable;
//   * the event renders to one JSON object in valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "core/classify.hpp"
#include "core/handles.hpp"
#include "core/timestamp.hpp"
#include "fuzz_util.hpp"

namespace {

using airlog_fuzz::fail;

// A view is a slice of `line`, or lies wholly outside `block` (arena text). Reads all its bytes.
void check_view(std::string_view v, std::string_view line, std::string_view block, const char* name) {
  if (v.empty()) return;
  const char* b = block.data();
  const char* e = block.data() + block.size();
  const bool inside_line = v.data() >= line.data() && v.data() + v.size() <= line.data() + line.size();
  const bool outside_block = v.data() + v.size() <= b || v.data() >= e;
  if (!inside_line && !outside_block)
    fail("an event field leaves its line", std::string(name) + " at offset " + std::to_string(v.data() - line.data()) +
                                               ", " + std::to_string(v.size()) + " bytes; line of " +
                                               std::to_string(line.size()));
  airlog_fuzz::touch(v);
}

void check_event_views(const airlog::Event& ev, std::string_view line, std::string_view block) {
  check_view(ev.logger, line, block, "logger");
  check_view(ev.file, line, block, "file");
  check_view(ev.message, line, block, "message");
  check_view(ev.dag_id, line, block, "dag_id");
  check_view(ev.task_id, line, block, "task_id");
  check_view(ev.run_id, line, block, "run_id");
  check_view(ev.ti_id, line, block, "ti_id");
  check_view(ev.exception_type, line, block, "exception_type");
  check_view(ev.exception_message, line, block, "exception_message");
  check_view(ev.http_method, line, block, "http_method");
  check_view(ev.http_path, line, block, "http_path");
  check_view(ev.client, line, block, "client");
  check_view(ev.trace_id, line, block, "trace_id");
  check_view(ev.span_id, line, block, "span_id");
  check_view(ev.attrs, line, block, "attrs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t b0 = data[0];
  // An exactly-sized copy: a read past the block is a heap overflow ASan reports.
  const size_t n = size - 1;
  std::unique_ptr<char[]> buf(new char[n ? n : 1]);
  if (n) std::memcpy(buf.get(), data + 1, n);
  const std::string_view block(buf.get(), n);

  airlog_fuzz::Engine& eng = airlog_fuzz::engine();
  const airlog::detail::DatabaseImpl& db = airlog::detail::impl_of(eng.db);
  airlog::detail::ScratchImpl& scratch = airlog::detail::impl_of(eng.scratch);

  absl::StatusOr<size_t> used = airlog::detail::classify_block(db, scratch, block, true);
  if (!used.ok()) fail("classify_block", used.status().ToString());
  if (*used != n) fail("classify_block(last=true) did not use the whole block");
  // Copied: parse_line may use the scratch's line buffers again.
  const std::vector<airlog::detail::LineSpan> lines = scratch.lines;
  size_t expect_begin = 0;
  for (const airlog::detail::LineSpan& l : lines) {
    if (l.begin != expect_begin || l.end < l.begin || l.end > n) fail("line spans do not tile the block");
    if (std::memchr(block.data() + l.begin, '\n', l.end - l.begin)) fail("a line span holds a '\\n'");
    if (l.end < n && block[l.end] != '\n') fail("a line span ends before its '\\n'");
    expect_begin = l.end + 1;
  }
  if (n > 0 && expect_begin < n) fail("the line spans miss the end of the block");

  static airlog::detail::ZoneResolver utc = *airlog::detail::ZoneResolver::create("UTC");
  static airlog::detail::ZoneResolver berlin = *airlog::detail::ZoneResolver::create("Europe/Berlin");
  static const absl::flat_hash_set<std::string> known_dags = {"example_dag", "etl"};
  airlog::Arena arena;
  airlog::detail::LineContext ctx;
  ctx.zone = (b0 & 1) ? &berlin : &utc;
  ctx.arena = &arena;
  ctx.scratch = &scratch;
  ctx.block = block;
  ctx.known_dags = (b0 & 2) ? &known_dags : nullptr;
  ctx.context_dag_id = (b0 & 4) ? "example_dag" : "";

  std::string json;
  for (const airlog::detail::LineSpan& l : lines) {
    std::string_view line = block.substr(l.begin, l.end - l.begin);
    const uint64_t alone = airlog::detail::scan_text(db, scratch, line);
    if (alone != l.anchors)
      fail("block scan and line scan find different anchors",
           std::to_string(l.anchors) + " vs " + std::to_string(alone) + ": " + std::string(line.substr(0, 300)));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // as the assembler hands it over
    airlog::detail::LineResult r;
    if (!airlog::detail::parse_line(line, l.anchors, ctx, r)) continue;
    check_event_views(r.ev, line, block);
    check_view(r.source_path, line, block, "source_path");
    if (r.message_in_place && r.ev.message.data() + r.ev.message.size() != line.data() + line.size())
      fail("a message in place does not end at the line's end");
    r.ev.line = 1;
    r.ev.lines = 1;
    json.clear();
    airlog::append_json(r.ev, json);
    airlog_fuzz::check_json_lines(json);
  }
  return 0;
}
