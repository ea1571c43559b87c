#include "loa/wire/codec.hpp"

#include "loa/time/clock.hpp"

namespace loa::wire {

std::string_view describe(DecodeError error) {
  switch (error) {
    case DecodeError::empty: return "empty";
    case DecodeError::too_large: return "too_large";
    case DecodeError::malformed: return "malformed";
    case DecodeError::unknown_type: return "unknown_type";
  }
  return "unknown";
}

std::string encode(v1::Envelope envelope) {
  if (envelope.sent_at_ms() == 0) envelope.set_sent_at_ms(time::wall_ms());
  return envelope.SerializeAsString();
}

DecodeResult decode(std::string_view frame, std::size_t max_bytes) {
  if (frame.empty()) return DecodeError::empty;
  if (frame.size() > max_bytes) return DecodeError::too_large;
  v1::Envelope envelope;
  if (!envelope.ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
    return DecodeError::malformed;
  }
  if (envelope.body_case() == v1::Envelope::BODY_NOT_SET) return DecodeError::unknown_type;
  return envelope;
}

std::string_view body_name(const v1::Envelope& envelope) {
  switch (envelope.body_case()) {
    case v1::Envelope::kHello: return "hello";
    case v1::Envelope::kWelcome: return "welcome";
    case v1::Envelope::kHeartbeat: return "heartbeat";
    case v1::Envelope::kCommand: return "command";
    case v1::Envelope::kCommandResult: return "command_result";
    case v1::Envelope::kTelemetry: return "telemetry";
    case v1::Envelope::kPlaybackReport: return "playback_report";
    case v1::Envelope::kAlarm: return "alarm";
    case v1::Envelope::kClipChunk: return "clip_chunk";
    case v1::Envelope::kReportAck: return "report_ack";
    case v1::Envelope::kGoodbye: return "goodbye";
    case v1::Envelope::kEnrollReply: return "enroll_reply";
    case v1::Envelope::kClipRequest: return "clip_request";
    case v1::Envelope::kMemberReport: return "member_report";
    case v1::Envelope::BODY_NOT_SET: break;
  }
  return "none";
}

}  // namespace loa::wire
