#include "common/text.hpp"

#include <climits>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace airlog::detail {

std::string_view trim_right(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return trim_right(s);
}

size_t strip_ansi(std::string_view in, char* out) noexcept {
  size_t o = 0;
  size_t i = 0;
  const size_t n = in.size();
  while (i < n) {
    const void* esc = std::memchr(in.data() + i, 0x1b, n - i);
    size_t stop = esc ? static_cast<size_t>(static_cast<const char*>(esc) - in.data()) : n;
    std::memcpy(out + o, in.data() + i, stop - i);
    o += stop - i;
    i = stop;
    if (i >= n) break;
    ++i;  // the ESC itself
    if (i < n && in[i] == '[') {
      ++i;
      // Parameter and intermediate bytes, then one final byte in 0x40–0x7e.
      while (i < n && static_cast<unsigned char>(in[i]) >= 0x20 && static_cast<unsigned char>(in[i]) <= 0x3f) ++i;
      while (i < n && static_cast<unsigned char>(in[i]) >= 0x20 && static_cast<unsigned char>(in[i]) <= 0x2f) ++i;
      if (i < n && static_cast<unsigned char>(in[i]) >= 0x40 && static_cast<unsigned char>(in[i]) <= 0x7e) ++i;
    }
  }
  return o;
}

size_t parse_int(std::string_view s, int32_t* value) noexcept {
  size_t i = 0;
  bool neg = false;
  if (!s.empty() && s[0] == '-') {
    neg = true;
    i = 1;
  }
  size_t start = i;
  int64_t v = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (v < INT64_C(1) << 40) v = v * 10 + (s[i] - '0');
    ++i;
  }
  if (i == start) return 0;
  if (neg) v = -v;
  if (v > INT32_MAX) v = INT32_MAX;
  if (v < INT32_MIN) v = INT32_MIN;
  *value = static_cast<int32_t>(v);
  return i;
}

bool parse_int_exact(std::string_view s, int32_t* value) noexcept {
  return !s.empty() && parse_int(s, value) == s.size();
}

namespace {

bool at_boundary(std::string_view text, size_t pos) noexcept {
  if (pos == 0) return true;
  char c = text[pos - 1];
  return c == ' ' || c == ',' || c == '(' || c == '{' || c == '\t' || c == '.' || c == ';';
}

size_t find_key(std::string_view text, std::string_view key) noexcept {
  size_t pos = 0;
  while ((pos = text.find(key, pos)) != std::string_view::npos) {
    if (at_boundary(text, pos)) return pos + key.size();
    pos += 1;
  }
  return std::string_view::npos;
}

bool quoted_value(std::string_view rest, std::string_view* value) noexcept {
  if (rest.empty() || (rest[0] != '\'' && rest[0] != '"')) return false;
  char q = rest[0];
  size_t end = rest.find(q, 1);
  if (end == std::string_view::npos) return false;
  *value = rest.substr(1, end - 1);
  return true;
}

}  // namespace

bool find_value(std::string_view text, std::string_view key, std::string_view* value) noexcept {
  size_t start = find_key(text, key);
  if (start == std::string_view::npos) return false;
  std::string_view rest = text.substr(start);
  if (quoted_value(rest, value)) return true;
  size_t end = 0;
  while (end < rest.size() && rest[end] != ',' && rest[end] != ')' && rest[end] != ' ' && rest[end] != '\t' &&
         rest[end] != '\n' && rest[end] != '>' && rest[end] != '}')
    ++end;
  *value = rest.substr(0, end);
  return true;
}

bool find_comma_value(std::string_view text, std::string_view key, std::string_view* value) noexcept {
  size_t start = find_key(text, key);
  if (start == std::string_view::npos) return false;
  std::string_view rest = text.substr(start);
  if (quoted_value(rest, value)) return true;
  size_t end = rest.find(", ");
  if (end == std::string_view::npos) {
    end = rest.find('\n');
    if (end == std::string_view::npos) end = rest.size();
  }
  std::string_view v = trim_right(rest.substr(0, end));
  if (!v.empty() && v.back() == ',') v.remove_suffix(1);  // 3.0 "data_interval_end=%s," / "x,queued_by"
  *value = v;
  return true;
}

bool is_ascii(std::string_view s) noexcept {
  // Whole words ORed together, the last one overlapping the one before: no byte loop for the tail.
  const char* p = s.data();
  const size_t n = s.size();
#ifdef __SSE2__
  if (n >= 16) {
    __m128i acc = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16));
    for (size_t i = 0; i + 16 <= n; i += 16)
      acc = _mm_or_si128(acc, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
    return _mm_movemask_epi8(acc) == 0;
  }
#endif
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    acc |= w;
  }
  if (n >= 8 && i < n) {
    uint64_t w;
    std::memcpy(&w, p + n - 8, 8);
    acc |= w;
  } else {
    for (; i < n; ++i) acc |= static_cast<unsigned char>(p[i]);
  }
  return (acc & 0x8080808080808080ULL) == 0;
}

size_t id_length(std::string_view s) noexcept {
  size_t i = 0;
  while (i < s.size() && is_id_char(s[i])) ++i;
  return i;
}

}  // namespace airlog::detail
