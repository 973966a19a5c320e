// input_list.cpp — the files `airlog parse` reads (input_list.hpp).
#include "input_list.hpp"

#include <algorithm>
#include <filesystem>
#include <utility>

namespace airlog_cli {

namespace fs = std::filesystem;

InputList::InputList(std::vector<std::string> inputs, std::function<void(const std::string&)> report)
    : inputs_(std::move(inputs)), report_(std::move(report)) {}

InputList::~InputList() {
  if (walker_.joinable()) walker_.join();
}

void InputList::walk() { walk_inputs(); }

void InputList::start_walking() {
  walker_ = std::thread([this] { walk_inputs(); });
}

const std::string* InputList::at(size_t i) {
  std::unique_lock lock(mutex_);
  grown_.wait(lock, [&] { return i < files_.size() || done_; });
  return i < files_.size() ? &files_[i] : nullptr;
}

void InputList::wait_done() {
  std::unique_lock lock(mutex_);
  grown_.wait(lock, [&] { return done_; });
}

void InputList::walk_inputs() {
  for (const std::string& in : inputs_) {
    std::error_code ec;
    if (in != "-" && fs::is_directory(in, ec))
      walk_directory(in);
    else
      add(in);
  }
  {
    std::lock_guard lock(mutex_);
    for (std::string& path : found_) files_.push_back(std::move(path));
    found_.clear();
    done_ = true;
  }
  grown_.notify_all();
}

// The regular files under `dir`, recursively (symlinks to files are files; symlinks to
// directories are not followed, as find(1) does not). Sockets, FIFOs and devices are not log files
// and are passed over; a dangling symlink or a directory that cannot be read is reported. Each
// directory's entries are sorted by name, a subdirectory's name with its '/': the files come out in
// the order of one sort of all their paths, so runs are reproducible, and the first ones can be
// parsed before the rest are found.
void InputList::walk_directory(const std::string& dir) {
  struct Entry {
    std::string key;  // the name, with a '/' after a directory's
    fs::path path;
    enum { file, directory, dangling } kind;
  };
  std::vector<Entry> entries;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  while (!ec && it != fs::directory_iterator()) {
    std::error_code entry_ec;
    const fs::file_status own = it->symlink_status(entry_ec);
    std::string name = it->path().filename().string();
    if (fs::is_directory(own)) {
      entries.push_back({name + '/', it->path(), Entry::directory});
    } else if (fs::is_symlink(own)) {
      const fs::file_status target = fs::status(it->path(), entry_ec);
      if (fs::is_regular_file(target))
        entries.push_back({std::move(name), it->path(), Entry::file});
      else if (!fs::exists(target))
        entries.push_back({std::move(name), it->path(), Entry::dangling});
    } else if (fs::is_regular_file(own)) {
      entries.push_back({std::move(name), it->path(), Entry::file});
    }
    it.increment(ec);
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
  if (ec) fail("cannot read directory " + dir + ": " + ec.message());
  for (Entry& e : entries) {
    switch (e.kind) {
      case Entry::directory: walk_directory(e.path.string()); break;
      case Entry::file: add(e.path.string()); break;
      case Entry::dangling: fail("cannot open " + e.path.string() + ": a symlink to nothing"); break;
    }
  }
}

// Published a few at a time: the parsing threads read the list under the same lock.
void InputList::add(std::string path) {
  found_.push_back(std::move(path));
  if (found_.size() < kPublishEvery) return;
  {
    std::lock_guard lock(mutex_);
    for (std::string& p : found_) files_.push_back(std::move(p));
  }
  found_.clear();
  grown_.notify_all();
}

void InputList::fail(const std::string& what) {
  report_(what);
  std::lock_guard lock(mutex_);
  ++failures_;
}

}  // namespace airlog_cli
