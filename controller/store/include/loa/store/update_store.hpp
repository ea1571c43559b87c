#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "loa/store/records.hpp"

namespace loa::store {

// A signed loa-agent package kept to send to stations.
struct AgentReleaseRecord {
  std::string sha256;     // of the package: its id, as stations fetch it
  std::string version;    // as `loa-agent --version` says it
  std::uint64_t bytes = 0;
  std::string signature;  // base64 Ed25519ph, made where releases are made
  std::string uploaded_by;
  std::int64_t uploaded_ms = 0;
};

// A staged rollout of a release: canaries first, the rest once they proved themselves.
struct RolloutRecord {
  std::string id;
  std::string release_sha256;
  std::string version;
  std::string state;   // canary, rolling, done, halted, rolled_back
  std::string canary;  // as asked: "5%", or station ids
  std::uint32_t confirm_within_ms = 0;
  std::string reason;  // why it halted, or was rolled back
  std::string created_by;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

// One station's part in a rollout.
struct RolloutStationRecord {
  std::string rollout_id;
  std::string station_id;
  bool canary = false;
  std::string state;  // waiting, sent, updated, failed, skipped, reverting
  std::string command_id;
  std::string detail;
  std::int64_t updated_ms = 0;
};

class IUpdateStore {
 public:
  virtual ~IUpdateStore() = default;
  // Keeps a release and its bytes (a standby serves them too); a second upload of the
  // same package replaces its signature (signed again, with another key).
  virtual void put_release(const AgentReleaseRecord& release, const std::string& package) = 0;
  [[nodiscard]] virtual std::optional<AgentReleaseRecord> find_release(const std::string& sha256) = 0;
  [[nodiscard]] virtual std::vector<AgentReleaseRecord> list_releases() = 0;
  [[nodiscard]] virtual std::optional<std::string> release_package(const std::string& sha256) = 0;

  virtual void add_rollout(const RolloutRecord& rollout, std::span<const RolloutStationRecord> stations) = 0;
  virtual void set_rollout_state(const std::string& id, const std::string& state, const std::string& reason,
                                 std::int64_t at_ms) = 0;
  // Station rows changed together, with the commands that go with them (sends), in one
  // transaction.
  virtual void update_rollout_stations(std::span<const RolloutStationRecord> stations,
                                       std::span<const CommandRecord> commands) = 0;
  [[nodiscard]] virtual std::optional<RolloutRecord> find_rollout(const std::string& id) = 0;
  // Newest first.
  [[nodiscard]] virtual std::vector<RolloutRecord> list_rollouts(std::size_t limit) = 0;
  [[nodiscard]] virtual std::vector<RolloutStationRecord> rollout_stations(const std::string& rollout_id) = 0;
};

}  // namespace loa::store
