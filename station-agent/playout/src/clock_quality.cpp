#include "loa/playout/clock_quality.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace loa::playout {
namespace {
constexpr std::size_t kRecent = 8;
}

void ClockWatch::observe(const Exchange& e, std::chrono::steady_clock::time_point at) {
  if (last_rtt_ns_) jitter_ns_ += (std::abs(static_cast<double>(e.rtt_ns - *last_rtt_ns_)) - jitter_ns_) / 16.0;
  last_rtt_ns_ = e.rtt_ns;
  recent_.push_back(e.error_ns);
  if (recent_.size() > kRecent) recent_.pop_front();
  last_ = e;
  last_at_ = at;
  ++exchanges_;
}

ClockQuality ClockWatch::quality(bool clock_synced, std::int64_t offset_ns,
                                 std::chrono::steady_clock::time_point now) const {
  ClockQuality q;
  q.following = true;
  q.exchanges = exchanges_;
  q.offset_ms = static_cast<double>(offset_ns) / 1e6;
  q.rtt_ms = static_cast<double>(last_.rtt_average_ns) / 1e6;
  q.jitter_ms = jitter_ns_ / 1e6;
  q.rate_ppm = (last_.rate - 1.0) * 1e6;
  if (!recent_.empty()) {
    std::vector<std::int64_t> sorted(recent_.begin(), recent_.end());
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2), sorted.end());
    // Signed: a path's jitter spreads the answers on both sides of the true error, and
    // the median of the signed errors is near it where the median of their sizes
    // would be the jitter.
    q.error_ms = std::abs(static_cast<double>(sorted[sorted.size() / 2])) / 1e6;
  }
  q.locked = clock_synced && last_at_ && now - *last_at_ <= stale_after_ && !recent_.empty() &&
             q.error_ms * 1000.0 <= static_cast<double>(bound_.count());
  return q;
}

}  // namespace loa::playout
