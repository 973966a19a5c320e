// envelope.hpp — container-runtime envelopes (private): turns the OUTER lines a runtime wrote
// (Kubernetes CRI `2024-05-01T12:00:00.123456789Z stdout F <line>`, Docker json-file
// `{"log":"…\n","stream":"stderr","time":"…"}`) into the INNER lines the application printed,
// plus what the envelope said about each: the outer physical lines it came from (its number and
// count, so `line` / `lines` keep counting what is in the file), the stream and the runtime's time.
//
// Pieces of one long line (CRI `P`, Docker entries without a trailing "\n") are joined per stream:
// containerd and dockerd copy stdout and stderr concurrently, so pieces of one stream may have
// lines of the other between them. A joined line takes the place of its LAST piece (it exists
// once complete) and the number of its first. A line that is not a valid envelope (a bad CRI
// prefix, invalid Docker JSON) passes through unchanged as a plain line: nothing is lost.
//
// The decoder only ever sees complete outer lines (Stream keeps a partial one until its '\n'
// arrives), so what it produces does not depend on how the input was chunked.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "airlog/event.hpp"
#include "airlog/options.hpp"
#include "core/exports.hpp"
#include "simdjson.h"

namespace airlog::detail {

/// What the envelope said about one inner line.
struct LineMeta {
  uint64_t line = 0;      ///< 1-based number of its first outer physical line
  uint32_t physical = 1;  ///< outer physical lines it was made of (pieces joined: 2 or more)
  Channel channel = Channel::none;
  bool has_time = false;
  bool cut = false;     ///< the text is the first max_line_bytes bytes of a longer line
  int64_t time_ns = 0;  ///< the runtime's time stamp (of the first piece), epoch ns UTC
  /// Exports: the component the record's labels name, and its source path (an id for
  /// EnvelopeDecoder::source(); 0: none).
  Component component = Component::unknown;
  uint32_t source = 0;
};

/// Inner lines, each followed by '\n' in `text` (and holding no other '\n'), one `meta` each.
struct DecodedLines {
  std::string text;
  std::vector<LineMeta> meta;
};

/// One outer line, read as an envelope.
struct EnvelopePiece {
  std::string_view content;  ///< the application's bytes (for Docker: decoded, in the parser's buffer)
  Channel channel = Channel::none;
  int64_t time_ns = 0;
  bool partial = false;  ///< a piece of a longer line: CRI `P`, Docker without trailing "\n"
};

/// Reads a CRI line `<RFC 3339 time> <stdout|stderr> <P|F>[:tags] <content>` (terminator excluded).
bool parse_cri(std::string_view line, EnvelopePiece* out) noexcept;

/// Reads a Docker json-file line: an object with string members `log`, `stream` (stdout/stderr)
/// and `time` (other members ignored), nothing after it. `readable` bytes from line.data() may be
/// read (>= line.size()); with less than line.size() + SIMDJSON_PADDING the line is copied into
/// `pad`. A `log` value holding a '\n' anywhere but at its end is refused (not what dockerd writes).
bool parse_docker(std::string_view line, size_t readable, simdjson::ondemand::parser& parser, std::string& pad,
                  EnvelopePiece* out);

/// The envelope of a source whose first line is `first_line` (terminator excluded). A line that
/// is only `{` or `[` (after spaces) starts a pretty-printed export; what it holds decides nothing
/// more (a value without exported records is passed through as plain lines).
Envelope detect_envelope(std::string_view first_line, simdjson::ondemand::parser& parser);

/// Longest outer line decoded as an envelope: max_line_bytes plus room for the wrapping. A longer
/// one is passed through as a plain line cut at max_line_bytes (the rest skipped), exactly as an
/// over-long plain line.
inline size_t max_outer_line(size_t max_line_bytes) noexcept {
  constexpr size_t kSlack = 4096;
  return max_line_bytes > SIZE_MAX - kSlack ? SIZE_MAX - 2 : max_line_bytes + kSlack;
}

/// Stateful decoder of one source (stream state: open pieces, outer line counter).
class EnvelopeDecoder {
 public:
  void configure(Envelope kind, size_t max_line_bytes) noexcept {
    kind_ = kind;
    max_line_ = max_line_bytes;
    max_outer_ = max_outer_line(max_line_bytes);
  }

  /// Decodes the complete outer lines at the start of `block` (with `last`, also a final line
  /// without '\n') and appends their inner lines to `out`. A trailing partial line already longer
  /// than max_outer_line is cut (its head becomes a line, the rest is skipped, in this and later
  /// calls). Returns the bytes of `block` used; the caller passes the rest again with more data.
  size_t decode(std::string_view block, bool last, simdjson::ondemand::parser& parser, DecodedLines& out);

  /// End of input: lines still waiting for their last piece are emitted as they are, in the order
  /// of their first piece. A skipped over-long line ends.
  void finish(DecodedLines& out);

  bool has_open_pieces() const noexcept { return groups_[0].open || groups_[1].open; }

  /// The source path of LineMeta::source `id` (> 0). Valid for the decoder's life.
  std::string_view source(uint32_t id) const noexcept { return sources_[id - 1]; }

 private:
  struct Group {
    bool open = false;
    bool cut = false;
    std::string text;
    LineMeta meta;
  };

  void outer_line(std::string_view line, size_t readable, simdjson::ondemand::parser& parser, DecodedLines& out);
  void export_json_line(std::string_view line, const LineMeta& m, DecodedLines& out);
  void export_tsv_line(std::string_view line, LineMeta m, DecodedLines& out) const;
  void export_value(DecodedLines& out);
  void release_value(DecodedLines& out);
  uint32_t source_id(std::string_view path);
  void emit(std::string_view text, LineMeta meta, DecodedLines& out) const;
  void append_piece(Group& g, std::string_view content) const;

  Envelope kind_ = Envelope::none;
  size_t max_line_ = size_t{16} << 20;
  size_t max_outer_ = max_outer_line(size_t{16} << 20);
  uint64_t next_line_ = 1;
  bool skipping_ = false;  // the rest of an over-long outer line is being skipped
  Group groups_[2];        // pieces waiting for their last part: stdout, stderr
  std::string pad_;        // padded copy of a Docker line at the very end of a block

  // Exported JSON: the outer lines of the value being gathered (each followed by '\n'), and where
  // the scan of its brackets stands.
  struct Gathering {
    bool open = false;
    bool broken = false;  // a string runs past a line end: not JSON, passed through as it is
    int depth = 0;
    uint32_t physical = 0;
    uint64_t line = 0;
    std::string text;
  } value_;
  ExportReader reader_;
  std::vector<uint32_t> value_starts_;  // export_value's per-line places (reused: no allocation per value)
  std::vector<std::string> sources_;    // source paths met, by id - 1 (bounded: kMaxSources)
};

}  // namespace airlog::detail
