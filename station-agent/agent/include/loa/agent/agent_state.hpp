#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loa/v1/command.pb.h"
#include "loa/v1/link.pb.h"

namespace loa::agent {

// One applied command, as the agent's journal shows it to a technician.
struct JournalEntry {
  std::int64_t seq = 0;
  std::string command_id;
  std::string kind;
  std::string outcome;
  std::string detail;
  std::int64_t applied_ms = 0;
  std::uint64_t controller_epoch = 0;  // the lease epoch of the controller it came from (0: no pair)
};

// One queued report waiting for the controller's ReportAck.
struct OutboxEntry {
  std::uint64_t seq = 0;
  loa::v1::Envelope envelope;  // body's report_seq already set to `seq`
};

// What the agent must not forget across restarts (agent.db in the state folder):
// which command ids it has applied and with what result (so a re-sent command is
// answered, not applied again), the journal of applied commands, and the outbox of
// reports not yet acknowledged by the controller. Thread-safe (the hardware pollers
// queue telemetry from their own threads).
class AgentState {
 public:
  explicit AgentState(const std::string& path);
  ~AgentState();
  AgentState(const AgentState&) = delete;
  AgentState& operator=(const AgentState&) = delete;

  // The stored result of an applied command, if this id was applied before.
  [[nodiscard]] std::optional<loa::v1::CommandResult> applied_result(const std::string& command_id);

  // Records an applied command (dedup index + journal) and queues its result in the
  // outbox, all in one transaction. Returns the result with its report_seq set.
  loa::v1::CommandResult record_applied(const loa::v1::Command& command, std::string_view kind,
                                        loa::v1::CommandResult result);

  // The lease epoch of the controller whose commands are applied now (journalled with each).
  void set_controller_epoch(std::uint64_t epoch);
  // Journals a command that was not applied because its controller had lost its lease
  // (`epoch` is that controller's). Nothing is answered: that controller may not act.
  void record_refused(const loa::v1::Command& command, std::uint64_t epoch, const std::string& detail);

  // Queues a report (any Envelope whose body carries report_seq); returns its seq.
  std::uint64_t enqueue(loa::v1::Envelope envelope);
  // Queues telemetry, dropping the oldest queued telemetry beyond `keep_at_most` (a long
  // outage must not fill the disk; alarms and command results are never dropped).
  std::uint64_t enqueue_telemetry(const loa::v1::Telemetry& telemetry, std::uint32_t keep_at_most);

  // Reports with seq > `after`, oldest first, at most `limit`.
  [[nodiscard]] std::vector<OutboxEntry> outbox_after(std::uint64_t after, std::size_t limit);
  [[nodiscard]] std::uint64_t outbox_size();
  // Drops reports up to and including `seq` (the controller has them).
  void acknowledge(std::uint64_t seq);

  [[nodiscard]] std::vector<JournalEntry> journal(std::size_t limit);

  // Plays scheduled ahead, kept until they have been reported, so a restarted agent still
  // plays them on time. Keyed by broadcast, clip and planned start.
  void keep_waiting_play(const loa::v1::Play& play);
  void forget_waiting_play(const std::string& broadcast_id, const std::string& clip_sha256, std::int64_t start_at_ms);
  // Forgets every waiting play of a broadcast (every one when `broadcast_id` is empty).
  void forget_waiting_plays(const std::string& broadcast_id);
  [[nodiscard]] std::vector<loa::v1::Play> waiting_plays();

  // The licence the controller sent last, kept across restarts.
  void keep_licence(const loa::v1::SetLicence& licence);
  [[nodiscard]] std::optional<loa::v1::SetLicence> licence();
  // Transmitters the agent muted for a violation, so a restart still lifts those mutes.
  void set_compliance_mute(const std::string& device_id, bool muted);
  [[nodiscard]] std::vector<std::string> compliance_mutes();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loa::agent
