/* airlog/version.h — the library version: the one place it is written. CMake's project version,
 * airlog.pc, the C++ kVersionString, the C macros and the Python package version are read from
 * here (CMakeLists.txt and bindings/python/setup.py parse these three lines). Plain C, so that
 * airlog.h can include it. */
#ifndef AIRLOG_VERSION_H
#define AIRLOG_VERSION_H

#define AIRLOG_VERSION_MAJOR 0
#define AIRLOG_VERSION_MINOR 2
#define AIRLOG_VERSION_PATCH 0

#define AIRLOG_VERSION_STRINGIFY_(x) #x
#define AIRLOG_VERSION_STRINGIFY(x) AIRLOG_VERSION_STRINGIFY_(x)
/** "MAJOR.MINOR.PATCH" of the headers compiled against. */
#define AIRLOG_VERSION_STRING                    \
  AIRLOG_VERSION_STRINGIFY(AIRLOG_VERSION_MAJOR) \
  "." AIRLOG_VERSION_STRINGIFY(AIRLOG_VERSION_MINOR) "." AIRLOG_VERSION_STRINGIFY(AIRLOG_VERSION_PATCH)
/** MAJOR * 10000 + MINOR * 100 + PATCH of the headers compiled against. */
#define AIRLOG_VERSION_NUMBER (AIRLOG_VERSION_MAJOR * 10000 + AIRLOG_VERSION_MINOR * 100 + AIRLOG_VERSION_PATCH)

#endif /* AIRLOG_VERSION_H */
