#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "loa/store/records.hpp"
#include "loa/store/store_error.hpp"

namespace loa::store {

// Scheduled broadcasts and the plays sent for them.
class IScheduleStore {
 public:
  virtual ~IScheduleStore() = default;

  // Broadcasts. Inserts or replaces one, targets included.
  virtual void put_broadcast(const BroadcastRecord& broadcast) = 0;
  [[nodiscard]] virtual std::optional<BroadcastRecord> find_broadcast(const std::string& id) = 0;
  // Newest first.
  [[nodiscard]] virtual std::vector<BroadcastRecord> list_broadcasts(bool include_cancelled) = 0;
  // Marks it cancelled; false when there is no such broadcast or it already was.
  [[nodiscard]] virtual bool cancel_broadcast(const std::string& id, const std::string& by, std::int64_t at_ms) = 0;
  // Settles a pending approval: approved, or returned (which cancels the broadcast in
  // the same transaction, so it can never air). False when it was not pending.
  [[nodiscard]] virtual bool decide_approval(const std::string& id, ApprovalState decision, const std::string& by,
                                             const std::string& note, std::int64_t at_ms) = 0;
  // Plays sent with a planned start at or after `from_ms`.
  [[nodiscard]] virtual std::vector<ScheduledPlay> scheduled_plays(std::int64_t from_ms) = 0;
  // Stations that were sent any play of a broadcast.
  [[nodiscard]] virtual std::vector<std::string> stations_scheduled(const std::string& broadcast_id) = 0;
};

}  // namespace loa::store
