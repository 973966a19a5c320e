// envelope.cpp — CRI and Docker json-file envelopes (see envelope.hpp).
#include "core/envelope.hpp"

#include <cstring>

#include "common/text.hpp"
#include "core/timestamp.hpp"

namespace airlog::detail {

namespace {

// Whether a line of `n` bytes is certain to be over the cap whatever its last byte: longer than
// cap + 1 (a final "\r" is not part of the text). Written so that cap = SIZE_MAX cannot overflow.
bool past_cap(size_t n, size_t cap) noexcept { return n > cap && n - cap >= 2; }

// The runtime's time: RFC 3339 with a zone (containerd writes `Z`, CRI-O a local offset).
bool runtime_time(std::string_view s, int64_t* ns) noexcept {
  ParsedTime t;
  if (s.size() < 20 || s[10] != 'T' || !parse_iso_timestamp(s, &t) || t.length != s.size() || !t.has_offset)
    return false;
  *ns = t.utc_ns();
  return true;
}

bool stream_name(std::string_view s, Channel* c) noexcept {
  if (s == "stdout")
    *c = Channel::stdout_stream;
  else if (s == "stderr")
    *c = Channel::stderr_stream;
  else
    return false;
  return true;
}

}  // namespace

bool parse_cri(std::string_view line, EnvelopePiece* out) noexcept {
  // Time: up to the first space (RFC 3339 nano is 30 bytes; allow offsets and fewer digits).
  const size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp > 40 || !runtime_time(line.substr(0, sp), &out->time_ns)) return false;
  std::string_view rest = line.substr(sp + 1);
  if (rest.size() < 8 || rest[6] != ' ' || !stream_name(rest.substr(0, 6), &out->channel)) return false;
  rest.remove_prefix(7);
  // Tag: `P` (partial) or `F` (full), possibly followed by `:more-tags` (kubelet reads the first).
  if (rest[0] != 'P' && rest[0] != 'F') return false;
  out->partial = rest[0] == 'P';
  size_t end = 1;
  if (end < rest.size() && rest[end] == ':')
    while (end < rest.size() && rest[end] != ' ') ++end;
  if (end == rest.size()) {
    out->content = {};  // `… stdout F` with nothing after: an empty line
    return true;
  }
  if (rest[end] != ' ') return false;
  out->content = rest.substr(end + 1);
  return true;
}

bool parse_docker(std::string_view line, size_t readable, simdjson::ondemand::parser& parser, std::string& pad,
                  EnvelopePiece* out) {
  if (line.size() < 2 || line.front() != '{' || line.back() != '}') return false;
  simdjson::padded_string_view input;
  if (readable >= line.size() + simdjson::SIMDJSON_PADDING) {
    input = simdjson::padded_string_view(line.data(), line.size(), readable);
  } else {
    pad.assign(line);
    pad.append(simdjson::SIMDJSON_PADDING, ' ');
    input = simdjson::padded_string_view(pad.data(), line.size(), pad.size());
  }
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  if (parser.iterate(input).get(doc) || doc.get_object().get(obj)) return false;
  bool has_log = false, has_stream = false, has_time = false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    std::string_view value;
    if (key == "log") {
      if (field.value().get_string().get(value)) return false;
      out->content = value;  // in the parser's string buffer, valid until its next document
      has_log = true;
    } else if (key == "stream") {
      if (field.value().get_string().get(value) || !stream_name(value, &out->channel)) return false;
      has_stream = true;
    } else if (key == "time") {
      if (field.value().get_string().get(value) || !runtime_time(value, &out->time_ns)) return false;
      has_time = true;
    }
    // Other members (`attrs` with --log-opt labels) are skipped.
  }
  // current_location() fails only at the end of the input: anything after the object is refused.
  if (!has_log || !has_stream || !has_time || !doc.current_location().error()) return false;
  std::string_view c = out->content;
  out->partial = c.empty() || c.back() != '\n';
  if (!out->partial) c.remove_suffix(1);
  if (!c.empty() && std::memchr(c.data(), '\n', c.size()) != nullptr) return false;
  out->content = c;
  return true;
}

Envelope detect_envelope(std::string_view first_line, simdjson::ondemand::parser& parser) {
  EnvelopePiece piece;
  if (parse_cri(first_line, &piece)) return Envelope::cri;
  std::string pad;
  if (starts_with(first_line, "{\"") && parse_docker(first_line, first_line.size(), parser, pad, &piece))
    return Envelope::docker;
  return Envelope::none;
}

size_t EnvelopeDecoder::decode(std::string_view block, bool last, simdjson::ondemand::parser& parser,
                               DecodedLines& out) {
  const char* base = block.data();
  const size_t n = block.size();
  size_t pos = 0;
  if (n == 0) {
    if (last) skipping_ = false;
    return 0;
  }
  if (skipping_) {
    const void* nl = std::memchr(base, '\n', n);
    if (!nl) {
      if (last) skipping_ = false;
      return n;
    }
    pos = static_cast<size_t>(static_cast<const char*>(nl) - base) + 1;
    skipping_ = false;
  }
  while (pos < n) {
    const void* nl = std::memchr(base + pos, '\n', n - pos);
    if (!nl) break;
    const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - base);
    outer_line(block.substr(pos, end - pos), n - pos, parser, out);
    pos = end + 1;
  }
  if (pos < n) {
    const size_t partial = n - pos;
    if (last) {
      outer_line(block.substr(pos), partial, parser, out);
      pos = n;
    } else if (past_cap(partial, max_outer_)) {
      // Certain to be over-long ("+ 2": a line of exactly the limit may still end in "\r").
      LineMeta m;
      m.line = next_line_++;
      m.cut = true;
      emit(block.substr(pos, max_line_), m, out);
      skipping_ = true;
      pos = n;
    }
  }
  return pos;
}

void EnvelopeDecoder::outer_line(std::string_view line, size_t readable, simdjson::ondemand::parser& parser,
                                 DecodedLines& out) {
  LineMeta m;
  m.line = next_line_++;
  const size_t text_len = line.size() - (!line.empty() && line.back() == '\r' ? 1 : 0);
  if (text_len > max_outer_) {
    m.cut = true;
    emit(line.substr(0, max_line_), m, out);
    return;
  }
  EnvelopePiece piece;
  const bool ok = kind_ == Envelope::cri      ? parse_cri(line, &piece)
                  : kind_ == Envelope::docker ? parse_docker(line, readable, parser, pad_, &piece)
                                              : false;
  if (!ok) {  // not an envelope: kept as the plain line it is
    emit(line, m, out);
    return;
  }
  m.channel = piece.channel;
  m.has_time = true;
  m.time_ns = piece.time_ns;
  Group& g = groups_[piece.channel == Channel::stderr_stream ? 1 : 0];
  if (!g.open && !piece.partial) {  // the common case: a whole line in one piece
    emit(piece.content, m, out);
    return;
  }
  if (!g.open) {
    g.open = true;
    g.cut = false;
    g.text.clear();
    g.meta = m;
    g.meta.physical = 0;
  }
  g.meta.physical += 1;
  append_piece(g, piece.content);
  if (piece.partial) return;
  LineMeta joined = g.meta;
  joined.cut = g.cut;
  emit(g.text, joined, out);
  g.open = false;
  if (g.text.capacity() > (size_t{1} << 20)) std::string().swap(g.text);  // a rare huge line: give it back
}

// Keeps at most max_line_ + 1 bytes of a joined line (one more than the cap, since a final "\r"
// is not part of the text); past that the line is certain to be cut, so only its head is kept.
void EnvelopeDecoder::append_piece(Group& g, std::string_view content) const {
  if (g.cut) return;
  if (!past_cap(g.text.size() + content.size(), max_line_)) {
    g.text.append(content);
    return;
  }
  if (g.text.size() < max_line_) g.text.append(content.substr(0, max_line_ - g.text.size()));
  g.text.resize(max_line_);
  g.cut = true;
}

void EnvelopeDecoder::emit(std::string_view text, LineMeta meta, DecodedLines& out) const {
  if (!meta.cut && past_cap(text.size(), max_line_)) {
    text = text.substr(0, max_line_);
    meta.cut = true;
  }
  out.text.append(text);
  out.text.push_back('\n');
  out.meta.push_back(meta);
}

void EnvelopeDecoder::finish(DecodedLines& out) {
  skipping_ = false;
  Group* first = &groups_[0];
  Group* second = &groups_[1];
  if (second->open && (!first->open || second->meta.line < first->meta.line)) std::swap(first, second);
  for (Group* g : {first, second}) {
    if (!g->open) continue;
    LineMeta m = g->meta;
    m.cut = g->cut;
    emit(g->text, m, out);
    g->open = false;
  }
}

}  // namespace airlog::detail
