// airlog/stream.hpp — the state of one log source (a file, a pod's stdout) and the parse call.
//
// A Stream remembers what must survive between buffers of the same source: the path context
// (identity from a task-log path), the component inferred so far, dag_ids seen in explicit keys
// (to split `<TaskInstance: a.b.c …>` safely), the line counter and the statistics. It is not
// thread-safe; many Streams may share one Database.
//
//   auto db = airlog::Database::compile();
//   auto scratch = airlog::Scratch::create(*db);
//   auto stream = airlog::Stream::create(*db, airlog::Options{}, "logs/dag_id=d/run_id=r/task_id=t/attempt=1.log");
//   airlog::Batch batch;
//   stream->parse(*scratch, text, /*last=*/true, batch);   // all of `text` becomes events
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "airlog/batch.hpp"
#include "airlog/database.hpp"
#include "airlog/options.hpp"
#include "airlog/scratch.hpp"
#include "airlog/stats.hpp"

namespace airlog {

namespace detail { struct StreamState; }

class Stream {
 public:
  /// `path` (may be empty) names the source; it drives component inference and task-log identity
  /// and is copied. Fails with InvalidArgument for an unknown time zone or zero caps.
  static absl::StatusOr<Stream> create(const Database& db, const Options& options,
                                       std::string_view path = {});

  /// Parses `bytes` into events appended to `out` (call out.clear() between calls to reuse it).
  ///
  /// With `last` = false, a trailing partial line and the still-open multi-line event at the end
  /// are left unconsumed: out.consumed tells how many leading bytes were used, and the caller
  /// passes the rest again, followed by more data, in the next call. With `last` = true every byte
  /// is consumed. Events of one source come out in input order; lines are never dropped.
  /// Views in the events point into `bytes` and into out.arena.
  absl::Status parse(Scratch& scratch, std::string_view bytes, bool last, Batch& out);

  /// Incremental input, for agents that hand over whatever bytes a tail read returned: `bytes`
  /// may end anywhere (mid-line, mid-CRLF, mid-UTF-8 sequence, mid-JSON object, mid-envelope).
  /// Complete events are appended to `out` in input order; the rest waits inside the Stream (at
  /// most one open event plus one partial line, both bounded by the caps). The events are
  /// byte-for-byte identical whatever the chunking. Envelopes (Options::envelope) are decoded
  /// here. `now_ns` is the caller's clock (any epoch; 0 = no clock) recorded as the arrival time
  /// for poll(). Views in the events stay valid until the next feed/poll/flush of this Stream or
  /// until `out` is cleared, whichever comes first. Never starts threads or timers.
  absl::Status feed(Scratch& scratch, std::string_view bytes, Batch& out, int64_t now_ns = 0);

  /// Emits the open multi-line event when nothing has arrived for Options::multiline_wait_ns
  /// (measured with the caller's clock, as passed to feed). A partial last line stays pending.
  absl::Status poll(Scratch& scratch, int64_t now_ns, Batch& out);

  /// End of input: emits everything still pending (a last line without '\n' included).
  absl::Status flush(Scratch& scratch, Batch& out);

  const Stats& stats() const noexcept;
  const Options& options() const noexcept;

  Stream(Stream&&) noexcept;
  Stream& operator=(Stream&&) noexcept;
  ~Stream();

 private:
  explicit Stream(std::unique_ptr<detail::StreamState> state);
  std::unique_ptr<detail::StreamState> state_;
};

}  // namespace airlog
