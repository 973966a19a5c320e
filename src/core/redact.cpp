// redact.cpp — the hand-written confirmation behind Anchor::secret_hint. Four families of secret,
// each found by its own small reader over a text; what they find is collected as byte ranges,
// merged, and replaced by `***` in one rewrite into the arena. No regex engine: every shape is a
// fixed prefix or a key name followed by a short scan, so a text costs a few passes.
#include "core/redact.hpp"

#include <algorithm>
#include <cstring>
#include <span>

#include "common/text.hpp"
#include "core/fields.hpp"
#include "core/rules.hpp"

namespace airlog::detail {

static_assert(kSecretHints[0].literal == anchor_literal(Anchor::secret_hint),
              "the secret_hint row's literal is the first hint");

namespace {

constexpr std::string_view kMask = "***";

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool alnum(char c) noexcept { return is_alpha(c) || is_digit(c); }
bool word_char(char c) noexcept { return alnum(c) || c == '_'; }
bool key_char(char c) noexcept { return word_char(c) || c == '-' || c == '.'; }

// Whether `t` holds lowercase `word` at `pos`, in any case.
bool ieq_at(std::string_view t, size_t pos, std::string_view word) noexcept {
  if (pos + word.size() > t.size()) return false;
  for (size_t k = 0; k < word.size(); ++k)
    if (lower(t[pos + k]) != word[k]) return false;
  return true;
}

// A value that is no secret but stands for one: empty, already masked (`***`, `eyJ***`, Airflow
// 1.10's `XXXXXXXX`), a format or bind placeholder, `None` / `null`, `<redacted>`-like, a `{template}`.
bool placeholder(std::string_view v) noexcept {
  if (v.empty() || v == "?" || v == "None" || v == "none" || v == "null" || v == "NULL") return true;
  if (v.find_first_not_of('*') == std::string_view::npos) return true;
  if (v.size() > 3 && v.substr(v.size() - 3) == "***") return true;  // masked already (`eyJ***`)
  if (v.size() >= 3 && (v.find_first_not_of('X') == std::string_view::npos)) return true;
  if (v[0] == '%' && v.size() >= 2 && (v[1] == 's' || v[1] == '(')) return true;     // %s, %(password)s
  if (v[0] == ':' && v.size() >= 2 && (is_alpha(v[1]) || v[1] == '_')) return true;  // SQL bind :password
  if ((v.front() == '<' && v.back() == '>') || (v.front() == '{' && v.back() == '}')) return true;
  if (v.size() >= 3 && v[0] == '$' && v[1] == '{' && v.back() == '}') return true;  // ${ENV}
  return false;
}

// A byte range to replace; `quote`: a bare JSON value, replaced by `"***"` to stay valid JSON.
struct Mask {
  size_t begin;
  size_t end;
  bool quote;
};

class Finder {
 public:
  Finder(std::string_view t, bool json, bool uri_only) : t_(t), json_(json), uri_only_(uri_only) {}

  // Runs every reader; false when the mask list filled up (the caller masks what it has, then
  // reads the result again: masked values are placeholders, so each pass makes progress).
  bool run() {
    uri_passwords();
    if (uri_only_) return !full_;
    // One pass for the other families, each started by the byte its shapes hinge on: a
    // separator for key-values, `b` for Bearer / Basic, a token's first letter.
    const size_t n = t_.size();
    for (size_t i = 0; i < n; ++i) {
      switch (t_[i]) {
        case '=':
        case ':': i = key_value_at(i); break;
        case 'b':
        case 'B': i = credential_at(i); break;
        case 'A':
        case 'x':
        case '-': i = shaped_token_at(i); break;
        // Common first letters are looked at from a rarer byte inside the prefix: `eyJ`, `gh?_`.
        case 'J':
          if (i >= 2 && t_[i - 2] == 'e' && t_[i - 1] == 'y') i = std::max(i, shaped_token_at(i - 2));
          break;
        case '_':
          if (i >= 3 && t_[i - 3] == 'g' && t_[i - 2] == 'h')
            i = std::max(i, shaped_token_at(i - 3));
          else if (i >= 6 && t_[i - 6] == 'g')
            i = std::max(i, shaped_token_at(i - 6));  // github_pat_
          break;
        default: break;
      }
    }
    return !full_;
  }

  // The masks in text order, overlapping ones merged.
  std::span<const Mask> merged() {
    std::sort(masks_, masks_ + n_, [](const Mask& a, const Mask& b) { return a.begin < b.begin; });
    size_t out = 0;
    for (size_t i = 0; i < n_; ++i) {
      if (out > 0 && masks_[i].begin < masks_[out - 1].end) {
        Mask& m = masks_[out - 1];
        if (masks_[i].end > m.end || masks_[i].begin != m.begin) m.quote = false;
        m.end = std::max(m.end, masks_[i].end);
        continue;
      }
      masks_[out++] = masks_[i];
    }
    n_ = out;
    return {masks_, n_};
  }

 private:
  static constexpr size_t kMaxMasks = 32;

  void add(size_t begin, size_t end, bool quote = false) {
    if (begin >= end) return;
    if (n_ == kMaxMasks) {
      full_ = true;
      return;
    }
    masks_[n_++] = Mask{begin, end, quote};
  }

  // Where an unquoted value starting at `i` ends. In JSON text a backslash or quote also ends it,
  // so an escape is never cut in two.
  size_t bare_end(size_t i) const {
    while (i < t_.size()) {
      const char c = t_[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';' || c == '&' || c == ')' || c == '}' ||
          c == ']' || c == '"' || c == '\'' || (json_ && c == '\\'))
        break;
      ++i;
    }
    return i;
  }

  // The value after a separator at `v` (spaces skipped): [*b, *e) is what to mask (inside the
  // quotes of a quoted value). `*quoted` says whether it had quotes.
  bool value_at(size_t v, size_t* b, size_t* e, bool* quoted) const {
    while (v < t_.size() && t_[v] == ' ') ++v;
    if (v >= t_.size()) return false;
    const char q = t_[v];
    *quoted = true;
    if (q == '"' || q == '\'') {
      size_t i = v + 1;
      while (i < t_.size() && t_[i] != q) i += t_[i] == '\\' ? 2 : 1;
      *b = v + 1;
      *e = i < t_.size() ? i : bare_end(v + 1);
      return true;
    }
    if (json_ && q == '\\' && v + 1 < t_.size() && t_[v + 1] == '"') {  // JSON text inside a JSON string
      const size_t close = t_.find("\\\"", v + 2);
      *b = v + 2;
      *e = close != std::string_view::npos ? close : bare_end(v + 2);
      return true;
    }
    *quoted = false;
    *b = v;
    *e = bare_end(v);
    // A `${ENV}` or `<redacted value>` runs to its closing bracket (a placeholder).
    const size_t open = q == '$' && v + 1 < t_.size() && t_[v + 1] == '{' ? v + 1 : v;
    if (t_[open] == '{' || t_[open] == '<') {
      const size_t close = t_.find(t_[open] == '{' ? '}' : '>', open);
      if (close != std::string_view::npos && close - v <= 64) *e = close + 1;
    }
    return true;
  }

  // 1. `scheme://user:PASS@host`, `redis://:PASS@host`: the password, when ':' and '@' come
  // before any '/', whitespace or quote after "://".
  void uri_passwords() {
    for (size_t at = t_.find("://"); at != std::string_view::npos; at = t_.find("://", at + 3)) {
      size_t s = at;
      while (s > 0 && (alnum(t_[s - 1]) || t_[s - 1] == '+' || t_[s - 1] == '.' || t_[s - 1] == '-')) --s;
      if (s == at || !is_alpha(t_[s])) continue;
      const size_t a = at + 3;
      size_t i = a, last_at = std::string_view::npos;
      for (; i < t_.size(); ++i) {
        const char c = t_[i];
        if (c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '\\' ||
            c == '?' || c == '#' || c == '<' || c == '>')
          break;
        if (c == '@') last_at = i;
      }
      if (last_at == std::string_view::npos) continue;
      const size_t colon = t_.find(':', a);
      if (colon >= last_at) continue;
      if (!placeholder(t_.substr(colon + 1, last_at - colon - 1))) add(colon + 1, last_at);
    }
  }

  // Whether a secret name starting at `p` (inside a longer key) begins at a word boundary of the
  // key: after `_`, `-`, `.`, or at a camelCase hump (`dbPassword`).
  bool boundary(size_t p) const {
    const char prev = t_[p - 1];
    if (prev == '_' || prev == '-' || prev == '.') return true;
    return is_upper(t_[p]) && !is_upper(prev);
  }

  // Names a key is, or ends with at a boundary, when its value is a secret (lowercase; `_`/`-`
  // spelled as written). Every one ends in d, t, n or y: key_value_at's first filter.
  static constexpr std::string_view kSecretNames[] = {
      "password",    "passwd",      "pwd",        "secret",      "token",      "api_key",         "api-key",
      "apikey",      "access_key",  "access-key", "accesskey",   "secret_key", "secret-key",      "secretkey",
      "private_key", "private-key", "privatekey", "account_key", "accountkey", "sharedaccesskey",
  };

  bool secret_key(size_t key_begin, size_t key_end) const {
    for (std::string_view name : kSecretNames) {
      if (key_end - key_begin < name.size()) continue;
      const size_t from = key_end - name.size();
      if (ieq_at(t_, from, name) && (from == key_begin || boundary(from))) return true;
    }
    return false;
  }

  // 2. `key=value`, `key: value`, `"key": "value"`, `'key': 'value'`, `key='value'` for keys that
  // are or end with a secret's name, read from the separator at `s` (a `SELECT password FROM
  // users` has none). Returns where reading resumes.
  size_t key_value_at(size_t s) {
    const size_t n = t_.size();
    const char sep = t_[s];
    if (s + 1 < n && (t_[s + 1] == '=' || (sep == ':' && t_[s + 1] == '/'))) return s + 1;  // `==`, a URI
    size_t p = s;
    while (p > 0 && t_[p - 1] == ' ') --p;
    char key_quote = 0;
    if (p > 0 && (t_[p - 1] == '"' || t_[p - 1] == '\'')) {
      key_quote = t_[--p];
      if (json_ && p > 0 && t_[p - 1] == '\\') --p, key_quote = 0;  // `\"key\":` inside a JSON string
    }
    const size_t key_end = p;
    if (key_end == 0) return s;
    const char last = lower(t_[key_end - 1]);
    if (last != 'd' && last != 't' && last != 'n' && last != 'y') return s;
    size_t key_begin = key_end;
    while (key_begin > 0 && key_char(t_[key_begin - 1])) --key_begin;
    if (key_begin == key_end || !secret_key(key_begin, key_end)) return s;
    size_t b = 0, e = 0;
    bool quoted = false;
    if (!value_at(s + 1, &b, &e, &quoted) || placeholder(t_.substr(b, e - b))) return s;
    if (!quoted && code_not_secret(t_.substr(key_begin, key_end - key_begin), t_.substr(b, e - b))) return s;
    // A bare JSON value (`"password": 12345`) becomes the string "***".
    add(b, e, json_ && !quoted && key_quote == '"' && sep == ':');
    return e > s ? e - 1 : s;
  }

  // An unquoted value that is code or structure rather than a secret: a nested object or list
  // (`'password': {'type': 'string'}` in a schema; its own keys are read on their own), a call or
  // index (`token = response.json["token"]`), the variable named like the key (`{"token": token}`).
  static bool code_not_secret(std::string_view key, std::string_view v) noexcept {
    if (v.front() == '{' || v.front() == '[' || v.back() == '[' || v.back() == '(') return true;
    if (v.size() != key.size()) return false;
    for (size_t k = 0; k < v.size(); ++k)
      if (lower(v[k]) != lower(key[k])) return false;
    return true;
  }

  static bool token_char(char c) noexcept {
    return alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
  }

  // A `Basic` credential: base64 of printable text holding ':' (user:password).
  static bool basic_credential(std::string_view v) noexcept {
    if (v.size() < 8 || v.size() % 4 != 0) return false;
    uint32_t acc = 0;
    int bits = 0;
    bool colon = false;
    for (size_t k = 0; k < v.size(); ++k) {
      const char c = v[k];
      int d;
      if (c >= 'A' && c <= 'Z')
        d = c - 'A';
      else if (c >= 'a' && c <= 'z')
        d = c - 'a' + 26;
      else if (c >= '0' && c <= '9')
        d = c - '0' + 52;
      else if (c == '+')
        d = 62;
      else if (c == '/')
        d = 63;
      else if (c == '=' && k + 2 >= v.size())
        break;
      else
        return false;
      acc = (acc << 6) | static_cast<uint32_t>(d);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        const char byte = static_cast<char>((acc >> bits) & 0xff);
        if (byte < 0x20 || byte > 0x7e) return false;
        colon |= byte == ':';
      }
    }
    return colon;
  }

  // A Bearer token outside a header: 16 characters or more, `=` only as trailing padding (so
  // `token_type=bearer expires_in=3600` is prose).
  static bool bare_bearer(std::string_view v) noexcept {
    if (v.size() < 16) return false;
    const size_t eq = v.find('=');
    return eq == std::string_view::npos || v.find_first_not_of('=', eq) == std::string_view::npos;
  }

  // Whether the scheme word at `p` follows an `Authorization` header name (`Authorization: `,
  // `'Authorization': '`, `"authorization":"`).
  bool after_authorization(size_t p) const {
    size_t skipped = 0;
    while (p > 0 && skipped < 6 &&
           (t_[p - 1] == ' ' || t_[p - 1] == ':' || t_[p - 1] == '=' || t_[p - 1] == '"' || t_[p - 1] == '\'' ||
            t_[p - 1] == '\\'))
      --p, ++skipped;
    constexpr std::string_view kName = "authorization";
    return skipped > 0 && p >= kName.size() && ieq_at(t_, p - kName.size(), kName);
  }

  // 3. `Authorization: Bearer TOKEN` / `Basic B64`: the credential, the scheme word kept. Outside
  // a header, a Bearer token needs 16 characters and a Basic one must decode to `user:pass`.
  size_t credential_at(size_t i) {
    const size_t n = t_.size();
    const bool bearer = ieq_at(t_, i, "bearer ");
    if (!bearer && !ieq_at(t_, i, "basic ")) return i;
    if (i > 0 && word_char(t_[i - 1])) return i;
    size_t b = i + (bearer ? 6 : 5);
    while (b < n && t_[b] == ' ') ++b;
    size_t e = b;
    while (e < n && token_char(t_[e])) ++e;
    const std::string_view cred = t_.substr(b, e - b);
    if (placeholder(cred)) return i;
    if (!after_authorization(i) && (bearer ? !bare_bearer(cred) : !basic_credential(cred))) return i;
    add(b, e);
    return e - 1;
  }

  // The length of the run at `i` of characters `ok` accepts.
  template <typename Pred>
  size_t run_of(size_t i, Pred ok) const {
    size_t k = i;
    while (k < t_.size() && ok(t_[k])) ++k;
    return k - i;
  }

  bool starts_word(size_t i) const {
    if (i == 0 || !word_char(t_[i - 1])) return true;
    return json_ && i >= 2 && t_[i - 2] == '\\';  // after a JSON escape (`\n`, `\t`)
  }

  // 4. Tokens known by their shape, masked whole: AWS key ids, GCP API keys, Slack and GitHub
  // tokens, JWTs; and the body of a PEM private key block (its BEGIN / END lines kept).
  size_t shaped_token_at(size_t i) {
    const size_t n = t_.size();
    const auto b64url = [](char c) { return alnum(c) || c == '_' || c == '-'; };
    const auto upper_digit = [](char c) { return is_upper(c) || is_digit(c); };
    const std::string_view rest = t_.substr(i);
    if (rest[0] == '-') return starts_with(rest, "-----BEGIN") ? pem_block(i) : i;
    if (!starts_word(i)) return i;
    size_t end = 0;
    if (starts_with(rest, "AKIA") || starts_with(rest, "ASIA")) {
      if (run_of(i + 4, upper_digit) == 16 && (i + 20 == n || !alnum(t_[i + 20]))) end = i + 20;
    } else if (starts_with(rest, "AIza")) {
      if (run_of(i + 4, b64url) == 35) end = i + 39;
    } else if (starts_with(rest, "xox") && rest.size() > 4 && rest[3] != 0 && std::strchr("abprs", rest[3]) &&
               rest[4] == '-') {
      const size_t k = run_of(i + 5, [](char ch) { return alnum(ch) || ch == '-'; });
      if (k >= 10) end = i + 5 + k;
    } else if (starts_with(rest, "github_pat_")) {
      const size_t k = run_of(i + 11, word_char);
      if (k >= 22) end = i + 11 + k;
    } else if (starts_with(rest, "gh") && rest.size() > 3 && rest[2] != 0 && std::strchr("pousr", rest[2]) &&
               rest[3] == '_') {
      const size_t k = run_of(i + 4, alnum);
      if (k >= 36) end = i + 4 + k;
    } else if (starts_with(rest, "eyJ")) {
      end = jwt_end(i);
    }
    if (end == 0) return i;
    add(i, end);
    return end - 1;
  }

  // `eyJ….eyJ….sig`: the end of a JWT starting at `i`, or 0.
  size_t jwt_end(size_t i) const {
    const auto b64url = [](char c) { return alnum(c) || c == '_' || c == '-'; };
    size_t k = i + 3 + run_of(i + 3, b64url);
    if (k - i < 8 || k >= t_.size() || t_[k] != '.' || !starts_with(t_.substr(k + 1), "eyJ")) return 0;
    const size_t payload = k + 1;
    k = payload + 3 + run_of(payload + 3, b64url);
    if (k - payload < 8 || k >= t_.size() || t_[k] != '.') return 0;
    const size_t sig = run_of(k + 1, b64url);
    return sig >= 5 ? k + 1 + sig : 0;
  }

  // `-----BEGIN … PRIVATE KEY-----` at `i`: masks the body up to `-----END` (or the end of the
  // text), keeping the line breaks around it. Returns where reading resumes.
  size_t pem_block(size_t i) {
    const size_t label_end = t_.find("-----", i + 10);
    if (label_end == std::string_view::npos || label_end - i > 80) return i;
    if (t_.substr(i, label_end - i).find("PRIVATE KEY") == std::string_view::npos) return i;
    size_t b = label_end + 5;
    size_t e = std::min(t_.find("-----END", b), t_.size());
    const auto line_break_at = [&](size_t p) -> size_t {
      if (p < t_.size() && t_[p] == '\n') return 1;
      if (json_ && p + 1 < t_.size() && t_[p] == '\\' && t_[p + 1] == 'n') return 2;
      return 0;
    };
    b += line_break_at(b);
    if (e > b && t_[e - 1] == '\n')
      --e;
    else if (json_ && e >= b + 2 && t_[e - 2] == '\\' && t_[e - 1] == 'n')
      e -= 2;
    if (e > b && !placeholder(t_.substr(b, e - b))) add(b, e);
    return e > i ? e - 1 : i;
  }

  std::string_view t_;
  bool json_;
  bool uri_only_;
  Mask masks_[kMaxMasks];
  size_t n_ = 0;
  bool full_ = false;
};

// `text` with `masks` replaced, written into `arena`.
std::string_view rewrite(std::string_view text, std::span<const Mask> masks, Arena& arena) {
  size_t size = text.size();
  for (const Mask& m : masks) size = size - (m.end - m.begin) + kMask.size() + (m.quote ? 2 : 0);
  char* out = arena.allocate(size);
  size_t w = 0, from = 0;
  for (const Mask& m : masks) {
    std::memcpy(out + w, text.data() + from, m.begin - from);
    w += m.begin - from;
    if (m.quote) out[w++] = '"';
    std::memcpy(out + w, kMask.data(), kMask.size());
    w += kMask.size();
    if (m.quote) out[w++] = '"';
    from = m.end;
  }
  std::memcpy(out + w, text.data() + from, text.size() - from);
  return {out, size};
}

}  // namespace

size_t redact_text(std::string_view text, bool json, Arena& arena, std::string_view& out, bool uri_only) {
  size_t count = 0;
  while (!text.empty()) {
    Finder finder(text, json, uri_only);
    const bool complete = finder.run();
    const std::span<const Mask> masks = finder.merged();
    if (masks.empty()) break;
    count += masks.size();
    text = rewrite(text, masks, arena);
    out = text;
    if (complete) break;
  }
  return count;
}

size_t redact_event(Event& ev, Arena& arena, uint64_t anchors) {
  const bool uri_only = !(anchors & bit(Anchor::secret_hint));
  size_t count = 0;
  for (std::string_view Event::*member : kTextMembers) {
    std::string_view& field = ev.*member;
    if (field.empty()) continue;
    count += redact_text(field, member == &Event::attrs, arena, field, uri_only);
  }
  return count;
}

}  // namespace airlog::detail
