#include <algorithm>
#include <cstring>

#include "airlog/batch.hpp"

namespace airlog {

namespace {
constexpr size_t kBlockSize = 256 * 1024;
}

char* Arena::allocate(size_t n) {
  // Walk forward through kept blocks before growing, so a reused arena stops allocating.
  while (current_ < blocks_.size()) {
    Block& b = blocks_[current_];
    if (b.size - b.used >= n) {
      char* p = b.data.get() + b.used;
      b.used += n;
      return p;
    }
    if (b.used == 0 && b.size < n) break;  // too small even when empty: insert a bigger one
    ++current_;
  }
  size_t size = std::max(n, kBlockSize);
  Block b;
  b.data.reset(new char[size]);
  b.size = size;
  b.used = n;
  char* p = b.data.get();
  blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(std::min(current_, blocks_.size())), std::move(b));
  return p;
}

void Arena::shrink_last(char* start, size_t used) noexcept {
  if (current_ >= blocks_.size()) return;
  Block& b = blocks_[current_];
  char* end = b.data.get() + b.used;
  if (start >= b.data.get() && start <= end) b.used = static_cast<size_t>(start - b.data.get()) + used;
}

std::string_view Arena::copy(std::string_view text) {
  if (text.empty()) return {};
  char* p = allocate(text.size());
  std::memcpy(p, text.data(), text.size());
  return {p, text.size()};
}

void Arena::clear() noexcept {
  for (Block& b : blocks_) b.used = 0;
  current_ = 0;
}

size_t Arena::bytes_reserved() const noexcept {
  size_t total = 0;
  for (const Block& b : blocks_) total += b.size;
  return total;
}

}  // namespace airlog
