// input_reader.hpp — reads one input of `airlog parse` (a file, a FIFO, stdin) the way every path
// of the CLI does: whole reads of up to a buffer's size and, on a live input (pipe, terminal,
// socket), a `quiet` result when nothing came for the multi-line wait, so that an open multi-line
// event can be emitted and the output pushed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace airlog_cli {

int64_t monotonic_ns();

class InputReader {
 public:
  enum class Got { data, quiet, end, error };

  // `path` "-" is stdin. `wait_ns`: the multi-line wait (0: never `quiet`).
  InputReader(std::string path, int64_t wait_ns) : path_(std::move(path)), wait_ns_(wait_ns) {}
  ~InputReader();
  InputReader(const InputReader&) = delete;
  InputReader& operator=(const InputReader&) = delete;

  // False when the input cannot be opened; `failure` then says so ("cannot open PATH: reason").
  bool open(std::string& failure);
  // Pipes, terminals, sockets: data comes when it comes, so the real clock matters.
  bool live() const { return live_; }
  // The next read into `buf` (`*n` bytes on `data`). Retries on EINTR.
  Got next(char* buf, size_t capacity, size_t* n);
  // After `error`: what to say ("cannot read PATH past byte N: reason"), N the bytes parsed.
  std::string read_failure(uint64_t bytes_parsed) const;

 private:
  std::string path_;
  int64_t wait_ns_;
  int fd_ = -1;
  bool live_ = false;
  int errno_ = 0;
};

}  // namespace airlog_cli
