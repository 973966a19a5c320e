// first_lines.hpp — the component of a stream from its first lines (private). A file of one
// component must come out as that component from its first event, not only from the line that
// first names it: before a stream emits anything, its first lines are read for a content hint.
#pragma once

#include <cstddef>
#include <string_view>

#include "airlog/batch.hpp"
#include "core/scratch_impl.hpp"
#include "core/stream_state.hpp"

namespace airlog::detail {

/// The window: a stream's first lines, at most this many …
inline constexpr size_t kComponentWindowLines = 64;
/// … lying within its first this many bytes.
inline constexpr size_t kComponentWindowBytes = size_t{64} << 10;

/// Called by parse_block before it assembles anything while st.component_window is open.
/// `block`: the stream's input from its first byte (plain bytes, or an envelope's decoded inner
/// lines); `last`: no more input will come.
///
/// When neither Options::component nor the path names the component, reads the window's lines
/// (the first kComponentWindowLines complete lines within kComponentWindowBytes, or all there is
/// when `last`) with the layout parser, and makes the first content hint among them
/// (component_from_content, the one enrichment uses) the stream's inferred component, so that
/// every event, the window's first ones included, takes it. Lines whose layout names a component
/// of their own (a compose or kubectl prefix) and airlog's own lines are passed over, as
/// enrichment passes them. No hint: the stream stays unknown until one comes, as before.
///
/// Returns false while the window is incomplete and more input may come: the caller then consumes
/// nothing, so the first events wait (the latency documented in docs/architecture.md). Closes
/// the window (st.component_window = false) once it has decided. Views it makes go to `arena`.
bool read_component_window(StreamState& st, ScratchImpl& scratch, std::string_view block, bool last, Arena& arena);

}  // namespace airlog::detail
