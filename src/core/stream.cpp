// stream.cpp — the public Stream: validates the options and sets up its state (create), then
// wires the stages: parse / feed / poll / flush hand their bytes to the input stage (core/feed),
// which runs classify → extract → assemble (core/assemble) → enrich (core/enrich) → dedup over them.
#include "airlog/stream.hpp"

#include <memory>
#include <utility>

#include "core/feed.hpp"
#include "core/handles.hpp"
#include "core/stream_state.hpp"
#include "core/timestamp.hpp"

namespace airlog {

Stream::Stream(std::unique_ptr<detail::StreamState> state) : state_(std::move(state)) {}
Stream::Stream(Stream&&) noexcept = default;
Stream& Stream::operator=(Stream&&) noexcept = default;
Stream::~Stream() = default;

const Stats& Stream::stats() const noexcept { return state_->stats; }
const Options& Stream::options() const noexcept { return state_->options; }

namespace detail {

void set_path_context(StreamState& st, PathContext pc) {
  st.path = std::move(pc);
  st.path_logical_date_ns = 0;
  st.path_has_logical_date = false;
  if (!st.path.logical_date.empty()) {
    ParsedTime t;
    if (parse_iso_timestamp(st.path.logical_date, &t)) {
      st.path_logical_date_ns = st.zone.to_utc_ns(t);
      st.path_has_logical_date = true;
    }
  }
}

}  // namespace detail

absl::StatusOr<Stream> Stream::create(const Database& db, const Options& options, std::string_view path) {
  if (options.max_event_lines == 0 || options.max_event_bytes == 0 || options.max_line_bytes == 0)
    return absl::InvalidArgumentError("airlog: event and line caps must be positive");
  absl::StatusOr<detail::ZoneResolver> zone = detail::ZoneResolver::create(options.time_zone);
  if (!zone.ok()) return zone.status();
  if (options.dedup &&
      (options.dedup_window_events == 0 || options.dedup_window_events > UINT32_MAX || options.dedup_window_ns < 0))
    return absl::InvalidArgumentError("airlog: the dedup window needs 1..2^32-1 events and a non-negative time");
  const bool redacting = options.redact && detail::impl_of(db).redacting;
  auto st = std::make_unique<detail::StreamState>(redacting ? detail::HandleAccess::redacting(db) : db, options,
                                                  *std::move(zone));
  if (options.dedup) st->dedup.emplace(options.dedup_window_events, options.dedup_window_ns);
  st->origin_path = detail::parse_path_context(path);
  detail::set_path_context(*st, st->origin_path);
  st->envelope = options.envelope;
  if (options.envelope != Envelope::none && options.envelope != Envelope::auto_detect)
    st->decoder.configure(options.envelope, options.max_line_bytes);
  return Stream(std::move(st));
}

absl::Status Stream::parse(Scratch& scratch, std::string_view bytes, bool last, Batch& out) {
  return detail::parse_input(*state_, detail::impl_of(scratch), bytes, last, out);
}

absl::Status Stream::feed(Scratch& scratch, std::string_view bytes, Batch& out, int64_t now_ns) {
  return detail::feed_input(*state_, detail::impl_of(scratch), bytes, out, now_ns);
}

absl::Status Stream::poll(Scratch& scratch, int64_t now_ns, Batch& out) {
  return detail::poll_input(*state_, detail::impl_of(scratch), now_ns, out);
}

absl::Status Stream::flush(Scratch& scratch, Batch& out) {
  return detail::flush_input(*state_, detail::impl_of(scratch), out);
}

}  // namespace airlog
