// decimal.hpp — integers as decimal text, the one number format every airlog writer uses.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>

namespace airlog::detail {

/// Appends `v` in decimal to `out`.
inline void append_int(int64_t v, std::string& out) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, static_cast<size_t>(res.ptr - buf));
}

}  // namespace airlog::detail
