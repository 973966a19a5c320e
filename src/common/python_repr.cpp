// python_repr.cpp — Python literals as JSON (see python_repr.hpp). One recursive reader writes
// JSON as it goes; when the printed text is no literal it starts again and writes the text as a
// string.
#include "common/python_repr.hpp"

#include <cstdint>
#include <cstring>

#include "common/json_string.hpp"
#include "common/text.hpp"

namespace airlog::detail {

namespace {

// Deeper nesting is not read as a literal (the text becomes a string): the reader's stack stays small.
constexpr int kMaxDepth = 32;

int hex_value(char c) noexcept {
  if (is_digit(c)) return c - '0';
  const char l = static_cast<char>(c | 0x20);
  return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
}

// A JSON number (RFC 8259 grammar) — what repr() prints for an int or a finite float.
bool json_number(std::string_view t) noexcept {
  size_t i = 0;
  if (i < t.size() && t[i] == '-') ++i;
  if (i >= t.size() || !is_digit(t[i])) return false;
  if (t[i] == '0')
    ++i;
  else
    while (i < t.size() && is_digit(t[i])) ++i;
  if (i < t.size() && t[i] == '.') {
    if (++i >= t.size() || !is_digit(t[i])) return false;
    while (i < t.size() && is_digit(t[i])) ++i;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (i >= t.size() || !is_digit(t[i])) return false;
    while (i < t.size() && is_digit(t[i])) ++i;
  }
  return i == t.size();
}

// UTF-8 of code point `cp` into `buf` (U+FFFD for a surrogate or a value past U+10FFFF).
size_t utf8_encode(uint32_t cp, char* buf) noexcept {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
  if (cp < 0x80) {
    buf[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (cp >> 12));
    buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  buf[0] = static_cast<char>(0xF0 | (cp >> 18));
  buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

class Reader {
 public:
  Reader(std::string_view s, char* out) noexcept : s_(s), p_(out) {}

  bool literal() noexcept { return value(0) && (skip_spaces(), i_ == s_.size()); }
  char* end() const noexcept { return p_; }

 private:
  void put(char c) noexcept { *p_++ = c; }
  void put(std::string_view t) noexcept {
    std::memcpy(p_, t.data(), t.size());
    p_ += t.size();
  }
  void skip_spaces() noexcept {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  bool at(char c) const noexcept { return i_ < s_.size() && s_[i_] == c; }

  bool value(int depth) noexcept {
    if (i_ >= s_.size() || depth > kMaxDepth) return false;
    switch (s_[i_]) {
      case '\'':
      case '"': return str();
      case '[': return sequence(']', depth);
      case '(': return sequence(')', depth);
      case '{': return dict(depth);
      default: return scalar(false);
    }
  }

  // The word up to the next delimiter: True, False, None or a number; in a dict key's place, the
  // same in quotes.
  bool scalar(bool as_key) noexcept {
    const size_t begin = i_;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != ':' && s_[i_] != ' ' && s_[i_] != ']' && s_[i_] != ')' &&
           s_[i_] != '}')
      ++i_;
    const std::string_view t = s_.substr(begin, i_ - begin);
    std::string_view json = t == "True" ? "true" : t == "False" ? "false" : t == "None" ? "null" : std::string_view{};
    if (json.empty()) {
      if (!json_number(t)) return false;
      json = t;
    }
    if (as_key) put('"');
    put(json);
    if (as_key) put('"');
    return true;
  }

  // A str literal: its text decoded from Python's escapes and written as a JSON string.
  bool str() noexcept {
    const char quote = s_[i_++];
    put('"');
    while (i_ < s_.size()) {
      size_t run = i_;
      while (run < s_.size() && s_[run] != quote && s_[run] != '\\') ++run;
      p_ += write_json_string_contents(s_.substr(i_, run - i_), p_);
      i_ = run;
      if (i_ >= s_.size()) return false;
      if (s_[i_] == quote) {
        ++i_;
        put('"');
        return true;
      }
      if (!escape()) return false;
    }
    return false;
  }

  // The escape at s_[i_] ('\\'): its character written as JSON.
  bool escape() noexcept {
    if (i_ + 1 >= s_.size()) return false;
    const char e = s_[i_ + 1];
    i_ += 2;
    uint32_t cp = 0;
    auto hex = [&](size_t digits) {
      if (i_ + digits > s_.size()) return false;
      for (size_t k = 0; k < digits; ++k) {
        const int h = hex_value(s_[i_ + k]);
        if (h < 0) return false;
        cp = cp * 16 + static_cast<uint32_t>(h);
      }
      i_ += digits;
      return true;
    };
    switch (e) {
      case 'n': cp = '\n'; break;
      case 'r': cp = '\r'; break;
      case 't': cp = '\t'; break;
      case 'a': cp = 7; break;
      case 'b': cp = 8; break;
      case 'f': cp = 12; break;
      case 'v': cp = 11; break;
      case 'x':
        if (!hex(2)) return false;
        break;
      case 'u':
        if (!hex(4)) return false;
        break;
      case 'U':
        if (!hex(8)) return false;
        break;
      default:
        if (e >= '0' && e <= '7') {  // octal, up to three digits
          cp = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2 && i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '7'; ++k)
            cp = cp * 8 + static_cast<uint32_t>(s_[i_++] - '0');
        } else if (e == '\\' || e == '\'' || e == '"') {
          cp = static_cast<unsigned char>(e);
        } else {
          // Not an escape to Python either: the backslash stays (and the character is read next).
          i_ -= 1;
          cp = '\\';
        }
    }
    char buf[4];
    p_ += write_json_string_contents({buf, utf8_encode(cp, buf)}, p_);
    return true;
  }

  // `[a, b]` or `(a, b)` / `(a,)`: a JSON array.
  bool sequence(char close, int depth) noexcept {
    ++i_;
    put('[');
    skip_spaces();
    bool first = true;
    while (!at(close)) {
      if (!first) put(',');
      first = false;
      if (!value(depth + 1)) return false;
      skip_spaces();
      if (at(',')) {
        ++i_;
        skip_spaces();
      } else if (!at(close)) {
        return false;
      }
    }
    ++i_;
    put(']');
    return true;
  }

  // `{key: value, …}`: a JSON object.
  bool dict(int depth) noexcept {
    ++i_;
    put('{');
    skip_spaces();
    bool first = true;
    while (!at('}')) {
      if (!first) put(',');
      first = false;
      if (i_ >= s_.size()) return false;
      if (!(s_[i_] == '\'' || s_[i_] == '"' ? str() : scalar(true))) return false;
      skip_spaces();
      if (!at(':')) return false;
      ++i_;
      put(':');
      skip_spaces();
      if (!value(depth + 1)) return false;
      skip_spaces();
      if (at(',')) {
        ++i_;
        skip_spaces();
      } else if (!at('}')) {
        return false;
      }
    }
    ++i_;
    put('}');
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  char* p_;
};

}  // namespace

size_t write_python_value_as_json(std::string_view printed, char* out) noexcept {
  if (!printed.empty()) {
    Reader r(printed, out);
    if (r.literal()) return static_cast<size_t>(r.end() - out);
  }
  // Not a literal: the text as printed (a str the console wrote without quotes, another repr).
  out[0] = '"';
  const size_t n = write_json_string_contents(printed, out + 1);
  out[n + 1] = '"';
  return n + 2;
}

}  // namespace airlog::detail
