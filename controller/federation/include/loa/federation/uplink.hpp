#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "loa/link/client_link.hpp"
#include "loa/store/federation_store.hpp"
#include "loa/time/clock.hpp"
#include "loa/v1/command.pb.h"
#include "loa/v1/link.pb.h"

namespace loa::federation {

// What a member does with an alert or bulletin from above, and how it goes.
class IRelayApplier {
 public:
  struct Applied {
    std::string outcome = "applied";  // applied, rejected (never will be), failed
    std::string detail;
    std::string local_id;                      // the alert, broadcast or inbox entry it became
    std::optional<store::InboxRecord> inbox;   // a normal bulletin: kept with the command
  };
  virtual ~IRelayApplier() = default;
  virtual Applied apply(const loa::v1::Relay& relay) = 0;
  // How an applied relay goes now; nullopt once there is nothing more to tell.
  virtual std::optional<loa::v1::RelayProgress> progress(const store::UpstreamCommandRecord& command) = 0;
};

struct UplinkSettings {
  link::ClientLinkSettings link;  // station_id is the member's id above
  std::chrono::milliseconds report_interval{1000};    // stations and as-run
  std::chrono::milliseconds progress_interval{100};   // relays in progress (a tally, not a view)
  std::size_t asrun_per_report = 200;
  // Rows sent but not acknowledged are sent again after this long on the same link.
  std::chrono::milliseconds resend_after{10000};
};

// A member controller's link up to the controller above it: enrolls there like a
// station, takes its relays (each command applied once: a repeat is answered from
// upstream_commands), and reports its stations, its as-run and each relay's progress
// (MemberReport). As-run rows are read from the store after the acknowledged cursor, so
// an outage's rows go up when the link is back, each once. While the link is down the
// member runs alone: nothing here holds up its own schedule or alerts.
class Uplink final : public link::IClientLinkListener {
 public:
  // Every station of this controller, as the controller above is told of them.
  using Snapshot = std::function<std::vector<loa::v1::MemberStation>()>;

  Uplink(UplinkSettings settings, store::IFederationStore& store, IRelayApplier& applier, Snapshot snapshot,
         const time::IClock& clock);
  ~Uplink() override;
  Uplink(const Uplink&) = delete;
  Uplink& operator=(const Uplink&) = delete;

  void start();
  void stop();
  [[nodiscard]] bool online() const { return online_.load(); }
  [[nodiscard]] const std::string& member_id() const { return settings_.link.station_id; }
  [[nodiscard]] const std::string& above() const { return settings_.link.endpoints.front(); }
  // Our key's fingerprint, which an admin above names when approving this member.
  [[nodiscard]] std::string key_fingerprint() const;
  // The highest as-run seq the controller above has acknowledged.
  [[nodiscard]] std::int64_t acknowledged() const { return cursor_.load(); }

 private:
  void run();
  // Stations, as-run and progress (full), or only the relays' progress.
  void report(bool full);
  void add_progress(loa::v1::MemberReport& report, std::int64_t within_ms);
  void handle_command(const loa::v1::Command& command);
  loa::v1::CommandResult apply(const loa::v1::Command& command);

  // link::IClientLinkListener (the uplink's thread)
  void on_online(const loa::v1::Welcome& welcome) override;
  void on_offline() override;
  void on_message(const loa::v1::Envelope& envelope) override;
  void on_stale_command(const loa::v1::Command& command, std::uint64_t epoch, std::uint64_t highest) override;

  UplinkSettings settings_;
  store::IFederationStore& store_;
  IRelayApplier& applier_;
  Snapshot snapshot_;
  const time::IClock& clock_;
  std::unique_ptr<link::ClientLink> link_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> online_{false};
  std::atomic<std::int64_t> cursor_{0};

  // The uplink's thread only:
  bool complete_due_ = true;          // the next report lists every station
  std::int64_t sent_upto_ = 0;        // highest as-run seq sent on this link
  std::chrono::steady_clock::time_point progress_at_{};  // last acknowledgement, or fresh start
  std::chrono::steady_clock::time_point next_report_{};
  std::chrono::steady_clock::time_point next_progress_{};
  std::map<std::string, std::string> sent_stations_;  // id -> serialized, as last sent
  std::map<std::string, std::string> sent_progress_;  // relay -> serialized, as last sent
};

}  // namespace loa::federation
