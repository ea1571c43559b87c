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

// Stations (with their keys and enrollment), the zones they are grouped in, and their
// licences.
class IStationStore {
 public:
  virtual ~IStationStore() = default;

  // Stations
  [[nodiscard]] virtual std::vector<StationRecord> list_stations() = 0;
  // The approved stations that sound (a member controller is enrolled like a station but
  // sounds nothing), by id in order: what a fleet and the standard clips' round read,
  // several times a minute, without making each whole record.
  [[nodiscard]] virtual std::vector<std::string> sounding_station_ids() = 0;
  [[nodiscard]] virtual std::optional<StationRecord> find_station(const std::string& id) = 0;
  // Inserts or replaces every field except last-seen data.
  virtual void put_station(const StationRecord& station) = 0;
  virtual void record_seen(std::span<const SeenUpdate> updates) = 0;
  [[nodiscard]] virtual bool delete_station(const std::string& id) = 0;

  // Link history, for uptime. Intervals are keyed by station and up_ms: one without
  // down_ms opens, one with it closes (or is written whole), all in one transaction.
  virtual void record_links(std::span<const LinkInterval> changes) = 0;
  // Intervals overlapping [from_ms, until_ms), by station, then time.
  [[nodiscard]] virtual std::vector<LinkInterval> list_links(std::int64_t from_ms, std::int64_t until_ms) = 0;
  // Closes the intervals a stopped controller left open, at each station's last-seen
  // time (what is known of when it was last up).
  virtual void close_open_links() = 0;

  // Zones
  [[nodiscard]] virtual std::vector<ZoneRecord> list_zones() = 0;
  [[nodiscard]] virtual std::optional<ZoneRecord> find_zone(const std::string& id) = 0;
  // Inserts or replaces a zone, members included. Unknown station ids are an error.
  virtual void put_zone(const ZoneRecord& zone) = 0;
  [[nodiscard]] virtual bool delete_zone(const std::string& id) = 0;

  // Licences. A new version is stored with the command that sends it, in one
  // transaction: the controller never holds a licence its station will not be sent.
  virtual void put_licence(const LicenceRecord& licence, const CommandRecord& command) = 0;
  [[nodiscard]] virtual std::optional<LicenceRecord> find_licence(const std::string& station_id) = 0;
  [[nodiscard]] virtual std::vector<LicenceRecord> list_licences() = 0;

  // Hardware configurations, every version kept. A new one is stored with the command
  // that sends it, in one transaction; a version the station already has is an error.
  virtual void add_station_config(const StationConfigRecord& config, const CommandRecord& command) = 0;
  // Newest first; `limit` 0 = all.
  [[nodiscard]] virtual std::vector<StationConfigRecord> list_station_configs(const std::string& station_id,
                                                                              std::size_t limit) = 0;
  [[nodiscard]] virtual std::optional<StationConfigRecord> find_station_config(const std::string& station_id,
                                                                               std::uint32_t version) = 0;
  // The newest version of every station that has one, without its files (what drift
  // needs, every few seconds, for every station).
  [[nodiscard]] virtual std::vector<StationConfigRecord> latest_station_configs() = 0;
};

}  // namespace loa::store
