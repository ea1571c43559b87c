#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "loa/store/command_store.hpp"
#include "loa/time/clock.hpp"
#include "loa/v1/command.pb.h"

namespace loa::server {

// At-least-once delivery of commands to stations. Every command is stored before it is
// sent, and stays pending (in the store, so across restarts) until the station's result
// arrives; the control loop asks which commands are due for a station and re-sends
// those unanswered for longer than the resend interval. Thread-safe.
//
// On one link, each resend of a command waits twice as long as the one before, up to
// kResendBackoffLimit times the interval. A command sent on a link stays queued in it
// (ZeroMQ's and TCP's buffers) until the station reads it: resending it every interval
// to a station that is slow to read (a weak 3G link, a station busy with thousands of
// others) only stacks copies in those buffers, and at 5,000 such stations the controller
// held gigabytes of them within a minute. A new link sends everything pending at once.
class CommandDispatcher {
 public:
  static constexpr int kResendBackoffLimit = 8;

  CommandDispatcher(store::ICommandStore& store, const time::IClock& clock, std::chrono::milliseconds resend_after);

  // Called after each command or batch is queued, with no lock held: the control server
  // sets it to wake its loop, which then sends at once. So whoever hands work to the
  // dispatcher has it sent without waking anything by hand. Empty: nobody is told.
  void on_queued(std::function<void()> notify);

  // Stores a new command for `station_id` and returns its record (with the id it was
  // given). The caller has checked that the station exists.
  [[nodiscard]] store::CommandRecord enqueue(const std::string& station_id, loa::v1::Command command);

  // Stores many commands, and the scheduled plays they carry, in one transaction, then
  // queues them. Commands without an id get one; a play names its command by id, so the
  // caller gives those commands their ids (new_command_id()).
  struct Outgoing {
    std::string station_id;
    loa::v1::Command command;
  };
  void enqueue_many(std::vector<Outgoing> items, std::span<const store::ScheduledPlay> plays = {});

  // For callers that store commands in a transaction of their own: gives each command
  // its id and record (prepare), then, once they are stored, makes them pending (queue).
  [[nodiscard]] std::vector<store::CommandRecord> prepare(std::vector<Outgoing>& items) const;
  void queue(std::span<const store::CommandRecord> records);

  // Never sends these commands again and closes them in the store as rejected with
  // `detail` (an alert cancelled before they reached an offline station). Commands
  // already answered are left alone. Returns how many were still pending.
  std::size_t withdraw(std::span<const std::string> ids, const std::string& detail);

  struct Due {
    std::string id;
    std::string payload;  // serialized loa.v1.Command
    bool resend = false;
  };
  // Commands to send to `station_id` now: never sent on this link, or unanswered for
  // longer than the resend interval. `link_restarted` makes every pending command due
  // (the station just said hello, so whatever was in flight is lost).
  [[nodiscard]] std::vector<Due> take_due(const std::string& station_id, bool link_restarted);

  // Records a station's result. Returns false for a result already recorded (or for a
  // command this controller never sent to that station).
  [[nodiscard]] bool complete(const std::string& station_id, const loa::v1::CommandResult& result);
  // Many results (station, result) in one store transaction; for each, as complete().
  struct Result {
    std::string station_id;
    loa::v1::CommandResult result;
  };
  [[nodiscard]] std::vector<bool> complete_many(std::span<const Result> results);

  // Writes the attempt counters of the commands take_due handed out since the last
  // call, in one transaction. The control loop calls it once per round of sends.
  void flush_sent();

  [[nodiscard]] std::size_t pending_count() const;
  [[nodiscard]] std::vector<std::string> stations_with_pending() const;

 private:
  struct Pending {
    std::string id;
    std::string payload;
    std::int64_t attempts = 0;
    int sends_on_this_link = 0;
    std::chrono::steady_clock::time_point last_sent{};
  };
  [[nodiscard]] std::chrono::steady_clock::duration wait_after(int sends_on_this_link) const;

  void queue_locked(std::span<const store::CommandRecord> records);
  void notify_queued() const;
  std::vector<store::SentRecord> unsaved_sends_;

  store::ICommandStore& store_;
  const time::IClock& clock_;
  std::chrono::milliseconds resend_after_;
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<Pending>> pending_;  // station id -> commands in order
  std::function<void()> on_queued_;                      // under mutex_
};

// A command's id: a UUID of version 7 (the time in ms, then 74 random bits), in text.
[[nodiscard]] std::string new_command_id();
// `digits` random hexadecimal digits, for ids of other things (broadcasts, streams).
[[nodiscard]] std::string random_hex(std::size_t digits);

}  // namespace loa::server
