// redact.hpp — secret redaction (Options::redact): what Airflow's own masker misses in lines it
// did not write. Detection rides on the one anchor scan: the literals below all report
// Anchor::secret_hint, and only an event whose lines hold that anchor is looked at again, by the
// hand-written confirmation in redact.cpp. A confirmed secret is replaced by `***` (Airflow's own
// mask); the rest of the text stays byte-identical.
#pragma once

#include <cstddef>
#include <string_view>

#include "airlog/batch.hpp"
#include "airlog/event.hpp"

namespace airlog::detail {

/// A literal whose presence makes a line worth confirming.
struct SecretHint {
  std::string_view literal;
  bool caseless;
};

/// The hint literals (database.cpp compiles them, all reporting Anchor::secret_hint). The first
/// is the anchor row's own literal (rules.hpp). `://` has an anchor of its own, Anchor::uri_hint:
/// URLs are common, and after one only a connection URI's password needs looking for.
inline constexpr SecretHint kSecretHints[] = {
    {"passw", true},        {"pwd", true},        {"secret", true},        {"token", true},      {"api_key", true},
    {"apikey", true},       {"api-key", true},    {"accountkey", true},    {"access_key", true}, {"accesskey", true},
    {"private_key", true},  {"privatekey", true}, {"authorization", true}, {"bearer ", true},    {"basic ", true},
    {"AKIA", false},        {"ASIA", false},      {"-----BEGIN", false},   {"eyJ", false},       {"xox", false},
    {"ghp_", false},        {"gho_", false},      {"ghu_", false},         {"ghs_", false},      {"ghr_", false},
    {"github_pat_", false}, {"AIza", false},
};

/// Masks the secrets in `text` into `out` (the text with each secret replaced by `***`). `json`:
/// `text` is a JSON object text (Event::attrs): a masked non-string value becomes `"***"`, and
/// escapes are never cut. Returns the number of secrets masked; `out` is untouched when 0.
/// Allocates only when it masks something.
/// `uri_only`: look for connection-URI passwords only (the text holds no other hint).
size_t redact_text(std::string_view text, bool json, Arena& out_arena, std::string_view& out, bool uri_only = false);

/// Masks the secrets in every text field of `ev` (message, attrs, exception, HTTP, ids …); the
/// rewritten texts go into `arena`, the event's views are re-pointed at them. Returns the number
/// of secrets masked. Line counts and every other field stay as they were. `anchors`: the OR of
/// the event's lines' anchors (uri_hint alone: URI passwords only).
size_t redact_event(Event& ev, Arena& arena, uint64_t anchors);

}  // namespace airlog::detail
