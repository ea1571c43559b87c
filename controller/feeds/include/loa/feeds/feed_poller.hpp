#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "loa/alerts/alert_desk.hpp"
#include "loa/clips/clip_library.hpp"
#include "loa/federation/uplink.hpp"
#include "loa/store/federation_store.hpp"
#include "loa/store/station_store.hpp"
#include "loa/time/clock.hpp"

namespace loa::feeds {

// An upstream feed this controller polls.
struct FeedSource {
  std::string name;
  std::string kind;        // cap (an Atom/RSS index of CAP messages) or bulletins (docs/bulletin-feed.md)
  std::string url;
  std::string cap_source;  // kind cap: whose word its messages are (alerts.cap_sources)
  std::vector<std::string> zones;  // kind bulletins: where its bulletins may go (empty: anywhere)
  std::chrono::milliseconds every{60000};
};

// Polls each configured feed on a thread of its own and hands what is new on:
//  - a CAP index feed's messages go to the alert desk as that source's (its trust:
//    senders, zones, issue at once or a draft for a person), each entry fetched once;
//  - a bulletin feed's bulletins become relays as from a controller above (the three
//    national levels: inbox, next break, at once), each id applied once, recorded in
//    upstream_commands as "feed:<source>:<id>" so that a restart does not repeat one.
// A feed that cannot be fetched or read is counted and logged, and tried at its next
// turn; nothing it sent before is lost.
class FeedPoller {
 public:
  struct Stores {
    store::IFederationStore& federation;
    store::IStationStore& stations;
  };
  FeedPoller(std::vector<FeedSource> sources, Stores stores, alerts::AlertDesk& alerts,
             federation::IRelayApplier& relays, clips::ClipLibrary& clips, std::string spool_dir,
             const time::IClock& clock);
  ~FeedPoller();
  FeedPoller(const FeedPoller&) = delete;
  FeedPoller& operator=(const FeedPoller&) = delete;

  void start();
  void stop();
  // Polls every feed now (for tests and operators: POST /api/v1/feeds/poll).
  void poll_now();

  // Each feed: last poll, its outcome, items taken and refused, errors.
  [[nodiscard]] nlohmann::json status() const;

 private:
  struct State {
    std::int64_t last_poll_ms = 0;
    std::string last_error;
    std::uint64_t polls = 0, errors = 0, taken = 0, refused = 0;
    std::set<std::string> seen;  // CAP entries fetched, refusals told, since start
  };
  void run();
  void poll(const FeedSource& source);
  void poll_cap(const FeedSource& source, const std::string& body, State& state);
  void poll_bulletins(const FeedSource& source, const std::string& body, State& state);
  [[nodiscard]] std::string fetch(const std::string& url, std::size_t max_bytes) const;

  std::vector<FeedSource> sources_;
  Stores stores_;
  alerts::AlertDesk& alerts_;
  federation::IRelayApplier& relays_;
  clips::ClipLibrary& clips_;
  std::string spool_dir_;
  const time::IClock& clock_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool poll_all_ = false;
  std::map<std::string, State> states_;  // by source name (under mutex_ for status())
};

}  // namespace loa::feeds
