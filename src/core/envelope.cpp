// envelope.cpp — CRI and Docker json-file envelopes, and exported records (see envelope.hpp).
#include "core/envelope.hpp"

#include <algorithm>
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
  const std::string_view t = trim(first_line);
  if (t == "{" || t == "[") return Envelope::export_json;  // a pretty-printed value (`jq .`, a JSON array)
  if (starts_with(t, "{\"") || starts_with(t, "[{")) {
    ExportReader reader;
    if (t[0] == '{' ? reader.is_export(t) : reader.read(t)) return Envelope::export_json;
  }
  std::string_view text;
  int64_t ns = 0;
  Component c = Component::unknown;
  if (parse_tsv_export(first_line, &text, &ns, &c)) return Envelope::export_tsv;
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
  if (kind_ == Envelope::export_json) return export_json_line(line, m, out);
  if (kind_ == Envelope::export_tsv) return export_tsv_line(line, m, out);
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
  if (value_.open) release_value(out);  // the input ended inside a value: its lines as they are
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

// ---- exported records ------------------------------------------------------------------------

namespace {

constexpr size_t kMaxSources = 256;

// The first bytes of `text` that a JSON string holds as they are (no escape needed): what
// export_value looks for to find where a line was written in the value.
std::string_view verbatim_prefix(std::string_view text) noexcept {
  constexpr size_t kMax = 24;
  size_t n = 0;
  while (n < text.size() && n < kMax) {
    const auto c = static_cast<unsigned char>(text[n]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '/') break;
    ++n;
  }
  return text.substr(0, n);
}

}  // namespace

// Gathers the outer lines of one top-level JSON value (brackets counted outside strings), then
// reads it. Lines outside any value pass through as plain lines.
void EnvelopeDecoder::export_json_line(std::string_view line, const LineMeta& m, DecodedLines& out) {
  Gathering& g = value_;
  if (!g.open) {
    const std::string_view t = trim(line);
    // A value starts `{`, `[`, `{"`, `[{`, `[[` or `[ ` (not `[2024-…] {…}`, a text record).
    const bool value_start = !t.empty() && (t[0] == '{' || t[0] == '[') &&
                             (t.size() == 1 || t[1] == '"' || t[1] == '{' || t[1] == '[' || t[1] == ' ');
    if (!value_start) {
      emit(line, m, out);
      return;
    }
    g.open = true;
    g.broken = false;
    g.depth = 0;
    g.physical = 0;
    g.line = m.line;
    g.text.clear();
  }
  g.text.append(line);
  g.text.push_back('\n');
  g.physical += 1;
  bool in_string = false;
  bool closed = false;
  walk_json_outside_strings(line, &g.depth, &in_string, [&closed](size_t, char c, int depth) {
    if (c == '}' || c == ']') closed = depth - 1 <= 0;
  });
  g.broken = in_string;  // JSON strings hold no raw line break
  if (closed || g.broken) return export_value(out);
  // Past the cap the value cannot be read: its lines pass through (as an over-long line would).
  if (past_cap(g.text.size(), max_outer_)) release_value(out);
}

void EnvelopeDecoder::release_value(DecodedLines& out) {
  Gathering& g = value_;
  g.open = false;
  std::string_view rest = g.text;
  LineMeta m;
  m.line = g.line;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    emit(rest.substr(0, nl), m, out);
    rest.remove_prefix(nl + 1);
    ++m.line;
  }
  if (g.text.capacity() > (size_t{1} << 20)) std::string().swap(g.text);
}

// One complete value: its records' lines, the value's physical lines shared among them. A line
// is placed at its record's start, or (for further lines of one record: a text with '\n', a Loki
// stream's values, an OTLP document's records) where its text is found after the line before it.
// A line counts the outer lines from its place to the next line's place (the first from the
// value's first line); lines placed on one outer line give it to the first of them.
void EnvelopeDecoder::export_value(DecodedLines& out) {
  Gathering& g = value_;
  if (g.broken || !reader_.read(g.text)) return release_value(out);
  g.open = false;
  const std::string_view value = g.text;
  const std::vector<ExportedLine>& lines = reader_.lines();
  constexpr size_t kSearchWindow = size_t{1} << 20;
  std::vector<uint32_t>& start = value_starts_;  // 0-based outer line of the value, per line
  start.resize(lines.size());
  size_t cursor = 0, anchor = 0, counted = 0;
  uint32_t line_index = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const ExportedLine& l = lines[i];
    const bool new_record = i == 0 || l.at != lines[i - 1].at;
    const std::string_view prefix = verbatim_prefix(reader_.text(l.text_begin, l.text_size));
    size_t found = std::string_view::npos;
    const size_t from = std::max(cursor, std::min(l.at, value.size()));
    if (prefix.size() >= 4) found = value.substr(from, kSearchWindow).find(prefix);
    if (found != std::string_view::npos) cursor = from + found + prefix.size();
    if (new_record)
      anchor = std::max(anchor, std::min(l.at, value.size()));
    else if (found != std::string_view::npos)
      anchor = from + found;
    for (; counted < anchor; ++counted) line_index += value[counted] == '\n';
    start[i] = i == 0 ? 0 : std::min(line_index, g.physical - 1);
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const ExportedLine& l = lines[i];
    LineMeta m;
    m.line = g.line + start[i];
    const bool first_here = i == 0 || start[i] != start[i - 1];
    size_t next = i + 1;
    while (next < lines.size() && start[next] == start[i]) ++next;
    const uint32_t end = next < lines.size() ? start[next] : g.physical;
    m.physical = first_here ? end - start[i] : 0;
    m.channel = l.channel;
    m.has_time = l.has_time;
    m.time_ns = l.time_ns;
    m.component = l.component;
    if (l.source_size > 0) m.source = source_id(reader_.text(l.source_begin, l.source_size));
    emit(reader_.text(l.text_begin, l.text_size), m, out);
  }
  if (g.text.capacity() > (size_t{1} << 20)) std::string().swap(g.text);
}

void EnvelopeDecoder::export_tsv_line(std::string_view line, LineMeta m, DecodedLines& out) const {
  std::string_view text;
  if (parse_tsv_export(line, &text, &m.time_ns, &m.component)) {
    m.has_time = true;
    line = text;
  }
  emit(line, m, out);
}

uint32_t EnvelopeDecoder::source_id(std::string_view path) {
  // Records of one file repeat its path: the last ones are compared first.
  for (size_t i = sources_.size(); i > 0; --i)
    if (sources_[i - 1] == path) return static_cast<uint32_t>(i);
  if (sources_.size() >= kMaxSources) return 0;
  sources_.emplace_back(path);
  return static_cast<uint32_t>(sources_.size());
}

}  // namespace airlog::detail
