// airlog/version.hpp — library version.
#pragma once

#define AIRLOG_VERSION_MAJOR 0
#define AIRLOG_VERSION_MINOR 1
#define AIRLOG_VERSION_PATCH 0

namespace airlog {
inline constexpr const char* kVersionString = "0.1.0";
}  // namespace airlog
