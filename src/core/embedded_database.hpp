// embedded_database.hpp — the rule databases compiled and serialized while airlog was built
// (tools/embed_database.cpp writes their definition; builds that cannot run it, such as
// cross-compiles, link src/core/no_embedded_database.cpp). Loading them takes microseconds where
// compiling both takes ~15 ms, most of the CLI's start-up; they are used only on a CPU of the
// same Hyperscan platform with the same Hyperscan version, else Database::compile() compiles.
#pragma once

#include <cstddef>

namespace airlog::detail {

struct EmbeddedDatabases {
  const unsigned char* plain;  ///< hs_serialize_database of compile_rule_database(false); null if none
  size_t plain_size;
  const unsigned char* redacting;  ///< ... of compile_rule_database(true)
  size_t redacting_size;
  unsigned tune;  ///< hs_platform_info of the CPU they were compiled on
  unsigned long long cpu_features;
  const char* hs_version;  ///< hs_version() of the library that compiled them
};

extern const EmbeddedDatabases kEmbeddedDatabases;

}  // namespace airlog::detail
