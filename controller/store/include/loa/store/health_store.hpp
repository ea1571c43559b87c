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

// What stations report of their hardware: telemetry and alarm occurrences.
class IHealthStore {
 public:
  virtual ~IHealthStore() = default;

  // Station health
  // Stores telemetry; a repeated report (same station, device, time) is ignored.
  virtual void add_telemetry(const TelemetryRecord& record) = 0;
  virtual void add_telemetry_many(std::span<const TelemetryRecord> records) = 0;  // in one transaction
  // Oldest first.
  [[nodiscard]] virtual std::vector<TelemetryRecord> list_telemetry(const TelemetryFilter& filter) = 0;
  // The latest report of each device of a station.
  [[nodiscard]] virtual std::vector<TelemetryRecord> latest_telemetry(const std::string& station_id) = 0;
  // Keeps one report per device per `bucket_ms` for reports older than `before_ms`.
  // Returns how many were removed.
  virtual std::size_t downsample_telemetry(std::int64_t before_ms, std::int64_t bucket_ms) = 0;
  // A raise opens an occurrence (a repeated raise of an open one is ignored); a clear
  // closes the open one. The message comes in English, and in Vietnamese where the
  // station words it ("" where not).
  virtual void record_alarm(const std::string& station_id, const std::string& alarm_id, const std::string& device_id,
                            bool active, const std::string& severity, const std::string& message,
                            const std::string& message_vi, std::int64_t at_ms) = 0;
  [[nodiscard]] virtual std::vector<AlarmRecord> list_alarms(const std::string& station_id, bool open_only,
                                                             std::size_t limit) = 0;
  // Acknowledges the open occurrence; false when there is none.
  [[nodiscard]] virtual bool acknowledge_alarm(const std::string& station_id, const std::string& alarm_id,
                                               const std::string& by, std::int64_t at_ms) = 0;
};

}  // namespace loa::store
