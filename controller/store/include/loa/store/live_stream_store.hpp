#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loa/store/records.hpp"
#include "loa/store/store_error.hpp"

namespace loa::store {

// Live streams operators started, and where they went.
class ILiveStreamStore {
 public:
  virtual ~ILiveStreamStore() = default;

  // A new stream with its stations, in one transaction. Throws StoreError for an id
  // already used, or a station that does not exist.
  virtual void add_live_stream(const LiveStreamRecord& stream) = 0;
  // Marks a running stream ended; false if none runs by that id.
  [[nodiscard]] virtual bool end_live_stream(const std::string& id, std::int64_t ended_ms, const std::string& by) = 0;
  [[nodiscard]] virtual std::optional<LiveStreamRecord> find_live_stream(const std::string& id) = 0;
  // Newest first; `running_only` leaves out the ended ones.
  [[nodiscard]] virtual std::vector<LiveStreamRecord> list_live_streams(bool running_only, int limit) = 0;
};

}  // namespace loa::store
