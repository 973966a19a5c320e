// utf8.hpp — UTF-8 validation, in one place: the input checks (a message's invalid_utf8 flag, JSON
// text, Loki's static labels) and the output writers (every format airlog writes is valid UTF-8,
// with U+FFFD in place of each byte that does not belong to a valid sequence) share one rule.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/text.hpp"

namespace airlog::detail {

/// Length of the valid UTF-8 sequence at s[i] (a byte >= 0x80), or 0 if the bytes there are not one
/// (overlong forms, surrogates and code points above U+10FFFF are rejected).
inline size_t utf8_sequence(std::string_view s, size_t i) noexcept {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (n == 0 || c > 0xf4 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  if (n == 3 && ((c == 0xe0 && b(i + 1) < 0xa0) || (c == 0xed && b(i + 1) > 0x9f))) return 0;
  if (n == 4 && ((c == 0xf0 && b(i + 1) < 0x90) || (c == 0xf4 && b(i + 1) > 0x8f))) return 0;
  return n;
}

/// valid_utf8's path for text that is not all ASCII: simdjson's validator, which applies the same
/// rule as utf8_sequence (tests/json_string_test.cpp checks that they agree). Call valid_utf8.
bool valid_utf8_simd(std::string_view s) noexcept;

/// True when all of `s` is valid UTF-8. The ASCII check comes first: most log text is ASCII, and
/// the vector validator costs a dispatch per call.
inline bool valid_utf8(std::string_view s) noexcept { return is_ascii(s) || valid_utf8_simd(s); }

/// U+FFFD REPLACEMENT CHARACTER in UTF-8.
inline constexpr std::string_view kReplacementChar = "\xef\xbf\xbd";

/// Appends `s` to `out` with each invalid byte replaced by U+FFFD.
inline void append_valid_utf8(std::string_view s, std::string& out) {
  size_t run = 0;
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    if (size_t len = utf8_sequence(s, i)) {
      i += len;
      continue;
    }
    out.append(s.data() + run, i - run);
    out.append(kReplacementChar);
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
}

/// The longest prefix of `s` of at most `max_bytes` bytes that does not end inside a multi-byte
/// sequence (cuts text without creating an invalid tail).
inline std::string_view utf8_prefix(std::string_view s, size_t max_bytes) noexcept {
  if (s.size() <= max_bytes) return s;
  size_t n = max_bytes;
  // Back off over continuation bytes (at most 3) to the start of the sequence that was cut.
  for (size_t k = 0; k < 3 && n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80; ++k) --n;
  return s.substr(0, n);
}

}  // namespace airlog::detail
