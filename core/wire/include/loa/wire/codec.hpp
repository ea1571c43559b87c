#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "loa/v1/link.pb.h"

namespace loa::wire {

namespace v1 = ::loa::v1;

// Why an inbound frame was dropped. Each is counted per kind by the receiver.
enum class DecodeError {
  empty,         // a zero-length frame: no envelope at all
  too_large,     // longer than the receiver's limit (libzmq's ZMQ_MAXMSGSIZE catches most)
  malformed,     // not a valid serialized Envelope
  unknown_type,  // a valid Envelope carrying no body this build knows (newer peer?)
};

[[nodiscard]] std::string_view describe(DecodeError error);

// An envelope, or why the frame did not hold one.
class DecodeResult {
 public:
  DecodeResult(v1::Envelope envelope) : value_(std::move(envelope)) {}  // NOLINT: implicit by design
  DecodeResult(DecodeError error) : value_(error) {}                    // NOLINT: implicit by design
  [[nodiscard]] bool ok() const { return std::holds_alternative<v1::Envelope>(value_); }
  [[nodiscard]] const v1::Envelope& envelope() const { return std::get<v1::Envelope>(value_); }
  [[nodiscard]] v1::Envelope& envelope() { return std::get<v1::Envelope>(value_); }
  [[nodiscard]] DecodeError error() const { return std::get<DecodeError>(value_); }

 private:
  std::variant<v1::Envelope, DecodeError> value_;
};

// Serializes an envelope, stamping `sent_at_ms` with the wall clock if it is unset.
[[nodiscard]] std::string encode(v1::Envelope envelope);

// Parses one frame. Never throws, whatever the bytes.
[[nodiscard]] DecodeResult decode(std::string_view frame, std::size_t max_bytes);

// Short name of an envelope's body for logs and counters ("hello", "heartbeat", ...).
[[nodiscard]] std::string_view body_name(const v1::Envelope& envelope);

}  // namespace loa::wire
