// decimal.hpp — integers as decimal text, the one number format every airlog writer uses.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>

namespace airlog::detail {

/// The longest decimal text of an int64_t (`-9223372036854775808`).
inline constexpr size_t kInt64MaxDigits = 20;

/// Writes `v` in decimal to `out`, which has room for kInt64MaxDigits; returns the end of the text.
inline char* write_int(int64_t v, char* out) noexcept { return std::to_chars(out, out + kInt64MaxDigits, v).ptr; }

/// Appends `v` in decimal to `out`.
inline void append_int(int64_t v, std::string& out) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, static_cast<size_t>(res.ptr - buf));
}

}  // namespace airlog::detail
