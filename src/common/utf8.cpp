// utf8.cpp — the vector path of valid_utf8 (see utf8.hpp), kept out of the header so that the
// writers that include utf8.hpp do not compile simdjson.
#include "common/utf8.hpp"

#include "simdjson.h"

namespace airlog::detail {

bool valid_utf8_simd(std::string_view s) noexcept { return simdjson::validate_utf8(s.data(), s.size()); }

}  // namespace airlog::detail
