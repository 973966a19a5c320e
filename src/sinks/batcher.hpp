// batcher.hpp — the one batching rule of the push sinks (Vector's split: the sink batches, the
// format renders). A body holds at most max_records records and at most max_body_bytes bytes in
// each of its renderings (Loki counts two: its JSON and its protobuf; OTLP one), and is handed to
// the sink when the next record would not fit. The format code only renders: it says how many
// bytes a record would add (which may depend on what the body already holds: a new stream, a new
// resource group) and hands its body out when told; BodyBatcher decides when and counts
// (airlog::BatchStats, airlog/sink.hpp).
#pragma once

#include <array>
#include <cstddef>

#include "airlog/sink.hpp"

namespace airlog::detail {

template <size_t kRenderings>
class BodyBatcher {
 public:
  using Sizes = std::array<size_t, kRenderings>;

  BodyBatcher() = default;
  /// `empty_body`: the bytes of each rendering of a body without records (its envelope).
  BodyBatcher(size_t max_records, size_t max_body_bytes, Sizes empty_body)
      : max_records_(max_records), max_body_bytes_(max_body_bytes), empty_(empty_body), bytes_(empty_body) {}

  /// Admits one record. growth() gives the bytes it adds to each rendering of the pending body.
  /// When the body already holds a record and this one would break a bound, hand_out() is called
  /// first (it gives the body to the sink and empties the format's buffers), then growth() is asked
  /// again for the empty body. The record is then counted; the caller stores it.
  template <typename Growth, typename HandOut>
  void admit(Growth&& growth, HandOut&& hand_out, bool truncated) {
    Sizes g = growth();
    if (records_ > 0 && !fits(g)) {
      flush(hand_out);
      g = growth();
    }
    for (size_t i = 0; i < kRenderings; ++i) bytes_[i] += g[i];
    ++records_;
    ++stats_.records;
    stats_.records_truncated += truncated;
  }

  /// Calls hand_out() if the pending body holds a record, then starts an empty body.
  template <typename HandOut>
  void flush(HandOut&& hand_out) {
    if (records_ == 0) return;
    hand_out();
    ++stats_.bodies;
    records_ = 0;
    bytes_ = empty_;
  }

  size_t records() const noexcept { return records_; }    ///< records in the pending body
  const Sizes& bytes() const noexcept { return bytes_; }  ///< the pending body's size per rendering
  const BatchStats& stats() const noexcept { return stats_; }

 private:
  bool fits(const Sizes& growth) const noexcept {
    if (records_ + 1 > max_records_) return false;
    for (size_t i = 0; i < kRenderings; ++i)
      if (bytes_[i] + growth[i] > max_body_bytes_) return false;
    return true;
  }

  size_t max_records_ = 0;
  size_t max_body_bytes_ = 0;
  Sizes empty_{};
  Sizes bytes_{};
  size_t records_ = 0;
  BatchStats stats_;
};

}  // namespace airlog::detail
