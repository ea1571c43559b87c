#include "loa/agent/clock_reporter.hpp"

#include "loa/log/log.hpp"

namespace loa::agent {
namespace {
const log::Logger kLog("clock");
}

std::optional<loa::v1::Telemetry> ClockReporter::update(const playout::ClockQuality& q, std::int64_t wall_ms,
                                                        std::chrono::steady_clock::time_point now) {
  if (q.following && (!ever_updated_ || q.locked != last_.locked)) {
    kLog.info("{}: offset_ms={:.3f} error_ms={:.3f} rtt_ms={:.1f} jitter_ms={:.2f} exchanges={}",
              q.locked ? "locked to the controller clock" : "not locked to the controller clock", q.offset_ms,
              q.error_ms, q.rtt_ms, q.jitter_ms, q.exchanges);
  }
  if (!q.locked) last_unlocked_ms_ = wall_ms;
  last_ = q;
  ever_updated_ = true;
  if (!q.following || now < next_report_) return std::nullopt;
  next_report_ = now + interval_;
  loa::v1::Telemetry t;
  t.set_device_id("clock");
  t.set_measured_at_ms(wall_ms);
  t.set_clock_offset_ms(q.offset_ms);
  t.set_clock_rtt_ms(q.rtt_ms);
  t.set_clock_jitter_ms(q.jitter_ms);
  t.set_clock_rate_ppm(q.rate_ppm);
  t.set_clock_locked(q.locked);
  kLog.debug("quality: locked={} offset_ms={:.3f} error_ms={:.3f} rtt_ms={:.1f} jitter_ms={:.2f} rate_ppm={:.1f} "
             "exchanges={}",
             q.locked, q.offset_ms, q.error_ms, q.rtt_ms, q.jitter_ms, q.rate_ppm, q.exchanges);
  return t;
}

std::optional<bool> ClockReporter::locked_since(std::int64_t from_ms) const {
  if (!last_.following) return std::nullopt;
  return last_.locked && last_unlocked_ms_ < from_ms;
}

}  // namespace loa::agent
