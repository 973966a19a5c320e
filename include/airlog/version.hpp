// airlog/version.hpp — the library version for C++ (the numbers live in airlog/version.h).
//
//   std::cout << "airlog " << airlog::kVersionString << "\n";
#pragma once

#include "airlog/version.h"

namespace airlog {
/// "MAJOR.MINOR.PATCH" of the headers compiled against.
inline constexpr const char* kVersionString = AIRLOG_VERSION_STRING;
}  // namespace airlog
