#include "stranger_refusals.hpp"

#include "loa/log/log.hpp"

namespace loa::api {
namespace {

const log::Logger kLog("api");

}  // namespace

std::optional<StrangerRefusals::Summary> StrangerRefusals::record(const std::string& address, const std::string& what) {
  ++total_;
  const auto now = std::chrono::steady_clock::now();
  std::uint64_t suppressed = 0;
  if (log_limit_.allow(address, now, suppressed)) {
    kLog.warn("denied: {} address={} (no valid credential; {} more from this address held back)", what, address,
              suppressed);
  }
  std::lock_guard lock(mutex_);
  ++since_summary_;
  if (addresses_.size() < kAddressesNamed) addresses_.insert(address);
  if (last_summary_ && now - *last_summary_ < kSummaryEvery) return std::nullopt;
  last_summary_ = now;
  Summary s{since_summary_, {}};
  for (const auto& a : addresses_) s.addresses += (s.addresses.empty() ? "" : ",") + a;
  since_summary_ = 0;
  addresses_.clear();
  return s;
}

}  // namespace loa::api
