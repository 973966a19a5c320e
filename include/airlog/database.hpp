// airlog/database.hpp — the compiled rule set (Hyperscan database of template anchors).
//
// Compile once at start-up and share it: a Database is immutable after compile(), cheap to copy
// (a reference-counted handle) and safe to use from any number of threads at once.
//
//   absl::StatusOr<airlog::Database> db = airlog::Database::compile();
//   if (!db.ok()) { std::cerr << db.status() << "\n"; return 1; }
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"

namespace airlog {

namespace detail {
struct DatabaseImpl;
struct HandleAccess;
}  // namespace detail

class Database {
 public:
  /// Compiles the built-in Airflow rule table (twice: with and without the literals that hint at a
  /// secret, docs/redaction.md, so that streams without redaction do not pay for them), or loads
  /// the same two databases compiled while airlog was built when this CPU's Hyperscan platform and
  /// version match the build machine's (~0.1 ms instead of ~13 ms). Fails (with the name of the
  /// offending rule) only if the pattern library rejects a rule or the CPU lacks the SSSE3 baseline Hyperscan needs.
  static absl::StatusOr<Database> compile();

  /// Number of rules (template anchors) in the database.
  size_t rule_count() const noexcept;
  /// Hyperscan's size of the compiled databases in bytes: the rules, and the rules with the secret
  /// hints that streams with Options::redact scan with.
  size_t size_bytes() const noexcept;

 private:
  friend struct detail::HandleAccess;  // the library's stages reach the compiled rules through it
  explicit Database(std::shared_ptr<const detail::DatabaseImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const detail::DatabaseImpl> impl_;
};

}  // namespace airlog
