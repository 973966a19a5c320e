// text.hpp — airlog text (bytes that are usually, not always, UTF-8) to Python str.
#pragma once

#include <string_view>

#include <pybind11/pybind11.h>

namespace airlog_py {

/// A str of `bytes` decoded as UTF-8; each byte that is not part of a valid UTF-8 sequence
/// becomes U+FFFD, exactly as airlog's JSON writer (append_json_string) writes it, so a str
/// here equals the same field read back from the JSON contract line. Never raises for bad bytes.
pybind11::str to_str(std::string_view bytes);

/// to_str(bytes), or None when `bytes` is empty (the contract omits empty text).
pybind11::object text_or_none(std::string_view bytes);

}  // namespace airlog_py
