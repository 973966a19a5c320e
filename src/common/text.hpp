// text.hpp — small byte-level helpers shared by the extractors: ANSI stripping, key=value lookup,
// integer parsing, identifier scanning. All take views and never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace airlog::detail {

inline bool is_digit(char c) noexcept { return static_cast<unsigned char>(c - '0') < 10; }
inline bool is_upper(char c) noexcept { return static_cast<unsigned char>(c - 'A') < 26; }
inline bool is_lower(char c) noexcept { return static_cast<unsigned char>(c - 'a') < 26; }
inline bool is_alpha(char c) noexcept { return is_upper(c) || is_lower(c); }
inline bool is_space(char c) noexcept { return c == ' ' || c == '\t'; }
/// Airflow id characters (`[\w.-]`, with any non-ASCII byte taken as a Unicode word character).
inline bool is_id_char(char c) noexcept {
  return is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == '-' || static_cast<unsigned char>(c) >= 0x80;
}

std::string_view trim(std::string_view s) noexcept;
std::string_view trim_right(std::string_view s) noexcept;
inline bool starts_with(std::string_view s, std::string_view p) noexcept {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

/// Removes ANSI CSI escape sequences (`ESC [ params letter`) and lone ESC bytes from `in`,
/// writing to `out` (capacity >= in.size()). Returns the length written.
size_t strip_ansi(std::string_view in, char* out) noexcept;

/// Parses a decimal integer (optional leading '-') at the start of `s`. Returns digits consumed
/// (0 if none) and stores the value, saturating at INT32 limits.
size_t parse_int(std::string_view s, int32_t* value) noexcept;
/// The whole of `s` must be an integer.
bool parse_int_exact(std::string_view s, int32_t* value) noexcept;

/// Finds `key` (e.g. "dag_id=") in `text` at a token boundary (start, or after ' ', ',', '(' or
/// '{') and returns its value: a quoted value ('…' or "…") without quotes, otherwise the text up
/// to the next ',' ')' or whitespace. Returns false when the key is absent.
bool find_value(std::string_view text, std::string_view key, std::string_view* value) noexcept;

/// Like find_value, but an unquoted value runs to the next ", " (values may contain spaces, as in
/// `execution_date=2024-01-01 00:00:00+00:00, run_id=…`).
bool find_comma_value(std::string_view text, std::string_view key, std::string_view* value) noexcept;

/// True when every byte of `s` is ASCII (8 bytes per step; most log text is).
bool is_ascii(std::string_view s) noexcept;

/// Length of the run of id characters at the start of `s`.
size_t id_length(std::string_view s) noexcept;

}  // namespace airlog::detail
