// logfmt_writer.cpp — logfmt rendering of the contract keys (see airlog/logfmt_writer.hpp).
// A quoted value is written exactly as a JSON string literal, so its escapes (and the U+FFFD for
// invalid UTF-8) are those of the JSON writer.
#include "airlog/logfmt_writer.hpp"

#include <cstdint>

#include "airlog/json_writer.hpp"
#include "common/decimal.hpp"
#include "common/utf8.hpp"
#include "core/fields.hpp"
#include "core/timestamp.hpp"

namespace airlog {

namespace {

// A value may stand bare when it is not empty and holds only valid UTF-8 without space, control
// bytes, DEL, '=' or '"'.
bool can_stand_bare(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t len = detail::utf8_sequence(s, i);
      if (len == 0) return false;
      // U+2028 / U+2029 end a line for some readers: quoted, so the JSON escape applies.
      if (len == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
          (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8)
        return false;
      i += len;
      continue;
    }
    if (c <= ' ' || c == 0x7f || c == '=' || c == '"') return false;
    ++i;
  }
  return true;
}

class LogfmtVisitor {
 public:
  explicit LogfmtVisitor(std::string& out) : out_(out) {}
  void text(const detail::FieldInfo& f, std::string_view s) {
    key(f);
    append_logfmt_value(s, out_);
  }
  void integer(const detail::FieldInfo& f, int64_t v) {
    key(f);
    detail::append_int(v, out_);
  }
  void date(const detail::FieldInfo& f, int64_t ns) {
    key(f);
    detail::append_rfc3339_utc(ns, out_);
  }
  void json(const detail::FieldInfo& f, std::string_view object_text) {
    key(f);
    append_json_string(object_text, out_);
  }
  void flag(const detail::FieldInfo& f) {
    key(f);
    out_.append("true");
  }

 private:
  void key(const detail::FieldInfo& f) {
    if (!first_) out_.push_back(' ');
    first_ = false;
    out_.append(f.name);
    out_.push_back('=');
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace

void append_logfmt_value(std::string_view s, std::string& out) {
  if (can_stand_bare(s))
    out.append(s);
  else
    append_json_string(s, out);
}

void append_logfmt(const Event& e, std::string& out) {
  LogfmtVisitor v(out);
  detail::visit_event_fields(e, v);
  out.push_back('\n');
}

}  // namespace airlog
