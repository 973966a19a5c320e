// owned_events.hpp — events detached from the buffers they were parsed from.
//
// airlog's events are views into the input, the Batch's arena and the Stream's buffers, all of
// which are reused by the next call. Python objects outlive those calls, so each call's events
// are copied, with all their text, into one OwnedEvents block that Python Event objects and
// column builders share (std::shared_ptr); it is freed when the last of them goes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "airlog/batch.hpp"
#include "airlog/event.hpp"

namespace airlog_py {

struct OwnedEvents {
  std::vector<std::string> texts;     ///< every text field of every event, one buffer per append
  std::vector<airlog::Event> events;  ///< views point into `texts` only
};

/// Copies `events` (and the text they view) to the end of `owned`. Call it before the next call
/// on the Stream that produced them: that call may reuse the memory they view. Needs no GIL.
void append_owned(OwnedEvents& owned, const std::vector<airlog::Event>& events);

}  // namespace airlog_py
