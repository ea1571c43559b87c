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

// Commands to stations: stored before they are sent, closed by their results.
class ICommandStore {
 public:
  virtual ~ICommandStore() = default;

  // Commands
  virtual void add_command(const CommandRecord& command) = 0;
  [[nodiscard]] virtual std::optional<CommandRecord> find_command(const std::string& id) = 0;
  [[nodiscard]] virtual std::vector<CommandRecord> list_commands(const CommandFilter& filter) = 0;
  [[nodiscard]] virtual std::vector<CommandRecord> pending_commands() = 0;
  virtual void record_sent(const std::string& id, std::int64_t attempts, std::int64_t sent_ms) = 0;
  // Many sends in one transaction (a busy loop writes them together, not one by one).
  virtual void record_sent_many(std::span<const SentRecord> sends) = 0;
  // Many results in one transaction; for each, whether it was new (see complete_command).
  [[nodiscard]] virtual std::vector<bool> complete_commands(std::span<const Completion> results) = 0;
  // Records the agent's result. Returns false if the command was already complete (a
  // repeated result), in which case only the duplicate counter moves.
  [[nodiscard]] virtual bool complete_command(const std::string& id, CommandState state,
                                              const std::string& detail, std::int64_t completed_ms,
                                              const std::string& result = {}) = 0;
  // Closes pending commands that must no longer be sent (an alert cancelled before they
  // reached their station). Commands already complete are left alone.
  virtual void withdraw_commands(std::span<const std::string> ids, const std::string& detail, std::int64_t at_ms) = 0;
  // Stores commands and the plays they carry in one transaction, so a restart never
  // re-sends an occurrence nor forgets one it sent.
  virtual void add_scheduled(std::span<const CommandRecord> commands, std::span<const ScheduledPlay> plays) = 0;
};

}  // namespace loa::store
