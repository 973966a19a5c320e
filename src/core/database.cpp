#include "airlog/database.hpp"

#include <string>
#include <vector>

#include "core/database_impl.hpp"
#include "core/redact.hpp"
#include "core/rules.hpp"

namespace airlog {

absl::StatusOr<Database> Database::compile() {
  if (hs_valid_platform() != HS_SUCCESS)
    return absl::FailedPreconditionError("airlog: this CPU lacks SSSE3, which Hyperscan requires");

  std::vector<const char*> literals;
  std::vector<size_t> lengths;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  for (unsigned i = 0; i < detail::kAnchorCount; ++i) {
    const detail::Rule& r = detail::kRules[i];
    // The built-in table is also checked at build time; this names the row if it ever is not.
    if (const char* problem = detail::check_rule(detail::kRules, i))
      return absl::InternalError("airlog: rule '" + std::string(r.name) + "' " + problem);
    if (r.anchor == detail::Anchor::secret_hint) {
      for (const detail::SecretHint& h : detail::kSecretHints) {  // one anchor, many literals
        literals.push_back(h.literal.data());
        lengths.push_back(h.literal.size());
        flags.push_back(h.caseless ? HS_FLAG_CASELESS : 0);
        ids.push_back(i);
      }
      continue;
    }
    literals.push_back(r.literal.data());
    lengths.push_back(r.literal.size());
    flags.push_back(r.match == detail::Case::caseless ? HS_FLAG_CASELESS : 0);
    ids.push_back(i);
  }

  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(literals.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned>(literals.size()), HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
    std::string rule = err && err->expression >= 0
                           ? std::string(detail::kRules[ids[static_cast<size_t>(err->expression)]].name)
                           : std::string("(database)");
    std::string msg = err ? err->message : "unknown error";
    hs_free_compile_error(err);
    return absl::InvalidArgumentError("airlog: rule '" + rule + "' failed to compile: " + msg);
  }
  auto impl = std::make_shared<detail::DatabaseImpl>();
  impl->hs = db;
  impl->rule_count = detail::kAnchorCount;  // rows, not literals
  return Database(std::move(impl));
}

size_t Database::rule_count() const noexcept { return impl_->rule_count; }

size_t Database::size_bytes() const noexcept {
  size_t size = 0;
  hs_database_size(impl_->hs, &size);
  return size;
}

}  // namespace airlog
