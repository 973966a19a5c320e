// input_list.hpp — the files `airlog parse` reads, in order: the command line's inputs with each
// directory replaced by the regular files under it, recursively, in name order (as one sort of
// their full paths gives). Found either all at once or by a walker thread while the first files
// are already being parsed: a tree of many small task logs has as many directories as files, and
// walking it first would keep every parsing thread waiting.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace airlog_cli {

class InputList {
 public:
  // `report` says what cannot be read (a dangling symlink, an unreadable directory); it is called
  // on the walking thread, in walk order, before the walk is done.
  InputList(std::vector<std::string> inputs, std::function<void(const std::string&)> report);
  ~InputList();
  InputList(const InputList&) = delete;
  InputList& operator=(const InputList&) = delete;

  // Walks everything now, on the calling thread.
  void walk();
  // Walks on a thread of its own; at() waits for what is not found yet.
  void start_walking();
  // The i-th file, or nullptr past the last one. The string stays valid as long as the list.
  // Waits for the walker when the i-th file is not found yet.
  const std::string* at(size_t i);
  // Waits until the walk is done (every report made).
  void wait_done();
  // Directory entries reported (valid once the walk is done).
  size_t failures() const { return failures_; }

 private:
  void walk_inputs();
  void walk_directory(const std::string& dir);
  void add(std::string path);
  void fail(const std::string& what);

  std::vector<std::string> inputs_;
  std::function<void(const std::string&)> report_;
  std::mutex mutex_;
  std::condition_variable grown_;
  std::deque<std::string> files_;  // a deque: references stay valid as it grows
  static constexpr size_t kPublishEvery = 64;
  std::vector<std::string> found_;  // the walker's, not yet in files_
  bool done_ = false;
  size_t failures_ = 0;
  std::thread walker_;
};

}  // namespace airlog_cli
