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

// Alerts, where each station stands with one, CAP messages seen, and the standard clips
// every station keeps.
class IAlertStore {
 public:
  virtual ~IAlertStore() = default;

  // Alerts. Each change of an alert is stored with its audit entry in one transaction.
  virtual void put_alert(const AlertRecord& alert, const AuditRecord& audit) = 0;
  [[nodiscard]] virtual std::optional<AlertRecord> find_alert(const std::string& id) = 0;
  // Newest first.
  [[nodiscard]] virtual std::vector<AlertRecord> list_alerts(std::size_t limit) = 0;
  // Stores the alert, the commands that deliver it, where each station stands, and the
  // audit entry in one transaction: after a crash it was either sent to all or to none.
  virtual void deliver_alert(const AlertRecord& alert, std::span<const CommandRecord> commands,
                             std::span<const AlertDelivery> deliveries, const AuditRecord& audit) = 0;
  virtual void put_deliveries(std::span<const AlertDelivery> deliveries) = 0;
  [[nodiscard]] virtual std::vector<AlertDelivery> list_deliveries(const std::string& alert_id) = 0;
  [[nodiscard]] virtual std::vector<AlertCommand> alert_commands(const std::string& alert_id) = 0;
  // Records a CAP message by sender and identifier. False when it was seen before.
  [[nodiscard]] virtual bool record_cap_message(const std::string& sender, const std::string& identifier,
                                                const std::string& alert_id, std::int64_t at_ms) = 0;
  // Whether a CAP message was seen: the alert made from it (empty when none was).
  [[nodiscard]] virtual std::optional<std::string> alert_of_cap(const std::string& sender,
                                                                const std::string& identifier) = 0;

  // Clips every station keeps for good (attention tones, standard messages): the
  // commands that pin them, stored with the record that they were sent.
  virtual void add_pins(std::span<const CommandRecord> commands,
                        std::span<const std::pair<std::string, std::string>> station_clips) = 0;
  // (station, clip) pairs already sent.
  [[nodiscard]] virtual std::vector<std::pair<std::string, std::string>> list_pins() = 0;
};

}  // namespace loa::store
