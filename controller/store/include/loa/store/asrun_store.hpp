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

// The as-run log: what played where, and when.
class IAsRunStore {
 public:
  virtual ~IAsRunStore() = default;

  // As-run log. A repeated report (same station, broadcast, content, planned start) is ignored.
  virtual void add_asrun(const AsRunRecord& record) = 0;
  // Many in one transaction: the reports one drain of the control socket brought (after
  // an alert, every station's at once).
  virtual void add_asrun_many(std::span<const AsRunRecord> records) = 0;
  // Newest first.
  [[nodiscard]] virtual std::vector<AsRunRecord> list_asrun(const std::string& station_id, std::int64_t since_ms,
                                                            std::size_t limit) = 0;

  // As-run rows planned in [from_ms, until_ms) (an alert's, which have no planned start:
  // those that sounded then), counted by station, content and outcome,
  // with the time they sounded: what the statistics are made of, added up where the rows are.
  [[nodiscard]] virtual std::vector<AsRunTally> tally_asrun(std::int64_t from_ms, std::int64_t until_ms) = 0;

  // As-run entries matching a query, oldest first.
  [[nodiscard]] virtual std::vector<AsRunRecord> query_asrun(const AsRunQuery& query) = 0;
};

}  // namespace loa::store
