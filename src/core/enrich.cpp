// enrich.cpp — the rare steps of enrichment (enrich.hpp), kept out of the per-event inline path.
#include "core/enrich.hpp"

namespace airlog::detail {

void take_exception(Event& ev, std::string_view exception_line) {
  size_t colon = exception_line.find(':');
  ev.exception_type = exception_line.substr(0, colon);
  if (colon != std::string_view::npos) ev.exception_message = trim(exception_line.substr(colon + 1));
}

void remember_dag(StreamState& st, std::string_view dag_id) {
  absl::string_view id(dag_id.data(), dag_id.size());
  if (!st.known_dags.contains(id)) st.known_dags.emplace(dag_id);
  st.last_learned_dag.assign(dag_id);
}

}  // namespace airlog::detail
