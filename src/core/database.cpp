#include "airlog/database.hpp"

#include <string>
#include <vector>

#include "core/database_impl.hpp"
#include "core/redact.hpp"
#include "core/rules.hpp"

namespace airlog {

namespace {

// The built-in rules compiled into one Hyperscan database; `hints`: with the secret hints
// (redact.hpp), which report Anchor::secret_hint and Anchor::uri_hint.
absl::StatusOr<std::shared_ptr<detail::DatabaseImpl>> compile_rules(bool hints) {
  std::vector<const char*> literals;
  std::vector<size_t> lengths;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  const auto add = [&](std::string_view literal, bool caseless, unsigned id) {
    literals.push_back(literal.data());
    lengths.push_back(literal.size());
    flags.push_back(caseless ? HS_FLAG_CASELESS : 0);
    ids.push_back(id);
  };
  for (unsigned i = 0; i < detail::kAnchorCount; ++i) {
    const detail::Rule& r = detail::kRules[i];
    // The built-in table is also checked at build time; this names the row if it ever is not.
    if (const char* problem = detail::check_rule(detail::kRules, i))
      return absl::InternalError("airlog: rule '" + std::string(r.name) + "' " + problem);
    const bool hint = r.anchor == detail::Anchor::secret_hint || r.anchor == detail::Anchor::uri_hint;
    if (hint && !hints) continue;
    if (detail::kByteMarks & detail::bit(r.anchor)) continue;  // found by the line split (classify.cpp)
    if (r.anchor == detail::Anchor::secret_hint) {
      for (const detail::SecretHint& h : detail::kSecretHints) add(h.literal, h.caseless, i);  // one anchor
      continue;
    }
    add(r.literal, r.match == detail::Case::caseless, i);
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
  return impl;
}

}  // namespace

absl::StatusOr<Database> Database::compile() {
  if (hs_valid_platform() != HS_SUCCESS)
    return absl::FailedPreconditionError("airlog: this CPU lacks SSSE3, which Hyperscan requires");
  absl::StatusOr<std::shared_ptr<detail::DatabaseImpl>> plain = compile_rules(/*hints=*/false);
  if (!plain.ok()) return plain.status();
  absl::StatusOr<std::shared_ptr<detail::DatabaseImpl>> redacting = compile_rules(/*hints=*/true);
  if (!redacting.ok()) return redacting.status();
  (*plain)->redacting = *std::move(redacting);
  return Database(*std::move(plain));
}

size_t Database::rule_count() const noexcept { return impl_->rule_count; }

size_t Database::size_bytes() const noexcept {
  size_t size = 0, redacting = 0;
  hs_database_size(impl_->hs, &size);
  if (impl_->redacting) hs_database_size(impl_->redacting->hs, &redacting);
  return size + redacting;
}

}  // namespace airlog
