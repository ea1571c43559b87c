#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loa/registry/station_registry.hpp"
#include "loa/server/command_dispatcher.hpp"
#include "loa/server/control_server.hpp"
#include "loa/store/access_store.hpp"
#include "loa/store/federation_store.hpp"
#include "loa/store/station_store.hpp"
#include "loa/time/clock.hpp"
#include "loa/users/user_directory.hpp"

namespace loa::federation {

using json = nlohmann::json;

// Why the desk refused a relay: invalid (422), not_found (404), no_members (409).
class RelayError : public std::runtime_error {
 public:
  RelayError(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  [[nodiscard]] const std::string& code() const { return code_; }

 private:
  std::string code_;
};

// The controller above: its member controllers, what they report, and the alerts and
// bulletins it sends them.
//
// A member enrolls on the control link like a station (its hello names
// link::kMemberCapability) and an admin approves it the same way. From then on its
// reports (MemberReport) are kept here: its stations as it last said, its as-run (each
// row once: rows are numbered by the member and acknowledged up to the highest kept,
// so an outage's rows arrive when the link is back and never twice), and how each relay
// goes there. A relay is stored with one Relay command per member it goes to, in one
// transaction, and goes out on the at-least-once command path.
class MemberDesk final : public server::IStationReports {
 public:
  struct Stores {
    store::IFederationStore& federation;
    store::IStationStore& stations;
  };
  MemberDesk(Stores stores, registry::StationRegistry& registry, server::CommandDispatcher& commands,
             const time::IClock& clock);

  // server::IStationReports: member reports only; every other report is the report
  // keeper's. A member report from a peer that is not an approved member is dropped.
  void keep(std::span<const server::StationReport> reports) override;
  void tidy() override {}
  // A member answered a relay command.
  void on_command_result(const std::string& member_id, const loa::v1::CommandResult& result);

  // Every member with its link and its stations rolled up.
  [[nodiscard]] json members() const;
  [[nodiscard]] json member(const std::string& id) const;  // throws RelayError not_found
  // The members' stations ("" = every member's), each with its member.
  [[nodiscard]] json stations(const std::string& member_id) const;
  // The members' as-run planned in [from_ms, until_ms).
  [[nodiscard]] json asrun(const std::string& member_id, std::int64_t from_ms, std::int64_t until_ms,
                           std::size_t limit) const;

  // Sends an alert or bulletin down (see docs/architecture.md, Federation). Throws
  // RelayError. Returns its view.
  json send(const json& body, const users::Caller& caller);
  [[nodiscard]] json relay(const std::string& id) const;  // throws RelayError not_found
  [[nodiscard]] json relays(std::size_t limit) const;

 private:
  [[nodiscard]] bool is_member(const std::string& id) const;
  [[nodiscard]] std::vector<std::string> member_ids() const;
  [[nodiscard]] json view_of(const store::RelayRecord& relay) const;

  Stores stores_;
  registry::StationRegistry& registry_;
  server::CommandDispatcher& commands_;
  const time::IClock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, std::int64_t> last_report_ms_;  // member -> when it last reported
};

}  // namespace loa::federation
