// Database::compile() loads the databases embedded at build time when they fit this machine: they
// must be exactly what the rule table compiles to now, or a rule change would not reach the scan.
#include <gtest/gtest.h>
#include <hs/hs.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "airlog/database.hpp"
#include "core/database_impl.hpp"
#include "core/embedded_database.hpp"
#include "core/handles.hpp"
#include "core/rule_database.hpp"

namespace airlog::testing {
namespace {

std::string serialized(const hs_database_t* db) {
  char* bytes = nullptr;
  size_t size = 0;
  EXPECT_EQ(hs_serialize_database(db, &bytes, &size), HS_SUCCESS);
  std::string out(bytes, size);
  std::free(bytes);
  return out;
}

std::string compiled(bool hints) {
  absl::StatusOr<hs_database_t*> db = detail::compile_rule_database(hints);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return {};
  std::string out = serialized(*db);
  hs_free_database(*db);
  return out;
}

bool embedded_fits_this_machine() {
  const detail::EmbeddedDatabases& e = detail::kEmbeddedDatabases;
  hs_platform_info_t here;
  return e.plain != nullptr && hs_populate_platform(&here) == HS_SUCCESS && here.tune == e.tune &&
         here.cpu_features == e.cpu_features && std::string_view(hs_version()) == e.hs_version;
}

TEST(Database, EmbeddedDatabasesAreWhatTheRulesCompileTo) {
  const detail::EmbeddedDatabases& e = detail::kEmbeddedDatabases;
  if (!embedded_fits_this_machine()) GTEST_SKIP() << "no database embedded for this machine";
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(e.plain), e.plain_size), compiled(false));
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(e.redacting), e.redacting_size), compiled(true));
}

// Embedded or compiled, a Database holds both databases, each the rules' own.
TEST(Database, CompileGivesThePlainAndTheRedactingRules) {
  absl::StatusOr<Database> db = Database::compile();
  ASSERT_TRUE(db.ok()) << db.status();
  const detail::DatabaseImpl& impl = detail::impl_of(*db);
  ASSERT_NE(impl.redacting, nullptr);
  EXPECT_EQ(serialized(impl.hs), compiled(false));
  EXPECT_EQ(serialized(impl.redacting->hs), compiled(true));
  EXPECT_GT(db->size_bytes(), 0u);
}

}  // namespace
}  // namespace airlog::testing
