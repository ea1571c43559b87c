#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "loa/alerts/alert_desk.hpp"
#include "loa/clips/clip_library.hpp"
#include "loa/federation/uplink.hpp"
#include "loa/registry/station_registry.hpp"
#include "loa/reports/report_keeper.hpp"
#include "loa/server/command_dispatcher.hpp"
#include "loa/store/asrun_store.hpp"
#include "loa/store/clip_store.hpp"
#include "loa/store/federation_store.hpp"
#include "loa/store/health_store.hpp"
#include "loa/store/station_store.hpp"
#include "loa/time/clock.hpp"

namespace loa::federation {

// What a member controller makes of a relay from above, by the three national levels:
//  - an alert, or an emergency bulletin: its own alert, issued at once (AlertDesk);
//  - a priority bulletin: read aloud and played on the stations at the next break,
//    after the item on air and before the next scheduled one (Play.at_break);
//  - a normal bulletin: an entry in the inbox, for the commune to accept into its
//    programme or decline.
class RelayApplier final : public IRelayApplier {
 public:
  struct Stores {
    store::IStationStore& stations;
    store::IAsRunStore& asrun;
    store::IFederationStore& federation;
    store::IClipStore& clips;
  };
  RelayApplier(Stores stores, alerts::AlertDesk& alerts, clips::ClipLibrary& clips,
               server::CommandDispatcher& commands, const time::IClock& clock, std::string language);

  Applied apply(const loa::v1::Relay& relay) override;
  std::optional<loa::v1::RelayProgress> progress(const store::UpstreamCommandRecord& command) override;

 private:
  Applied issue_alert(const loa::v1::Relay& relay);
  Applied play_at_break(const loa::v1::Relay& relay);
  Applied to_inbox(const loa::v1::Relay& relay);
  [[nodiscard]] std::vector<std::string> targets(const loa::v1::Relay& relay) const;
  // How a broadcast went on its stations, from the as-run.
  void tally_broadcast(const std::string& broadcast_id, loa::v1::RelayProgress& p);

  Stores stores_;
  alerts::AlertDesk& alerts_;
  clips::ClipLibrary& clips_;
  server::CommandDispatcher& commands_;
  const time::IClock& clock_;
  std::string language_;
  // The progress of alerts that ended and will not change, by local id.
  static constexpr std::size_t kMaxSettled = 512;
  std::mutex settled_mutex_;
  std::map<std::string, loa::v1::RelayProgress> settled_;
};

// This controller's stations as the controller above is told of them: state, innermost
// zone, active alarms and what each sounds now.
class StationSnapshot {
 public:
  struct Sources {
    registry::StationRegistry& registry;
    store::IStationStore& stations;
    store::IHealthStore& health;
    const reports::ReportKeeper& reports;
  };
  explicit StationSnapshot(Sources sources) : sources_(sources) {}
  [[nodiscard]] std::vector<loa::v1::MemberStation> take() const;

 private:
  Sources sources_;
};

}  // namespace loa::federation
