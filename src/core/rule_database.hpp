// rule_database.hpp — the built-in rule table (rules.hpp) as one Hyperscan database. Shared by
// Database::compile() and the build-time tool that embeds compiled databases in the library
// (tools/embed_database.cpp, embedded_database.hpp), so both build the same literal set.
#pragma once

#include <hs/hs.h>

#include "absl/status/statusor.h"

namespace airlog::detail {

/// Compiles the built-in rules for the running CPU. `hints`: with the secret hints (redact.hpp),
/// which report Anchor::secret_hint and Anchor::uri_hint. The caller owns the database
/// (hs_free_database). Fails with the name of the rule Hyperscan or check_rule() rejects.
absl::StatusOr<hs_database_t*> compile_rule_database(bool hints);

}  // namespace airlog::detail
