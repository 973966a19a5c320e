// classify_test.cpp — src/core/classify.cpp: the line split (64-byte newline bitmaps) and the anchor
// masks, against a naive split and a scan of each line on its own, on random blocks whose lines
// cross the 64-byte steps in every way; and the JSON runs left unscanned (skip_json_runs), which
// must carry exactly the CR and ESC marks the scan would have given them; and the scans of texts
// read on their own (scan_text, scan_json_messages), against the block scan.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/classify.hpp"
#include "core/extract/extract.hpp"
#include "core/handles.hpp"
#include "core/rules.hpp"
#include "core/scratch_impl.hpp"
#include "stream_util.hpp"

namespace airlog::testing {
namespace {

using detail::LineSpan;

// The block's lines split the obvious way: [begin, end) of each '\n'-terminated line, and with
// `last` a final unterminated one.
std::vector<LineSpan> naive_lines(std::string_view block, bool last) {
  std::vector<LineSpan> out;
  size_t pos = 0;
  for (size_t i = 0; i < block.size(); ++i)
    if (block[i] == '\n') out.push_back({pos, i, 0}), pos = i + 1;
  if (last && pos < block.size()) out.push_back({pos, block.size(), 0});
  return out;
}

// classify_block over an exactly-sized copy of `text` (ASan sees any read past its end).
struct Classified {
  std::unique_ptr<char[]> bytes;
  std::string_view block;
  std::vector<LineSpan> lines;
  size_t used = 0;
};

Classified classify(std::string_view text, bool last, bool skip_json_runs) {
  Classified c;
  c.bytes.reset(new char[text.size() + 1]);
  std::copy(text.begin(), text.end(), c.bytes.get());
  c.block = std::string_view(c.bytes.get(), text.size());
  absl::StatusOr<size_t> used = detail::classify_block(detail::impl_of(engine().db), detail::impl_of(engine().scratch),
                                                       c.block, last, skip_json_runs);
  EXPECT_TRUE(used.ok()) << used.status();
  c.used = used.ok() ? *used : 0;
  c.lines = detail::impl_of(engine().scratch).lines;
  return c;
}

// The anchors of one line scanned on its own.
uint64_t anchors_alone(std::string_view line) {
  Classified c = classify(line, /*last=*/true, /*skip_json_runs=*/false);
  return c.lines.empty() ? 0 : c.lines[0].anchors;
}

// Random text: lines of 0–200 bytes (some far longer), drawn from a few kinds: plain text with
// anchors, JSON-led lines, CRLF endings, ANSI escapes, NUL and high bytes.
std::string random_block(std::mt19937& rng, size_t lines) {
  static const std::vector<std::string> pieces = {"Marking task as FAILED. ",
                                                  "Traceback (most recent call last):",
                                                  "\x1b[1m",
                                                  "\x1b",
                                                  "[",
                                                  "\r",
                                                  "{\"event\":\"x\"}",
                                                  "Received SIGTERM",
                                                  "{",
                                                  "a",
                                                  "é",
                                                  std::string(1, '\0'),
                                                  "\xff",
                                                  " "};
  std::string out;
  for (size_t l = 0; l < lines; ++l) {
    const int kind = static_cast<int>(rng() % 4);
    if (kind == 0) out += '{';  // JSON-led: runs of these are left unscanned
    const size_t n = rng() % 13 == 0 ? 64 + rng() % 400 : rng() % 12;
    for (size_t i = 0; i < n; ++i) out += pieces[rng() % pieces.size()];
    if (rng() % 5 == 0) out += '\r';
    out += '\n';
  }
  return out;
}

TEST(Classify, LinesMatchANaiveSplitAcrossEveryAlignment) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::string text = random_block(rng, 1 + rng() % 40);
    if (round % 3 == 0) text += "tail without newline";
    for (bool last : {false, true}) {
      Classified c = classify(text, last, /*skip_json_runs=*/false);
      const std::vector<LineSpan> want = naive_lines(text, last);
      ASSERT_EQ(c.lines.size(), want.size()) << "round " << round;
      for (size_t i = 0; i < want.size(); ++i) {
        ASSERT_EQ(c.lines[i].begin, want[i].begin) << "round " << round << " line " << i;
        ASSERT_EQ(c.lines[i].end, want[i].end) << "round " << round << " line " << i;
      }
      EXPECT_EQ(c.used, last ? text.size() : text.rfind('\n') + 1);
    }
  }
}

TEST(Classify, NewlinesOnEveryPositionOfA64ByteStep) {
  for (size_t at = 0; at < 130; ++at) {
    std::string text(130, 'x');
    text[at] = '\n';
    Classified c = classify(text, /*last=*/true, false);
    ASSERT_EQ(c.lines.size(), at + 1 < text.size() ? 2u : 1u) << at;
    EXPECT_EQ(c.lines[0].end, at) << at;
  }
  Classified empty_lines = classify(std::string(200, '\n'), /*last=*/false, false);
  EXPECT_EQ(empty_lines.lines.size(), 200u);
  EXPECT_EQ(classify("", true, false).lines.size(), 0u);
}

TEST(Classify, EachLineHasTheAnchorsOfAScanOfItAlone) {
  std::mt19937 rng(11);
  for (int round = 0; round < 100; ++round) {
    const std::string text = random_block(rng, 1 + rng() % 30);
    Classified c = classify(text, true, /*skip_json_runs=*/false);
    for (const LineSpan& s : c.lines)
      ASSERT_EQ(s.anchors, anchors_alone(c.block.substr(s.begin, s.end - s.begin))) << "round " << round;
  }
}

// CR is scanned, ESC found while splitting: a line has the CR mark when it holds a '\r' and the
// ESC mark when it holds "\x1b[", wherever they fall in the 64-byte steps.
TEST(Classify, CrAndEscMarksAreTheLinesBytes) {
  std::mt19937 rng(23);
  size_t marked = 0;
  for (int round = 0; round < 200; ++round) {
    const std::string text = random_block(rng, 1 + rng() % 30);
    Classified c = classify(text, rng() % 2 == 0, /*skip_json_runs=*/false);
    for (const LineSpan& s : c.lines) {
      const std::string_view line = c.block.substr(s.begin, s.end - s.begin);
      const uint64_t want = (line.find('\r') != line.npos ? detail::bit(detail::Anchor::carriage_return) : 0) |
                            (line.find("\x1b[") != line.npos ? detail::bit(detail::Anchor::esc) : 0);
      ASSERT_EQ(s.anchors & (detail::kByteMarks | detail::bit(detail::Anchor::carriage_return)), want)
          << "round " << round;
      marked += want != 0;
    }
  }
  EXPECT_GT(marked, 100u);  // the property was exercised
}

// Long runs of '{' lines are marked unscanned with the ESC bit a scan gives them and the CR bit
// when they end in '\r'; every other line is scanned as usual.
TEST(Classify, UnscannedJsonRunsKeepTheirCrAndEscMarks) {
  std::mt19937 rng(13);
  size_t unscanned = 0;
  for (int round = 0; round < 200; ++round) {
    std::string text;
    for (int run = 0; run < 4; ++run) {
      const size_t n = rng() % 14;  // runs of 0–13 '{' lines: some long enough to skip
      for (size_t i = 0; i < n; ++i) text += "{" + random_block(rng, 1);
      text += random_block(rng, rng() % 3);
    }
    Classified c = classify(text, true, /*skip_json_runs=*/true);
    for (const LineSpan& s : c.lines) {
      const uint64_t alone = anchors_alone(c.block.substr(s.begin, s.end - s.begin));
      if (s.anchors & detail::kUnscanned) {
        ++unscanned;
        ASSERT_EQ(c.block[s.begin], '{');
        // CR: only a line-ending '\r' counts for its readers (the scan also marks an embedded one).
        const bool ends_cr = c.block[s.end - 1] == '\r';
        const uint64_t want =
            (ends_cr ? detail::bit(detail::Anchor::carriage_return) : 0) | (alone & detail::bit(detail::Anchor::esc));
        ASSERT_EQ(s.anchors & ~detail::kUnscanned, want) << "round " << round;
      } else {
        ASSERT_EQ(s.anchors, alone) << "round " << round;
      }
    }
  }
  EXPECT_GT(unscanned, 100u);  // the property was exercised
}

// What the assembler scans on its own (lines the block scan skipped or cut, JSON event texts)
// gets exactly the anchors the block scan gives the same bytes as a line.
TEST(Classify, ScanTextFindsWhatTheBlockScanFinds) {
  std::mt19937 rng(17);
  detail::ScratchImpl& scratch = detail::impl_of(engine().scratch);
  for (int round = 0; round < 200; ++round) {
    const std::string text = random_block(rng, 1);
    const std::string_view line(text.data(), text.size() - 1);
    ASSERT_EQ(detail::scan_text(detail::impl_of(engine().db), scratch, line), anchors_alone(line)) << "round " << round;
  }
  EXPECT_EQ(detail::scan_text(detail::impl_of(engine().db), scratch, ""), 0u);
}

// One scan over a JSON run's event texts gives each its own anchors (none to results that are not
// JSON events), as a scan of each text alone would: no match straddles two texts, and texts that
// hold a '\n' of their own (a decoded escape) keep their matches.
TEST(Classify, JsonMessagesAreScannedEachOnItsOwn) {
  std::mt19937 rng(19);
  detail::ScratchImpl& scratch = detail::impl_of(engine().scratch);
  const std::vector<std::string> pieces = {
      "Marking task as ", "FAILED", "Received SIGT", "ERM", "\n", "x", "Traceback (most recent call last):", "\x1b["};
  for (int round = 0; round < 100; ++round) {
    const size_t k = 1 + rng() % 20;
    std::vector<std::string> texts(k);
    for (size_t j = 0; j < k; ++j) {
      for (size_t n = rng() % 6; n > 0; --n) texts[j] += pieces[rng() % pieces.size()];
      detail::LineResult& r = scratch.json_results[j];
      r = detail::LineResult{};
      r.ev.format = rng() % 4 == 0 ? Format::raw : Format::airflow_json;
      r.ev.message = texts[j];
    }
    detail::scan_json_messages(detail::impl_of(engine().db), scratch, k);
    ASSERT_EQ(scratch.message_spans.size(), k);
    for (size_t j = 0; j < k; ++j) {
      const detail::LineResult& r = scratch.json_results[j];
      // The scan's anchors: the byte marks (CR, ESC) are the line split's, which JSON texts skip.
      const uint64_t want =
          r.ev.format == Format::airflow_json
              ? detail::scan_text(detail::impl_of(engine().db), scratch, texts[j]) & ~detail::kByteMarks
              : 0;
      ASSERT_EQ(scratch.message_spans[j].anchors, want) << "round " << round << " text " << j;
    }
  }
  for (detail::LineResult& r : scratch.json_results) r = detail::LineResult{};  // no views into `texts` left
}

}  // namespace
}  // namespace airlog::testing
