// engine_pcre2.cpp — the PCRE2 adapter, JIT-compiled. As pcre2jit(3) and pcre2perform(3) advise:
// pcre2_jit_compile(PCRE2_JIT_COMPLETE) once per pattern, the anchoring given at compile time
// (PCRE2_ANCHORED / PCRE2_ENDANCHORED at match time would send the match to the interpreter),
// one match data block per pattern made up front (no allocation per match), and
// pcre2_jit_match(), the JIT fast path that skips pcre2_match()'s option checks. Bytes, not UTF:
// no PCRE2_UTF, so no UTF validity check on every subject. The JIT's default 32 KiB stack fails a
// repeated alternation over a long JSON string (json_field on a 100 KB line: an error, not a
// match), so, as pcre2jit(3) says to, one larger JIT stack is made and assigned to the match
// context every match uses.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "regex_engine.hpp"

namespace peers {

namespace {

// A JIT stack and the match context that hands it to the JIT, shared by an engine's patterns.
struct JitStack {
  static constexpr size_t kStart = size_t{32} << 10, kMax = size_t{256} << 20;
  pcre2_jit_stack* stack = pcre2_jit_stack_create(kStart, kMax, nullptr);
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  JitStack() { pcre2_jit_stack_assign(context, nullptr, stack); }
  ~JitStack() {
    pcre2_match_context_free(context);
    pcre2_jit_stack_free(stack);
  }
  JitStack(const JitStack&) = delete;
  JitStack& operator=(const JitStack&) = delete;
};

class Pcre2Regex final : public Regex {
 public:
  Pcre2Regex(pcre2_code* code, int groups, std::shared_ptr<JitStack> jit)
      : code_(code),
        data_(pcre2_match_data_create_from_pattern(code, nullptr)),
        groups_(groups),
        jit_(std::move(jit)) {}
  ~Pcre2Regex() override {
    pcre2_match_data_free(data_);
    pcre2_code_free(code_);
  }
  Pcre2Regex(const Pcre2Regex&) = delete;
  Pcre2Regex& operator=(const Pcre2Regex&) = delete;

  bool match(std::string_view text, size_t from, Captures* caps) override {
    const int rc =
        pcre2_jit_match(code_, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), from, 0, data_, jit_->context);
    if (rc < 0) return false;
    if (!caps) return true;
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data_);
    for (int i = 0; i <= groups_; ++i) {
      const PCRE2_SIZE b = ov[2 * i], e = ov[2 * i + 1];
      caps->group[i] = (i >= rc || b == PCRE2_UNSET) ? std::string_view() : std::string_view(text.data() + b, e - b);
    }
    return true;
  }
  int groups() const override { return groups_; }

 private:
  pcre2_code* code_;
  pcre2_match_data* data_;
  int groups_;
  std::shared_ptr<JitStack> jit_;
};

class Pcre2Engine final : public Engine {
 public:
  std::unique_ptr<Regex> compile(std::string_view pattern, Anchor anchor, std::string* error) override {
    uint32_t options = 0;
    if (anchor != Anchor::search) options |= PCRE2_ANCHORED;
    if (anchor == Anchor::whole) options |= PCRE2_ENDANCHORED;
    int code_error = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options, &code_error,
                                     &offset, nullptr);
    if (!code) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(code_error, message, sizeof message);
      *error = std::string(reinterpret_cast<const char*>(message)) + " at offset " + std::to_string(offset);
      return nullptr;
    }
    if (const int jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); jit != 0) {
      pcre2_code_free(code);
      *error = "pcre2_jit_compile failed: " + std::to_string(jit);
      return nullptr;
    }
    uint32_t groups = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
    if (groups >= Captures::kMax) {
      pcre2_code_free(code);
      *error = "too many groups";
      return nullptr;
    }
    return std::make_unique<Pcre2Regex>(code, static_cast<int>(groups), jit_);
  }

 private:
  std::shared_ptr<JitStack> jit_ = std::make_shared<JitStack>();
};

}  // namespace

std::unique_ptr<Engine> make_pcre2_jit_engine() { return std::make_unique<Pcre2Engine>(); }

}  // namespace peers
