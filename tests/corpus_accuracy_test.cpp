// Accuracy against ground truth: generates a corpus tree with corpus/generate.py (which records,
// per file, how many records and operational events of each kind it wrote) and checks that airlog
// finds the same records, the same event kinds and the right component for every file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "airlog/airlog.hpp"
#include "simdjson.h"

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

airlog::Component expected_component(std::string_view layout) {
  auto starts = [&](std::string_view p) { return layout.substr(0, p.size()) == p; };
  if (starts("api-server")) return airlog::Component::api_server;
  if (starts("celery-worker")) return airlog::Component::worker;
  if (starts("dag-processor") || starts("dagproc-")) return airlog::Component::dag_processor;
  if (starts("docker-compose")) return airlog::Component::webserver;
  if (starts("docker-timestamps") || starts("scheduler")) return airlog::Component::scheduler;
  if (starts("gunicorn-err") || starts("webserver")) return airlog::Component::webserver;
  if (starts("task")) return airlog::Component::task;
  if (starts("triggerer")) return airlog::Component::triggerer;
  return airlog::Component::unknown;
}

class CorpusAccuracy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* python = "/usr/bin/python3";
    if (!fs::exists(python)) return;
    dir_ = fs::temp_directory_path() / ("airlog-corpus-" + std::to_string(::getpid()));
    std::string cmd = std::string(python) + " " + AIRLOG_SOURCE_DIR + "/corpus/generate.py --out " + dir_.string() +
                      " --size 4M --seed 42 >/dev/null";
    generated_ = std::system(cmd.c_str()) == 0 && fs::exists(dir_ / "manifest.json");
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  static inline fs::path dir_;
  static inline bool generated_ = false;
};

TEST_F(CorpusAccuracy, RecordsKindsAndComponentsMatchGroundTruth) {
  if (!generated_) GTEST_SKIP() << "corpus generator unavailable (/usr/bin/python3 corpus/generate.py)";
  auto db = airlog::Database::compile();
  ASSERT_TRUE(db.ok());
  auto scratch = airlog::Scratch::create(*db);
  ASSERT_TRUE(scratch.ok());

  simdjson::dom::parser parser;
  simdjson::dom::element manifest;
  ASSERT_EQ(parser.load((dir_ / "manifest.json").string()).get(manifest), simdjson::SUCCESS);

  std::map<std::string, int64_t> want_kinds, got_kinds;
  int64_t want_records = 0, got_events = 0, right_component = 0, lines = 0, recognised = 0;
  int mismatched_files = 0;
  for (simdjson::dom::element file : manifest["files"].get_array()) {
    std::string rel(file["path"].get_string().value());
    std::string layout(file["layout"].get_string().value());
    fs::path path = dir_ / rel;
    std::string text = read_file(path);
    auto stream = airlog::Stream::create(*db, airlog::Options{}, path.string());
    ASSERT_TRUE(stream.ok());
    airlog::Batch batch;
    ASSERT_TRUE(stream->parse(*scratch, text, true, batch).ok());
    const airlog::Stats& st = stream->stats();
    EXPECT_EQ(st.lines_in, st.event_lines_out) << rel;
    EXPECT_EQ(static_cast<int64_t>(st.lines_in), file["lines"].get_int64().value()) << rel;
    lines += static_cast<int64_t>(st.lines_in);
    recognised += static_cast<int64_t>(st.recognised_lines);

    want_records += file["records"].get_int64().value();
    got_events += static_cast<int64_t>(batch.events.size());
    airlog::Component expect = expected_component(layout);
    for (const airlog::Event& e : batch.events) {
      right_component += e.component == expect;
      if (e.kind != airlog::EventKind::none) ++got_kinds[std::string(airlog::to_string(e.kind))];
    }
    std::map<std::string, int64_t> file_kinds;
    for (const airlog::Event& e : batch.events)
      if (e.kind != airlog::EventKind::none) ++file_kinds[std::string(airlog::to_string(e.kind))];
    int64_t records = file["records"].get_int64().value();
    bool differs = records != static_cast<int64_t>(batch.events.size());
    for (auto [kind, count] : file["kinds"].get_object()) {
      want_kinds[std::string(kind)] += count.get_int64().value();
      differs |= file_kinds[std::string(kind)] != count.get_int64().value();
    }
    if (differs && mismatched_files++ < 12) {
      std::printf("  differs: %s (%s): records %lld events %zu;", rel.c_str(), layout.c_str(),
                  static_cast<long long>(records), batch.events.size());
      for (auto [kind, count] : file["kinds"].get_object())
        if (file_kinds[std::string(kind)] != count.get_int64().value())
          std::printf(" %s %lld/%lld", std::string(kind).c_str(), static_cast<long long>(file_kinds[std::string(kind)]),
                      static_cast<long long>(count.get_int64().value()));
      std::printf("\n");
    }
  }

  std::printf("corpus accuracy: %lld records expected, %lld events; components right %.3f%%; lines recognised %.3f%%\n",
              static_cast<long long>(want_records), static_cast<long long>(got_events),
              100.0 * static_cast<double>(right_component) / static_cast<double>(got_events),
              100.0 * static_cast<double>(recognised) / static_cast<double>(lines));
  for (auto& [kind, want] : want_kinds)
    std::printf("  %-16s expected %6lld found %6lld\n", kind.c_str(), static_cast<long long>(want),
                static_cast<long long>(got_kinds[kind]));

  // Records: every generated record is one event (garbage lines are one-line records too).
  EXPECT_EQ(got_events, want_records);
  EXPECT_GE(static_cast<double>(right_component), 0.995 * static_cast<double>(got_events));
  for (auto& [kind, want] : want_kinds) {
    int64_t got = got_kinds[kind];
    EXPECT_LE(std::llabs(got - want), std::max<int64_t>(2, want / 100)) << "event kind " << kind;
  }
}

}  // namespace
