// output_util.hpp — shared by the output-format tests (logfmt, Loki, OTLP): events parsed from a
// text and kept alive with everything they point into, a generated corpus made once per process,
// and a small JSON-string decoder for readers written in the tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stream_util.hpp"

namespace airlog::testing {

/// The events of `text`, parsed in one call; the input copy, the stream and the batch stay alive
/// as long as this object, so the events' views do too.
struct ParsedEvents {
  std::string input;
  std::optional<Stream> stream;
  Batch batch;

  const std::vector<Event>& events() const { return batch.events; }
};

inline std::unique_ptr<ParsedEvents> parse_events(std::string_view text, std::string_view path = {}) {
  auto p = std::make_unique<ParsedEvents>();
  p->input = std::string(text);
  p->stream.emplace(make_stream(Options{}, path));
  absl::Status st = p->stream->parse(engine().scratch, p->input, true, p->batch);
  EXPECT_TRUE(st.ok()) << st;
  return p;
}

/// A generated single-file corpus (corpus/generate.py --single, 2 MB, seed 11), made once per
/// process; empty when the generator cannot run (tests then skip).
inline const std::string& generated_corpus() {
  static const std::string* text = [] {
    auto* s = new std::string;
    const char* python = "/usr/bin/python3";
    if (!std::filesystem::exists(python)) return s;
    const std::filesystem::path file =
        std::filesystem::temp_directory_path() / ("airlog-outputs-" + std::to_string(::getpid()) + ".log");
    const std::string cmd = std::string(python) + " " + AIRLOG_SOURCE_DIR + "/corpus/generate.py --single " +
                            file.string() + " --size 2M --seed 11 >/dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0) *s = read_file(file);
    std::error_code ec;
    std::filesystem::remove(file, ec);
    return s;
  }();
  return *text;
}

#define SKIP_WITHOUT_CORPUS()                                                                          \
  do {                                                                                                 \
    if (generated_corpus().empty()) GTEST_SKIP() << "corpus generator unavailable (/usr/bin/python3)"; \
  } while (0)

/// The real logs at <source>/../shared/real-logs/*.log (see tests/real_logs_test.cpp); empty when absent.
inline std::vector<std::filesystem::path> real_log_files() {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir() / ".." / "shared" / "real-logs", ec))
    if (entry.is_regular_file() && entry.path().extension() == ".log") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

#define SKIP_WITHOUT_REAL_LOG_FILES()                                                             \
  do {                                                                                            \
    if (real_log_files().empty()) GTEST_SKIP() << "no real logs at <source>/../shared/real-logs"; \
  } while (0)

inline void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

/// Decodes the JSON string literal at text[*pos] (the opening quote) and moves *pos past its
/// closing quote. Handles every RFC 8259 escape of the BMP (all airlog writes). False if malformed.
inline bool decode_json_string(std::string_view text, size_t* pos, std::string* out) {
  size_t i = *pos;
  if (i >= text.size() || text[i] != '"') return false;
  out->clear();
  for (++i; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      *pos = i + 1;
      return true;
    }
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (++i >= text.size()) return false;
    switch (text[i]) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case '/': out->push_back('/'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'u': {
        if (i + 4 >= text.size()) return false;
        uint32_t cp = static_cast<uint32_t>(std::stoul(std::string(text.substr(i + 1, 4)), nullptr, 16));
        append_utf8(cp, *out);
        i += 4;
        break;
      }
      default: return false;
    }
  }
  return false;
}

}  // namespace airlog::testing
