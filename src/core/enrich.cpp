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

void remember_ti(StreamState& st, const Event& ev) {
  st.last_learned_ti.assign(ev.ti_id);
  const absl::string_view id(ev.ti_id.data(), ev.ti_id.size());
  if (const auto it = st.ti_identities.find(id); it != st.ti_identities.end()) {
    // A scheduler's repr names no try; a later line of the same id may.
    TiIdentity& t = it->second;
    if (t.dag_id == ev.dag_id && t.task_id == ev.task_id && t.run_id == ev.run_id) {
      if (ev.try_number > 0) t.try_number = ev.try_number;
      if (t.map_index < 0) t.map_index = ev.map_index;
    }
    st.last_learned_ti_try = t.try_number;
    return;
  }
  st.last_learned_ti_try = ev.try_number;
  if (st.ti_identities.size() >= kMaxTiIdentities) st.ti_identities.clear();  // keeps its buckets
  st.ti_identities.emplace(ev.ti_id, TiIdentity{std::string(ev.dag_id), std::string(ev.task_id), std::string(ev.run_id),
                                                ev.try_number, ev.map_index});
}

void fill_from_ti(StreamState& st, Arena& arena, Event& ev) {
  const auto it = st.ti_identities.find(absl::string_view(ev.ti_id.data(), ev.ti_id.size()));
  if (it == st.ti_identities.end()) return;
  const TiIdentity& t = it->second;
  if ((!ev.dag_id.empty() && ev.dag_id != t.dag_id) || (!ev.task_id.empty() && ev.task_id != t.task_id) ||
      (!ev.run_id.empty() && ev.run_id != t.run_id))
    return;
  if (ev.dag_id.empty()) ev.dag_id = arena.copy(t.dag_id);
  if (ev.task_id.empty()) ev.task_id = arena.copy(t.task_id);
  if (ev.run_id.empty()) ev.run_id = arena.copy(t.run_id);
  if (ev.try_number == 0) ev.try_number = t.try_number;
  if (ev.map_index < 0) ev.map_index = t.map_index;
}

}  // namespace airlog::detail
