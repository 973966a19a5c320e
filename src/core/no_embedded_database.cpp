// No database compiled at build time (cross-compiled or fuzzing builds): Database::compile()
// always compiles.
#include "core/embedded_database.hpp"

namespace airlog::detail {

const EmbeddedDatabases kEmbeddedDatabases{nullptr, 0, nullptr, 0, 0, 0, ""};

}  // namespace airlog::detail
