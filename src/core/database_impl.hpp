// database_impl.hpp — what a compiled Database holds (private).
#pragma once

#include <hs/hs.h>

#include <memory>

namespace airlog::detail {

struct DatabaseImpl {
  hs_database_t* hs = nullptr;
  size_t rule_count = 0;
  /// The same rules plus the secret hints (redact.hpp), for streams with Options::redact: the
  /// hints' short caseless literals would slow every other stream's scan by about a sixth.
  /// Null in the redacting database itself.
  std::shared_ptr<const DatabaseImpl> redacting;
  ~DatabaseImpl() { hs_free_database(hs); }
};

}  // namespace airlog::detail
