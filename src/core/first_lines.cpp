// first_lines.cpp — the component window (see first_lines.hpp).
#include "core/first_lines.hpp"

#include <cstring>

#include "core/classify.hpp"
#include "core/extract/extract.hpp"
#include "core/handles.hpp"

namespace airlog::detail {

bool read_component_window(StreamState& st, ScratchImpl& scratch, std::string_view block, bool last, Arena& arena) {
  if (st.options.component != Component::unknown || st.path.component != Component::unknown ||
      st.inferred != Component::unknown) {
    st.component_window = false;
    return true;
  }
  // The window's end: after its last complete line (or all of a last block).
  const std::string_view room = block.substr(0, kComponentWindowBytes);
  size_t end = 0;
  size_t lines = 0;
  while (lines < kComponentWindowLines) {
    const char* nl = find_newline(room.substr(end));
    if (!nl) break;
    end = static_cast<size_t>(nl - room.data()) + 1;
    ++lines;
  }
  if (lines < kComponentWindowLines && !last && block.size() < kComponentWindowBytes) return false;
  if (last && lines < kComponentWindowLines && block.size() <= kComponentWindowBytes) end = block.size();
  st.component_window = false;

  const std::string_view window = block.substr(0, end);
  absl::StatusOr<size_t> complete = classify_block(impl_of(st.db), scratch, window, /*last=*/true);
  if (!complete.ok()) return true;  // no hint read: the stream goes on as without the window
  LineContext ctx;
  ctx.zone = &st.zone;
  ctx.arena = &arena;
  ctx.scratch = &scratch;
  ctx.block = block;
  ctx.known_dags = &st.known_dags;
  for (const LineSpan& span : scratch.lines) {
    std::string_view text = window.substr(span.begin, span.end - span.begin);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    LineResult r;
    if (!parse_line(text, span.anchors, ctx, r)) continue;
    if (r.line_component != Component::unknown || r.ev.format == Format::airlog_json) continue;
    const Component c = component_from_content(r.ev);
    if (c != Component::unknown) {
      st.inferred = c;
      break;
    }
  }
  return true;
}

}  // namespace airlog::detail
