// loki_proto.cpp — LokiBody → logproto.PushRequest (generated from proto/loki_push.proto) → snappy.
#include "sinks/loki_proto.hpp"

#include <google/protobuf/arena.h>
#include <snappy.h>

#include "loki_push.pb.h"

namespace airlog {

absl::Status append_loki_proto(const LokiBody& body, std::string& out) {
  // One arena per body: the message's thousands of strings come from a few large blocks.
  google::protobuf::ArenaOptions arena_options;
  arena_options.start_block_size = 64 << 10;
  arena_options.max_block_size = 4 << 20;
  google::protobuf::Arena arena(arena_options);
  auto* request = google::protobuf::Arena::CreateMessage<logproto::PushRequest>(&arena);
  request->mutable_streams()->Reserve(static_cast<int>(body.streams().size()));
  for (const LokiStream& s : body.streams()) {
    logproto::StreamAdapter* stream = request->add_streams();
    stream->set_labels(s.labels_text.data(), s.labels_text.size());
    stream->mutable_entries()->Reserve(static_cast<int>(s.entries.size()));
    for (const LokiEntry& e : s.entries) {
      logproto::EntryAdapter* entry = stream->add_entries();
      // Timestamp: seconds and a non-negative nanosecond part (LokiBatcher stamps no time < 0).
      entry->mutable_timestamp()->set_seconds(e.ts_ns / 1'000'000'000);
      entry->mutable_timestamp()->set_nanos(static_cast<int32_t>(e.ts_ns % 1'000'000'000));
      entry->set_line(e.line.data(), e.line.size());
      for (const LokiLabel& m : e.metadata) {
        logproto::LabelPairAdapter* pair = entry->add_structuredmetadata();
        pair->set_name(m.name.data(), m.name.size());
        pair->set_value(m.value.data(), m.value.size());
      }
    }
  }
  std::string serialized;
  if (!request->SerializeToString(&serialized)) return absl::InternalError("cannot serialize the Loki PushRequest");
  std::string compressed;
  snappy::Compress(serialized.data(), serialized.size(), &compressed);
  out.append(compressed);
  return absl::OkStatus();
}

}  // namespace airlog
