#include "core/rule_database.hpp"

#include <string>
#include <vector>

#include "core/redact.hpp"
#include "core/rules.hpp"

namespace airlog::detail {

absl::StatusOr<hs_database_t*> compile_rule_database(bool hints) {
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
  for (unsigned i = 0; i < kAnchorCount; ++i) {
    const Rule& r = kRules[i];
    // The built-in table is also checked at build time; this names the row if it ever is not.
    if (const char* problem = check_rule(kRules, i))
      return absl::InternalError("airlog: rule '" + std::string(r.name) + "' " + problem);
    const bool hint = r.anchor == Anchor::secret_hint || r.anchor == Anchor::uri_hint;
    if (hint && !hints) continue;
    if (kByteMarks & bit(r.anchor)) continue;  // found by the line split (classify.cpp)
    if (r.anchor == Anchor::secret_hint) {
      for (const SecretHint& h : kSecretHints) add(h.literal, h.caseless, i);  // one anchor
      continue;
    }
    add(r.literal, r.match == Case::caseless, i);
  }

  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(literals.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned>(literals.size()), HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
    std::string rule = err && err->expression >= 0 ? std::string(kRules[ids[static_cast<size_t>(err->expression)]].name)
                                                   : "(database)";
    std::string msg = err ? err->message : "unknown error";
    hs_free_compile_error(err);
    return absl::InvalidArgumentError("airlog: rule '" + rule + "' failed to compile: " + msg);
  }
  return db;
}

}  // namespace airlog::detail
