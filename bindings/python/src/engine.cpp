// engine.cpp — see engine.hpp.
#include "engine.hpp"

#include <memory>
#include <optional>

namespace airlog_py {

const airlog::Database& database() {
  // Function-local static: initialised once, thread-safely, on first use.
  static const absl::StatusOr<airlog::Database> db = airlog::Database::compile();
  if (!db.ok()) throw Error("cannot compile the airlog rules: " + std::string(db.status().message()));
  return *db;
}

airlog::Scratch& thread_scratch() {
  thread_local std::optional<airlog::Scratch> scratch;
  if (!scratch) {
    absl::StatusOr<airlog::Scratch> created = airlog::Scratch::create(database());
    if (!created.ok()) throw Error("cannot allocate airlog scratch: " + std::string(created.status().message()));
    scratch.emplace(std::move(*created));
  }
  return *scratch;
}

}  // namespace airlog_py
