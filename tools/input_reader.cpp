// input_reader.cpp — one input of `airlog parse`, read as input_reader.hpp says.
#include "input_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace airlog_cli {

int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

InputReader::~InputReader() {
  if (fd_ > STDIN_FILENO) ::close(fd_);
}

bool InputReader::open(std::string& failure) {
  fd_ = path_ == "-" ? STDIN_FILENO : ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    failure = "cannot open " + path_ + ": " + std::strerror(errno);
    return false;
  }
  struct stat sb {};
  live_ = ::fstat(fd_, &sb) == 0 && !S_ISREG(sb.st_mode);
  return true;
}

InputReader::Got InputReader::next(char* buf, size_t capacity, size_t* n) {
  for (;;) {
    if (live_ && wait_ns_ > 0) {
      // Wait for input no longer than the multi-line wait: when nothing came for that long, the
      // open event (if any) is complete, and what was written so far goes out.
      struct pollfd pfd {
        fd_, POLLIN, 0
      };
      const int timeout_ms = static_cast<int>(std::min<int64_t>((wait_ns_ + 999'999) / 1'000'000, 60'000));
      const int ready = ::poll(&pfd, 1, timeout_ms);
      if (ready == 0) return Got::quiet;
      if (ready < 0 && errno == EINTR) continue;
      // ready > 0, or poll() failed: read() tells which (data, end of input, or the error).
    }
    const ssize_t got = ::read(fd_, buf, capacity);
    if (got < 0) {
      if (errno == EINTR) continue;
      errno_ = errno;
      return Got::error;
    }
    if (got == 0) return Got::end;
    *n = static_cast<size_t>(got);
    return Got::data;
  }
}

std::string InputReader::read_failure(uint64_t bytes_parsed) const {
  return "cannot read " + path_ + " past byte " + std::to_string(bytes_parsed) + ": " + std::strerror(errno_);
}

}  // namespace airlog_cli
