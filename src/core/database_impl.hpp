// database_impl.hpp — what a compiled Database holds (private).
#pragma once

#include <hs/hs.h>

namespace airlog::detail {

struct DatabaseImpl {
  hs_database_t* hs = nullptr;
  size_t rule_count = 0;
  ~DatabaseImpl() { hs_free_database(hs); }
};

}  // namespace airlog::detail
