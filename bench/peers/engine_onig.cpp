// engine_onig.cpp — the Oniguruma adapter, configured as Fluent Bit's regex parser uses it
// (Ruby syntax, onig_search over each record) but with the ASCII encoding, the cheapest one: every
// pattern is ASCII and logs need not be valid UTF-8. As Oniguruma's API documentation advises, one
// region per pattern is made at compile time and reused by every match (onig_region_new once;
// onig_search / onig_match fill it in place). Oniguruma has no whole-string match call:
// `\z` appended to the pattern and onig_match at the start is its idiom.
#include <oniguruma.h>

#include <mutex>

#include "regex_engine.hpp"

namespace peers {

namespace {

class OnigRegex final : public Regex {
 public:
  OnigRegex(regex_t* re, Anchor anchor) : re_(re), region_(onig_region_new()), anchor_(anchor) {}
  ~OnigRegex() override {
    onig_region_free(region_, 1);
    onig_free(re_);
  }
  OnigRegex(const OnigRegex&) = delete;
  OnigRegex& operator=(const OnigRegex&) = delete;

  bool match(std::string_view text, size_t from, Captures* caps) override {
    const auto* begin = reinterpret_cast<const OnigUChar*>(text.data());
    const OnigUChar* end = begin + text.size();
    int rc;
    if (anchor_ == Anchor::search)
      rc = onig_search(re_, begin, end, begin + from, end, region_, ONIG_OPTION_NONE);
    else
      rc = onig_match(re_, begin, end, begin, region_, ONIG_OPTION_NONE);
    if (rc < 0) return false;
    if (!caps) return true;
    const int n = std::min(region_->num_regs, Captures::kMax);
    for (int i = 0; i < n; ++i) {
      const int b = region_->beg[i];
      caps->group[i] = b < 0 ? std::string_view() : std::string_view(text.data() + b, region_->end[i] - b);
    }
    for (int i = n; i <= groups(); ++i) caps->group[i] = {};
    return true;
  }
  int groups() const override { return onig_number_of_captures(re_); }

 private:
  regex_t* re_;
  OnigRegion* region_;
  Anchor anchor_;
};

class OnigEngine final : public Engine {
 public:
  OnigEngine() {
    static std::once_flag once;
    std::call_once(once, [] {
      OnigEncoding encodings[] = {ONIG_ENCODING_ASCII};
      onig_initialize(encodings, 1);
    });
  }

  std::unique_ptr<Regex> compile(std::string_view pattern, Anchor anchor, std::string* error) override {
    std::string source(pattern);
    if (anchor == Anchor::whole) source = "(?:" + source + ")\\z";
    regex_t* re = nullptr;
    OnigErrorInfo info;
    const auto* p = reinterpret_cast<const OnigUChar*>(source.data());
    const int rc = onig_new(&re, p, p + source.size(), ONIG_OPTION_NONE, ONIG_ENCODING_ASCII, ONIG_SYNTAX_RUBY, &info);
    if (rc != ONIG_NORMAL) {
      OnigUChar message[ONIG_MAX_ERROR_MESSAGE_LEN];
      onig_error_code_to_str(message, rc, &info);
      *error = reinterpret_cast<const char*>(message);
      return nullptr;
    }
    if (onig_number_of_captures(re) >= Captures::kMax) {
      onig_free(re);
      *error = "too many groups";
      return nullptr;
    }
    return std::make_unique<OnigRegex>(re, anchor);
  }
};

}  // namespace

std::unique_ptr<Engine> make_onig_engine() { return std::make_unique<OnigEngine>(); }

}  // namespace peers
