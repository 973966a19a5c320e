// airlog/batch.hpp — the output of one Stream::parse() call: events plus the arena that owns any
// text airlog had to rewrite. Reuse one Batch across calls: clear() keeps its capacity, so a
// steady-state parse allocates nothing. Neither a Batch nor an Arena is thread-safe; either may be
// handed to another thread (with its events) when the first no longer touches it.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "airlog/event.hpp"

namespace airlog {

/// Bump allocator of stable text: views into it stay valid until clear(). Blocks are kept for reuse.
class Arena {
 public:
  /// Copies `text` and returns a view of the copy.
  std::string_view copy(std::string_view text);
  /// Reserves `n` bytes for the caller to fill; the pointer stays valid until clear().
  char* allocate(size_t n);
  /// Gives back the unused tail of the most recent allocate(n) (keep `used` bytes of it).
  void shrink_last(char* start, size_t used) noexcept;
  void clear() noexcept;
  size_t bytes_reserved() const noexcept;

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size = 0;
    size_t used = 0;
  };
  std::vector<Block> blocks_;
  size_t current_ = 0;
};

struct Batch {
  std::vector<Event> events;
  Arena arena;
  /// Bytes of the input the call consumed; the caller passes the rest again with more data.
  size_t consumed = 0;

  void clear() noexcept {
    events.clear();
    arena.clear();
    consumed = 0;
  }
};

}  // namespace airlog
