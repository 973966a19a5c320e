// python_repr.hpp — a value as Python prints it, read back as the JSON value it stands for.
//
// structlog's ConsoleRenderer prints each `key=value` with repr(), except that a str is printed
// as it stands unless it holds a space, tab, `=`, CR, LF or a quote. Its JSON renderer writes the
// same value as JSON. So that a console line's extra keys land in Event::attrs as a JSON line's
// do, the printed value is read as a Python literal — str (either quote, every repr escape), int,
// float, True / False / None, and lists, tuples and dicts of those — and written as JSON (tuples
// as arrays, a non-str dict key as its JSON text in quotes, as json.dumps writes them). Anything
// else (`<Negsignal.SIGKILL: -9>`, `UUID('…')`, `datetime.datetime(…)`, a set, a bare word)
// becomes a JSON string holding the text as printed.
//
// What the console cannot say: a str that looks like a literal (`"12"`, `"True"`) is printed
// without quotes and reads back as the number or boolean; inf and nan are strings.
#pragma once

#include <cstddef>
#include <string_view>

namespace airlog::detail {

/// Upper bound of write_python_value_as_json's output for a printed value of `printed_bytes`.
inline constexpr size_t python_value_json_bound(size_t printed_bytes) noexcept { return 6 * printed_bytes + 2; }

/// Writes the JSON value that `printed` (a value as repr() or the console renderer prints it; any
/// bytes) stands for to `out`, which has room for python_value_json_bound(printed.size()) bytes.
/// Returns the bytes written: always one valid JSON value (strings valid UTF-8, each byte that is
/// not part of a valid sequence and each lone surrogate written as U+FFFD).
size_t write_python_value_as_json(std::string_view printed, char* out) noexcept;

}  // namespace airlog::detail
