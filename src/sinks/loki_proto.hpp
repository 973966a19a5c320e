// airlog/loki_proto.hpp — a LokiBody as Loki's protobuf push body: a logproto.PushRequest
// (proto/loki_push.proto) compressed with snappy, for POST /loki/api/v1/push with
// `Content-Type: application/x-protobuf`. The same entries as append_loki_json's body, in the same
// order.
//
// This encoder lives in its own library, airlog::loki_proto (libprotobuf + libsnappy), so that the
// core airlog library carries no protobuf dependency. It is built with the CLI and the tests and is
// not installed.
//
//   airlog::LokiBatcher::create(options, [&](const airlog::LokiBody& body) {
//     std::string bytes;
//     if (absl::Status st = airlog::append_loki_proto(body, bytes); !st.ok()) …
//   });
#pragma once

#include <string>

#include "absl/status/status.h"
#include "airlog/loki_writer.hpp"

namespace airlog {

/// Appends the snappy-compressed PushRequest for `body` to `out`. Stream labels go in
/// StreamAdapter.labels as the Prometheus text (LokiStream::labels_text), hash stays 0; each
/// entry's timestamp is split into seconds and nanoseconds. Fails (Internal) only if protobuf
/// cannot serialize the message (a body over 2 GiB). Thread-safe.
absl::Status append_loki_proto(const LokiBody& body, std::string& out);

}  // namespace airlog
