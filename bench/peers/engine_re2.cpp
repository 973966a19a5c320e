// engine_re2.cpp — the RE2 adapter. As RE2's documentation advises for speed: Latin-1 (bytes, no
// UTF-8 decoding; log lines need not be valid UTF-8 and every pattern is ASCII), RE2::Match with
// the anchor given to the engine rather than written into the pattern, and only as many
// submatches as the caller reads (none lets RE2 answer from its DFA alone).
#include <re2/re2.h>
#include <re2/set.h>

#include "regex_engine.hpp"

namespace peers {

namespace {

RE2::Options latin1_options() {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_log_errors(false);
  return o;
}

class Re2Regex final : public Regex {
 public:
  Re2Regex(std::unique_ptr<RE2> re, Anchor anchor)
      : re_(std::move(re)),
        anchor_(anchor == Anchor::whole   ? RE2::ANCHOR_BOTH
                : anchor == Anchor::start ? RE2::ANCHOR_START
                                          : RE2::UNANCHORED),
        groups_(re_->NumberOfCapturingGroups()) {}

  bool match(std::string_view text, size_t from, Captures* caps) override {
    const re2::StringPiece piece(text.data(), text.size());
    if (!caps) return re_->Match(piece, from, text.size(), anchor_, nullptr, 0);
    if (!re_->Match(piece, from, text.size(), anchor_, pieces_.data(), groups_ + 1)) return false;
    for (int i = 0; i <= groups_; ++i) caps->group[i] = {pieces_[i].data(), pieces_[i].size()};
    return true;
  }
  int groups() const override { return groups_; }

 private:
  std::unique_ptr<RE2> re_;
  RE2::Anchor anchor_;
  int groups_;
  std::array<re2::StringPiece, Captures::kMax> pieces_;
};

class Re2Set final : public RegexSet {
 public:
  explicit Re2Set(std::unique_ptr<RE2::Set> set) : set_(std::move(set)) {}
  void match(std::string_view text, std::vector<int>& hits) override {
    hits.clear();
    if (set_->Match(re2::StringPiece(text.data(), text.size()), &hits)) std::sort(hits.begin(), hits.end());
  }

 private:
  std::unique_ptr<RE2::Set> set_;
};

class Re2Engine final : public Engine {
 public:
  std::unique_ptr<Regex> compile(std::string_view pattern, Anchor anchor, std::string* error) override {
    auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), latin1_options());
    if (!re->ok()) {
      *error = re->error();
      return nullptr;
    }
    if (re->NumberOfCapturingGroups() >= Captures::kMax) {
      *error = "too many groups";
      return nullptr;
    }
    return std::make_unique<Re2Regex>(std::move(re), anchor);
  }

  std::unique_ptr<RegexSet> compile_set(const std::vector<std::string>& patterns, std::string* error) override {
    auto set = std::make_unique<RE2::Set>(latin1_options(), RE2::UNANCHORED);
    for (const std::string& p : patterns) {
      if (set->Add(p, error) < 0) return nullptr;
    }
    if (!set->Compile()) {
      *error = "RE2::Set::Compile failed (out of memory)";
      return nullptr;
    }
    return std::make_unique<Re2Set>(std::move(set));
  }
};

}  // namespace

std::unique_ptr<Engine> make_re2_engine() { return std::make_unique<Re2Engine>(); }

}  // namespace peers
