// handles.hpp — how the library's own code reaches what a public handle hides: the compiled rules
// of a Database and the working memory of a Scratch. Users hold the handles; only src/ (and the
// tests and benchmarks of single stages) include this.
#pragma once

#include "airlog/database.hpp"
#include "airlog/scratch.hpp"
#include "core/database_impl.hpp"
#include "core/scratch_impl.hpp"

namespace airlog::detail {

struct HandleAccess {
  static const DatabaseImpl& impl(const Database& db) noexcept { return *db.impl_; }
  static ScratchImpl& impl(Scratch& scratch) noexcept { return *scratch.impl_; }
  /// The database a stream with Options::redact scans with (DatabaseImpl::redacting).
  static Database redacting(const Database& db) { return Database(db.impl_->redacting); }
};

inline const DatabaseImpl& impl_of(const Database& db) noexcept { return HandleAccess::impl(db); }
inline ScratchImpl& impl_of(Scratch& scratch) noexcept { return HandleAccess::impl(scratch); }

}  // namespace airlog::detail
