#include "airlog/database.hpp"

#include <string_view>

#include "core/database_impl.hpp"
#include "core/embedded_database.hpp"
#include "core/rule_database.hpp"
#include "core/rules.hpp"

namespace airlog {

namespace {

std::shared_ptr<detail::DatabaseImpl> wrap(hs_database_t* db) {
  auto impl = std::make_shared<detail::DatabaseImpl>();
  impl->hs = db;
  impl->rule_count = detail::kAnchorCount;  // rows, not literals
  return impl;
}

// The databases embedded at build time, when they were compiled by this Hyperscan version for
// this CPU's platform (a database for another CPU would load but be slower, or not load); else null.
std::shared_ptr<detail::DatabaseImpl> load_embedded() {
  const detail::EmbeddedDatabases& e = detail::kEmbeddedDatabases;
  hs_platform_info_t here;
  if (e.plain == nullptr || hs_populate_platform(&here) != HS_SUCCESS || here.tune != e.tune ||
      here.cpu_features != e.cpu_features || std::string_view(hs_version()) != e.hs_version)
    return nullptr;
  hs_database_t* plain = nullptr;
  hs_database_t* redacting = nullptr;
  if (hs_deserialize_database(reinterpret_cast<const char*>(e.plain), e.plain_size, &plain) != HS_SUCCESS ||
      hs_deserialize_database(reinterpret_cast<const char*>(e.redacting), e.redacting_size, &redacting) != HS_SUCCESS) {
    hs_free_database(plain);
    return nullptr;
  }
  std::shared_ptr<detail::DatabaseImpl> impl = wrap(plain);
  impl->redacting = wrap(redacting);
  return impl;
}

}  // namespace

absl::StatusOr<Database> Database::compile() {
  if (hs_valid_platform() != HS_SUCCESS)
    return absl::FailedPreconditionError("airlog: this CPU lacks SSSE3, which Hyperscan requires");
  if (std::shared_ptr<detail::DatabaseImpl> embedded = load_embedded()) return Database(std::move(embedded));
  absl::StatusOr<hs_database_t*> plain = detail::compile_rule_database(/*hints=*/false);
  if (!plain.ok()) return plain.status();
  std::shared_ptr<detail::DatabaseImpl> impl = wrap(*plain);
  absl::StatusOr<hs_database_t*> redacting = detail::compile_rule_database(/*hints=*/true);
  if (!redacting.ok()) return redacting.status();
  impl->redacting = wrap(*redacting);
  return Database(std::move(impl));
}

size_t Database::rule_count() const noexcept { return impl_->rule_count; }

size_t Database::size_bytes() const noexcept {
  size_t size = 0, redacting = 0;
  hs_database_size(impl_->hs, &size);
  if (impl_->redacting) hs_database_size(impl_->redacting->hs, &redacting);
  return size + redacting;
}

}  // namespace airlog
