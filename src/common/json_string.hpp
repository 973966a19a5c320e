// json_string.hpp — JSON string literals, in one place. Every writer quotes text through this
// module (the JSON and logfmt lines, OTLP records, Loki bodies and their label objects), so the
// escapes, the U+FFFD for invalid UTF-8 and the batchers' size accounting agree byte for byte.
//
// The rules (RFC 8259): '"' and '\\' escaped, \n \r \t \b \f for those controls, \u00XX for the
// other bytes below 0x20, U+2028 and U+2029 as \u2028 / \u2029 (line terminators to JavaScript
// and to line-oriented readers; Go's encoder escapes them too), DEL and other valid UTF-8 copied
// as they are, each byte that does not belong to a valid UTF-8 sequence (common/utf8.hpp) written
// as \ufffd. The public entry point, airlog::append_json_string (airlog/json_writer.hpp), is
// implemented by json_string.cpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "airlog/json_writer.hpp"

namespace airlog::detail {

/// Exact size of append_json_string(text)'s output, quotes included, for any bytes.
size_t json_string_bytes(std::string_view text) noexcept;

/// Upper bound of write_json_string_contents(text)'s output: 6 bytes per input byte (`\u00XX`, `\ufffd`).
inline constexpr size_t json_string_contents_bound(size_t text_bytes) noexcept { return 6 * text_bytes; }

/// Writes what append_json_string writes between the quotes for `text` (any bytes) to `out`, which
/// has room for json_string_contents_bound(text.size()) bytes. Returns the bytes written. For
/// writers that build JSON in place (a structlog console line's attrs in the batch arena).
size_t write_json_string_contents(std::string_view text, char* out) noexcept;

/// Appends `json_text` as a JSON string literal, where `json_text` is valid UTF-8 without control
/// bytes, U+2028 or U+2029 — a JSON text such as a contract line, whose own strings are already escaped. For such
/// text only '"' and '\\' need escaping; the output equals append_json_string's, written 8 bytes
/// per step (a Loki entry's line is most of its body).
void append_json_text_string(std::string_view json_text, std::string& out);

/// Exact size of append_json_text_string(json_text)'s output, quotes included.
size_t json_text_string_bytes(std::string_view json_text) noexcept;

}  // namespace airlog::detail
