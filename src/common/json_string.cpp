// json_string.cpp — the JSON string module (see json_string.hpp). One walker decides, byte by byte,
// what append_json_string writes; the writer and the exact-size function both run it, so a size
// can never disagree with the text it measures.
#include "common/json_string.hpp"

#include <cstdint>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "common/utf8.hpp"

namespace airlog {

namespace {

constexpr uint64_t kOnes = 0x0101010101010101ULL;

// True when any of the 8 bytes in `w` needs attention: a control byte (< 0x20), '"', '\\' or a
// non-ASCII byte (validated separately). Lets plain ASCII text be copied 8 bytes per step.
inline bool word_needs_escape(uint64_t w) noexcept {
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  uint64_t control = (w - kOnes * 0x20) & ~w & kHigh;  // bytes < 0x20 (high-bit bytes caught below)
  return (control | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\')) | (w & kHigh)) != 0;
}

#ifdef __SSE2__
// One bit per byte of p[0, 16) that needs attention, as in word_needs_escape: a signed compare
// below 0x20 catches the control bytes and the non-ASCII ones (negative as signed chars) at once.
inline unsigned special_bytes(const char* p) noexcept {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i below_space = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
  const __m128i quote_or_backslash =
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(below_space, quote_or_backslash)));
}
#endif

// How many bytes from `p` (`left` of them) can be skipped at once as needing no attention: 16 or 8
// when all do, up to the first that does (SSE2), 0 when `p[0]` does or too few are left.
inline size_t plain_bytes(const char* p, size_t left) noexcept {
#ifdef __SSE2__
  if (left >= 16) {
    const unsigned special = special_bytes(p);
    return special == 0 ? 16 : static_cast<size_t>(__builtin_ctz(special));
  }
#endif
  if (left < 8) return 0;
  uint64_t w;
  std::memcpy(&w, p, 8);
  return word_needs_escape(w) ? 0 : 8;
}

// Walks `s` as a JSON string's contents: out.copy(p, n) for each run of bytes written as they are,
// out.escape(text) for a short escape or \ufffd, out.control(c) for a \u00XX escape.
template <typename Out>
inline void walk_json_string(std::string_view s, Out& out) {
  const char* p = s.data();
  const size_t n = s.size();
  size_t run = 0;  // start of the bytes not yet copied
  size_t i = 0;
  while (i < n) {
    if (const size_t plain = plain_bytes(p + i, n - i)) {
      i += plain;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      size_t len = detail::utf8_sequence(s, i);
      // U+2028 / U+2029 (E2 80 A8 / A9) are valid JSON but end a line for JavaScript and for
      // line-oriented readers: escaped, as Go's encoder does, so an NDJSON event never splits.
      if (len == 3 && c == 0xE2 && static_cast<unsigned char>(p[i + 1]) == 0x80 &&
          (static_cast<unsigned char>(p[i + 2]) & 0xFE) == 0xA8) {
        out.copy(p + run, i - run);
        out.escape(static_cast<unsigned char>(p[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029");
        run = i += 3;
        continue;
      }
      if (len > 0) {
        i += len;
        continue;
      }  // valid multi-byte character: stays in the run
      out.copy(p + run, i - run);
      out.escape("\\ufffd");
      run = ++i;
      continue;
    }
    out.copy(p + run, i - run);
    switch (c) {
      case '"': out.escape("\\\""); break;
      case '\\': out.escape("\\\\"); break;
      case '\n': out.escape("\\n"); break;
      case '\r': out.escape("\\r"); break;
      case '\t': out.escape("\\t"); break;
      case '\b': out.escape("\\b"); break;
      case '\f': out.escape("\\f"); break;
      default: out.control(c);
    }
    run = ++i;
  }
  out.copy(p + run, n - run);
}

struct Appender {
  std::string& out;
  void copy(const char* p, size_t n) { out.append(p, n); }
  void escape(std::string_view e) { out.append(e); }
  void control(unsigned char c) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.append("\\u00");
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
};

struct Writer {
  char* p;
  void copy(const char* s, size_t n) noexcept {
    std::memcpy(p, s, n);
    p += n;
  }
  void escape(std::string_view e) noexcept { copy(e.data(), e.size()); }
  void control(unsigned char c) noexcept {
    static constexpr char kHex[] = "0123456789abcdef";
    copy("\\u00", 4);
    *p++ = kHex[c >> 4];
    *p++ = kHex[c & 15];
  }
};

struct Counter {
  size_t n = 0;
  void copy(const char*, size_t len) { n += len; }
  void escape(std::string_view e) { n += e.size(); }
  void control(unsigned char) { n += 6; }  // \u00XX
};

// High bit set in each byte of `w` that equals the byte repeated in `pattern` (exact: no false
// positives from borrows, unlike has_zero above).
inline uint64_t bytes_equal(uint64_t w, uint64_t pattern) noexcept {
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL;
  const uint64_t x = w ^ pattern;
  return ~(((x & kLow7) + kLow7) | x | kLow7);
}
// The bytes of a JSON text that need escaping inside a string: '"' and '\\'.
inline uint64_t quotes_and_backslashes(uint64_t w) noexcept {
  return bytes_equal(w, kOnes * '"') | bytes_equal(w, kOnes * '\\');
}

}  // namespace

void append_json_string(std::string_view s, std::string& out) {
  out.push_back('"');
  Appender a{out};
  walk_json_string(s, a);
  out.push_back('"');
}

namespace detail {

size_t write_json_string_contents(std::string_view text, char* out) noexcept {
  Writer w{out};
  walk_json_string(text, w);
  return static_cast<size_t>(w.p - out);
}

size_t json_string_bytes(std::string_view text) noexcept {
  Counter c;
  walk_json_string(text, c);
  return c.n + 2;
}

size_t json_text_string_bytes(std::string_view line) noexcept {
  size_t n = line.size() + 2, i = 0;
  for (; i + 8 <= line.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, line.data() + i, 8);
    // One bit per match at each byte's bit 7: shifted to bit 0, the multiply sums the bytes.
    n += static_cast<size_t>(((quotes_and_backslashes(w) >> 7) * kOnes) >> 56);
  }
  for (; i < line.size(); ++i) n += line[i] == '"' || line[i] == '\\';
  return n;
}

void append_json_text_string(std::string_view line, std::string& out) {
  out.push_back('"');
  size_t run = 0, i = 0;
  for (; i + 8 <= line.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, line.data() + i, 8);
    // Each set bit 7 marks a byte to escape; visit them lowest first (bsf is baseline x86-64).
    for (uint64_t m = quotes_and_backslashes(w); m != 0; m &= m - 1) {
      const size_t at = i + static_cast<size_t>(__builtin_ctzll(m)) / 8;
      out.append(line.data() + run, at - run);
      out.push_back('\\');
      run = at;  // the character itself starts the next run
    }
  }
  for (; i < line.size(); ++i) {
    if (line[i] != '"' && line[i] != '\\') continue;
    out.append(line.data() + run, i - run);
    out.push_back('\\');
    run = i;
  }
  out.append(line.data() + run, line.size() - run);
  out.push_back('"');
}

}  // namespace detail

}  // namespace airlog
