// fields.hpp — the event schema (include/airlog/fields.hpp) seen from the library's own code:
// its names are used unqualified in airlog::detail.
#pragma once

#include "airlog/fields.hpp"

namespace airlog::detail {
using namespace airlog::schema;  // NOLINT: the table's notation, in the library's own namespace
}  // namespace airlog::detail
