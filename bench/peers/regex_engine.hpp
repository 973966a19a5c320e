// regex_engine.hpp — the one seam between the generic regex peer (regex_peer.hpp) and a regex
// engine: compile a pattern for one way of matching, then match it many times. One adapter per
// engine (engine_*.cpp), each using its engine the fast way the engine's documentation recommends,
// so every peer is as strong a baseline as its engine allows.
//
//   std::unique_ptr<peers::Engine> engine = peers::make_engine("pcre2-jit", &error);
//   std::unique_ptr<peers::Regex> re = engine->compile(R"((\d+)-(\d+))", peers::Anchor::whole, &error);
//   peers::Captures caps;
//   if (re->match("12-34", 0, &caps)) use(caps[1], caps[2]);
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace peers {

/// How a compiled pattern is matched; fixed at compile time because engines anchor fastest when
/// they know it then (PCRE2's JIT only runs patterns anchored at compile time).
enum class Anchor {
  whole,   ///< the pattern must match all of the text (layouts, envelopes, the exception line)
  start,   ///< the pattern must match at the start of the text (a traceback's first line)
  search,  ///< the leftmost match anywhere (templates, key=value pairs, JSON members)
};

/// Capture groups of one match: [0] the whole match, [i] group i. A group that took no part in
/// the match has a null data(); an empty match has a non-null one.
struct Captures {
  static constexpr int kMax = 16;
  std::array<std::string_view, kMax> group;
  std::string_view operator[](int i) const { return group[static_cast<size_t>(i)]; }
  bool has(int i) const { return group[static_cast<size_t>(i)].data() != nullptr; }
};

/// One compiled pattern. Not thread-safe: an adapter may keep match state (PCRE2 match data,
/// Oniguruma regions) inside, made once at compile time so that matching allocates nothing.
class Regex {
 public:
  virtual ~Regex() = default;
  /// Matches `text` as the pattern's Anchor says, starting at byte `from` (search only; the
  /// other anchors use from = 0). With `caps`, fills groups 0..groups() (views into `text`);
  /// without, only answers whether it matches, which engines do faster.
  virtual bool match(std::string_view text, size_t from, Captures* caps) = 0;
  /// Number of capture groups in the pattern.
  virtual int groups() const = 0;
};

/// Many patterns searched at once; reports which of them match somewhere in a text.
class RegexSet {
 public:
  virtual ~RegexSet() = default;
  /// Fills `hits` (cleared first) with the indexes of the patterns that match, ascending.
  virtual void match(std::string_view text, std::vector<int>& hits) = 0;
};

/// A regex engine.
class Engine {
 public:
  virtual ~Engine() = default;
  /// Compiles `pattern` (the peers' dialect: bench/peers/README.md). Null with `*error` set when
  /// the engine refuses it or it has more than Captures::kMax - 1 groups.
  virtual std::unique_ptr<Regex> compile(std::string_view pattern, Anchor anchor, std::string* error) = 0;
  /// One set of `patterns` searched together; null (with `*error`) where the engine has no such thing.
  /// Stack a thread matching with this engine needs (0: a default thread's is enough): see
  /// deep_stack.hpp.
  virtual size_t stack_bytes() const { return 0; }
  virtual std::unique_ptr<RegexSet> compile_set(const std::vector<std::string>& patterns, std::string* error) {
    *error = "this engine has no pattern set";
    return nullptr;
  }
};

std::unique_ptr<Engine> make_re2_engine();
std::unique_ptr<Engine> make_pcre2_jit_engine();
std::unique_ptr<Engine> make_onig_engine();
std::unique_ptr<Engine> make_std_regex_engine();

}  // namespace peers
