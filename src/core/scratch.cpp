#include "airlog/scratch.hpp"

#include "core/database_impl.hpp"
#include "core/extract/extract.hpp"
#include "core/handles.hpp"
#include "core/scratch_impl.hpp"

namespace airlog {

namespace detail {
ScratchImpl::ScratchImpl() : json_results(kJsonRunLines) {}
ScratchImpl::~ScratchImpl() { hs_free_scratch(hs); }
}  // namespace detail

Scratch::Scratch(std::unique_ptr<detail::ScratchImpl> impl) : impl_(std::move(impl)) {}
Scratch::Scratch(Scratch&&) noexcept = default;
Scratch& Scratch::operator=(Scratch&&) noexcept = default;
Scratch::~Scratch() = default;

absl::StatusOr<Scratch> Scratch::create(const Database& db) {
  auto impl = std::make_unique<detail::ScratchImpl>();
  // Sized for both databases: a stream scans with the redacting one when Options::redact.
  const detail::DatabaseImpl& d = detail::impl_of(db);
  if (hs_alloc_scratch(d.hs, &impl->hs) != HS_SUCCESS ||
      (d.redacting && hs_alloc_scratch(d.redacting->hs, &impl->hs) != HS_SUCCESS))
    return absl::ResourceExhaustedError("airlog: cannot allocate Hyperscan scratch");
  return Scratch(std::move(impl));
}

absl::StatusOr<Scratch> Scratch::clone() const {
  auto impl = std::make_unique<detail::ScratchImpl>();
  if (hs_clone_scratch(impl_->hs, &impl->hs) != HS_SUCCESS)
    return absl::ResourceExhaustedError("airlog: cannot clone Hyperscan scratch");
  return Scratch(std::move(impl));
}

}  // namespace airlog
