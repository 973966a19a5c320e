// quickstart — the README's C++ example: parse a log file and print the failed task tries.
//
//   quickstart airflow-scheduler.out
#include <airlog/airlog.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: quickstart FILE\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const std::string bytes = text.str();

  auto db = airlog::Database::compile();  // once; immutable, share it across threads
  if (!db.ok()) {
    std::cerr << db.status() << "\n";
    return 1;
  }
  auto scratch = airlog::Scratch::create(*db);                            // one per thread
  auto stream = airlog::Stream::create(*db, airlog::Options{}, argv[1]);  // one per log source
  if (!scratch.ok() || !stream.ok()) return 1;
  airlog::Batch batch;  // reuse: no allocation per line in steady state
  if (!stream->parse(*scratch, bytes, /*last=*/true, batch).ok()) return 1;
  for (const airlog::Event& e : batch.events)
    if (e.kind == airlog::EventKind::task_state && e.state == airlog::State::failed)
      std::cout << e.dag_id << "." << e.task_id << " failed\n";
  std::cout << stream->stats().events_out << " events\n";
  return 0;
}
