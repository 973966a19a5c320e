// engine_std_regex.cpp — the std::regex adapter: ECMAScript grammar with `optimize` (the standard's
// hint to favour matching speed over construction), std::regex_match for a whole line,
// std::regex_search (with match_continuous at the start) otherwise, and one std::cmatch per
// pattern reused across matches. libstdc++'s executor still allocates its own state inside each
// call; no flag or API avoids that, so it is part of what this peer measures. It also recurses
// about once per byte matched, so it runs on a deep stack (deep_stack.hpp).
#include <regex>

#include "regex_engine.hpp"

namespace peers {

namespace {

class StdRegex final : public Regex {
 public:
  StdRegex(std::regex re, Anchor anchor) : re_(std::move(re)), anchor_(anchor) {}

  bool match(std::string_view text, size_t from, Captures* caps) override {
    const char* begin = text.data() + from;
    const char* end = text.data() + text.size();
    bool ok;
    if (anchor_ == Anchor::whole)
      ok = std::regex_match(begin, end, m_, re_);
    else if (anchor_ == Anchor::start)
      ok = std::regex_search(begin, end, m_, re_, std::regex_constants::match_continuous);
    else
      ok = std::regex_search(begin, end, m_, re_,
                             from > 0 ? std::regex_constants::match_prev_avail : std::regex_constants::match_default);
    if (!ok || !caps) return ok;
    const int n = std::min(static_cast<int>(m_.size()), Captures::kMax);
    for (int i = 0; i < n; ++i)
      caps->group[i] =
          m_[i].matched ? std::string_view(m_[i].first, static_cast<size_t>(m_[i].length())) : std::string_view();
    return true;
  }
  int groups() const override { return static_cast<int>(re_.mark_count()); }

 private:
  std::regex re_;
  Anchor anchor_;
  std::cmatch m_;
};

class StdRegexEngine final : public Engine {
 public:
  // The executor recurses per byte matched (deep_stack.hpp); 1 GiB of address
  // space covers the longest real log lines seen (134 KB) many times over.
  size_t stack_bytes() const override { return size_t{1} << 30; }

  std::unique_ptr<Regex> compile(std::string_view pattern, Anchor anchor, std::string* error) override {
    try {
      std::regex re(pattern.begin(), pattern.end(), std::regex::ECMAScript | std::regex::optimize);
      if (re.mark_count() >= static_cast<unsigned>(Captures::kMax)) {
        *error = "too many groups";
        return nullptr;
      }
      return std::make_unique<StdRegex>(std::move(re), anchor);
    } catch (const std::regex_error& e) {
      *error = e.what();
      return nullptr;
    }
  }
};

}  // namespace

std::unique_ptr<Engine> make_std_regex_engine() { return std::make_unique<StdRegexEngine>(); }

}  // namespace peers
