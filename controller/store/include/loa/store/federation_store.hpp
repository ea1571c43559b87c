#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "loa/store/records.hpp"
#include "loa/store/store_error.hpp"

namespace loa::store {

// A station of a member controller, as the member last said.
struct MemberStationRecord {
  std::string member_id;
  std::string station_id;
  std::string name;
  std::string zone;
  std::string state;                // online, offline, pending ...
  std::vector<std::string> alarms;  // "device/alarm"
  std::string playing;
  std::int64_t last_seen_ms = 0;
  std::int64_t updated_ms = 0;
};

// One as-run row of a member controller, numbered by the member.
struct MemberAsRunRecord {
  std::string member_id;
  std::int64_t seq = 0;
  AsRunRecord row;  // its station, broadcast, content, times, outcome and detail
  std::int64_t received_ms = 0;
};

// How a relayed alert or bulletin goes at one member.
struct RelayMemberRecord {
  std::string relay_id;
  std::string member_id;
  std::string command_id;
  std::string state;  // sent, then the member's word: issued, inbox, accepted, declined, failed ...
  std::string local_id;
  std::int64_t stations = 0;
  std::int64_t sounding = 0;
  std::int64_t unreachable = 0;
  std::int64_t failed = 0;
  std::string problems;  // JSON: [{"station": ..., "reason": ...}]
  std::int64_t updated_ms = 0;
};

// An alert or bulletin sent down to member controllers.
struct RelayRecord {
  std::string id;
  std::string kind;        // alert, bulletin
  std::string level;       // normal, priority, emergency
  std::string definition;  // JSON, as given
  std::string created_by;
  std::int64_t created_ms = 0;
  std::vector<RelayMemberRecord> members;
};

// What one report of a member brings, kept in one transaction.
struct MemberUpdate {
  std::string member_id;
  bool complete = false;  // `stations` is every station of the member: others are gone
  std::vector<MemberStationRecord> stations;
  std::vector<MemberAsRunRecord> asrun;
  std::vector<RelayMemberRecord> progress;
};

// A command from the controller above, as a member applied it (once).
struct UpstreamCommandRecord {
  std::string command_id;
  std::string relay_id;
  std::string kind;
  std::string outcome;  // applied, rejected, failed
  std::string detail;
  std::string local_id;  // the alert, broadcast or inbox entry it became
  std::int64_t applied_ms = 0;
};

enum class InboxState { waiting, accepted, declined, expired };
[[nodiscard]] const char* to_string(InboxState s);
[[nodiscard]] std::optional<InboxState> parse_inbox_state(const std::string& text);

// A normal bulletin from above, waiting for the commune to take it into its programme.
struct InboxRecord {
  std::string id;  // the relay's id above
  std::string level;
  std::string title;
  std::string body;                // what to read aloud
  std::vector<std::string> zones;  // this controller's zones it is for; empty = all
  std::string sender;
  std::int64_t received_ms = 0;
  std::int64_t valid_until_ms = 0;
  InboxState state = InboxState::waiting;
  std::string decided_by;
  std::int64_t decided_ms = 0;
  std::string broadcast_id;  // the broadcast it became, once accepted
  std::string clip_sha256;   // its audio, when it came as audio (else the body is read aloud)
};

// Controllers federated upward: what a controller keeps of its members (above), and
// what a member keeps of its link up (below). One controller may be both.
class IFederationStore {
 public:
  virtual ~IFederationStore() = default;

  // Above. Reports of members, each in one transaction; an as-run row already kept (by
  // member and seq) is not kept again.
  virtual void keep_member_updates(std::span<const MemberUpdate> updates) = 0;
  // "" = every member's.
  [[nodiscard]] virtual std::vector<MemberStationRecord> member_stations(const std::string& member_id) = 0;
  // Planned in [from_ms, until_ms), oldest first; "" = every member's.
  [[nodiscard]] virtual std::vector<MemberAsRunRecord> member_asrun(const std::string& member_id, std::int64_t from_ms,
                                                                    std::int64_t until_ms, std::size_t limit) = 0;
  // The members' as-run planned in [from_ms, until_ms) (an alert's: sounded then),
  // counted as IAsRunStore::tally_asrun counts a controller's own, per member.
  struct MemberTally {
    std::string member_id;
    AsRunTally tally;
  };
  [[nodiscard]] virtual std::vector<MemberTally> tally_member_asrun(std::int64_t from_ms, std::int64_t until_ms) = 0;
  // A relay with its commands to members, stored together before anything is sent.
  virtual void add_relay(const RelayRecord& relay, std::span<const CommandRecord> commands,
                         const AuditRecord& audit) = 0;
  [[nodiscard]] virtual std::optional<RelayRecord> find_relay(const std::string& id) = 0;
  // Newest first.
  [[nodiscard]] virtual std::vector<RelayRecord> list_relays(std::size_t limit) = 0;
  // A member answered the relay's command (applied or not).
  virtual void set_relay_state(const std::string& command_id, const std::string& state, const std::string& detail,
                               std::int64_t at_ms) = 0;

  // Below. As-run rows recorded after `seq`, in order.
  [[nodiscard]] virtual std::vector<AsRunRecord> asrun_after(std::int64_t seq, std::size_t limit) = 0;
  [[nodiscard]] virtual std::int64_t uplink_cursor(const std::string& name) = 0;
  virtual void set_uplink_cursor(const std::string& name, std::int64_t value) = 0;
  [[nodiscard]] virtual std::optional<UpstreamCommandRecord> find_upstream_command(const std::string& command_id) = 0;
  // Records a command from above as applied, with what it became (and an inbox entry,
  // for a normal bulletin), in one transaction.
  virtual void put_upstream_command(const UpstreamCommandRecord& command, const InboxRecord* inbox,
                                    const AuditRecord& audit) = 0;
  [[nodiscard]] virtual std::vector<UpstreamCommandRecord> list_upstream_commands(std::size_t limit) = 0;
  [[nodiscard]] virtual std::vector<InboxRecord> list_inbox(std::optional<InboxState> state, std::size_t limit) = 0;
  [[nodiscard]] virtual std::optional<InboxRecord> find_inbox(const std::string& id) = 0;
  // Decides a waiting entry; false when it is not waiting (decided already, or expired).
  [[nodiscard]] virtual bool decide_inbox(const std::string& id, InboxState decision, const std::string& by,
                                          std::int64_t at_ms, const std::string& broadcast_id,
                                          const AuditRecord& audit) = 0;
};

}  // namespace loa::store
