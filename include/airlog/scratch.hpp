// airlog/scratch.hpp — per-thread working memory: Hyperscan scratch, the JSON parser and the
// reusable line and match buffers. Not thread-safe: give each thread its own Scratch (create()
// one per thread, or clone()). A Scratch works with the Database it was made for.
//
//   absl::StatusOr<airlog::Scratch> scratch = airlog::Scratch::create(*db);
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "airlog/database.hpp"

namespace airlog {

namespace detail {
struct ScratchImpl;
struct HandleAccess;
}  // namespace detail

class Scratch {
 public:
  static absl::StatusOr<Scratch> create(const Database& db);
  /// A new scratch for another thread, for the same database.
  absl::StatusOr<Scratch> clone() const;

  Scratch(Scratch&&) noexcept;
  Scratch& operator=(Scratch&&) noexcept;
  ~Scratch();

 private:
  friend struct detail::HandleAccess;  // the library's stages reach the working memory through it
  explicit Scratch(std::unique_ptr<detail::ScratchImpl> impl);
  std::unique_ptr<detail::ScratchImpl> impl_;
};

}  // namespace airlog
