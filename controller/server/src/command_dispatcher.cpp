#include "loa/server/command_dispatcher.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>

#include "loa/log/log.hpp"

namespace loa::server {
namespace {

const log::Logger kLog("commands");

std::string kind_of(const loa::v1::Command& c) {
  switch (c.action_case()) {
    case loa::v1::Command::kPing: return "ping";
    case loa::v1::Command::kSetLogLevel: return "set_log_level";
    case loa::v1::Command::kSetAmplifier: return "set_amplifier";
    case loa::v1::Command::kSilentTest: return "silent_test";
    case loa::v1::Command::kCacheClip: return "cache_clip";
    case loa::v1::Command::kPlay: return "play";
    case loa::v1::Command::kStop: return "stop";
    case loa::v1::Command::kSetVolume: return "set_volume";
    case loa::v1::Command::kSetMute: return "set_mute";
    case loa::v1::Command::kSetLicence: return "set_licence";
    case loa::v1::Command::kApplyConfig: return "apply_config";
    case loa::v1::Command::kRelay: return "relay";
    case loa::v1::Command::kUpdateAgent: return "update_agent";
    case loa::v1::Command::kRevertAgent: return "revert_agent";
    case loa::v1::Command::ACTION_NOT_SET: break;
  }
  return "none";
}

store::CommandState state_of(loa::v1::CommandResult::Outcome o) {
  switch (o) {
    case loa::v1::CommandResult::OUTCOME_APPLIED: return store::CommandState::applied;
    case loa::v1::CommandResult::OUTCOME_REJECTED: return store::CommandState::rejected;
    default: return store::CommandState::failed;
  }
}

}  // namespace

namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string uuid_text(const std::array<unsigned char, 16>& b) {
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0xf];
  }
  return out;
}

}  // namespace

std::string new_command_id() {
  std::array<unsigned char, 16> b{};
  randombytes_buf(b.data(), b.size());
  // Milliseconds since the epoch, big-endian, first (RFC 9562 version 7): ids made
  // together sort together, so an alert's thousands of commands go to the end of the
  // store's index of ids instead of to thousands of random pages of it.
  const auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  for (int i = 0; i < 6; ++i) b[static_cast<std::size_t>(i)] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x70);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return uuid_text(b);
}

std::string random_hex(std::size_t digits) {
  std::string out;
  out.reserve(digits);
  std::array<unsigned char, 32> b{};
  randombytes_buf(b.data(), b.size());
  for (std::size_t i = 0; out.size() < digits; ++i) {
    if (i == b.size()) {
      randombytes_buf(b.data(), b.size());
      i = 0;
    }
    out += kHex[b[i] & 0xf];
  }
  return out;
}

CommandDispatcher::CommandDispatcher(store::ICommandStore& store, const time::IClock& clock,
                                     std::chrono::milliseconds resend_after)
    : store_(store), clock_(clock), resend_after_(resend_after) {
  for (auto& record : store_.pending_commands()) {
    pending_[record.station_id].push_back(Pending{record.id, record.payload, record.attempts, 0, {}});
  }
}

namespace {

store::CommandRecord stamped(const std::string& station_id, loa::v1::Command& command, std::int64_t now_ms) {
  store::CommandRecord record;
  record.id = command.id().empty() ? new_command_id() : command.id();
  command.set_id(record.id);
  if (command.issued_at_ms() == 0) command.set_issued_at_ms(now_ms);
  record.station_id = station_id;
  record.kind = kind_of(command);
  record.payload = command.SerializeAsString();
  record.created_ms = command.issued_at_ms();
  return record;
}

}  // namespace

void CommandDispatcher::enqueue_many(std::vector<Outgoing> items, std::span<const store::ScheduledPlay> plays) {
  auto records = prepare(items);
  store_.add_scheduled(records, plays);  // stored first, and with no lock held: the loop never waits on the disk for it
  queue(records);
}

std::vector<store::CommandRecord> CommandDispatcher::prepare(std::vector<Outgoing>& items) const {
  std::vector<store::CommandRecord> records;
  records.reserve(items.size());
  const auto now = clock_.wall_ms();
  for (auto& item : items) records.push_back(stamped(item.station_id, item.command, now));
  return records;
}

void CommandDispatcher::queue(std::span<const store::CommandRecord> records) {
  {
    std::lock_guard lock(mutex_);
    queue_locked(records);
  }
  notify_queued();
}

void CommandDispatcher::on_queued(std::function<void()> notify) {
  std::lock_guard lock(mutex_);
  on_queued_ = std::move(notify);
}

void CommandDispatcher::notify_queued() const {
  std::function<void()> notify;
  {
    std::lock_guard lock(mutex_);
    notify = on_queued_;
  }
  if (notify) notify();
}

void CommandDispatcher::queue_locked(std::span<const store::CommandRecord> records) {
  for (const auto& r : records) pending_[r.station_id].push_back(Pending{r.id, r.payload, 0, 0, {}});
}

std::size_t CommandDispatcher::withdraw(std::span<const std::string> ids, const std::string& detail) {
  std::size_t withdrawn = 0;
  {
    std::lock_guard lock(mutex_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      withdrawn += std::erase_if(it->second, [&](const Pending& p) {
        return std::find(ids.begin(), ids.end(), p.id) != ids.end();
      });
      it = it->second.empty() ? pending_.erase(it) : std::next(it);
    }
  }
  store_.withdraw_commands(ids, detail, clock_.wall_ms());
  return withdrawn;
}

store::CommandRecord CommandDispatcher::enqueue(const std::string& station_id, loa::v1::Command command) {
  auto record = stamped(station_id, command, clock_.wall_ms());
  store_.add_command(record);  // stored first: a crash after this still delivers it
  {
    std::lock_guard lock(mutex_);
    pending_[station_id].push_back(Pending{record.id, record.payload, 0, 0, {}});
  }
  notify_queued();
  return record;
}

std::vector<CommandDispatcher::Due> CommandDispatcher::take_due(const std::string& station_id,
                                                                bool link_restarted) {
  std::vector<Due> due;
  std::vector<std::pair<std::string, std::int64_t>> sent;
  const auto now = clock_.steady();
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(station_id);
    if (it == pending_.end()) return due;
    for (auto& p : it->second) {
      if (link_restarted) p.sends_on_this_link = 0;
      if (p.sends_on_this_link > 0 && now - p.last_sent < wait_after(p.sends_on_this_link)) continue;
      due.push_back(Due{p.id, p.payload, p.attempts > 0});
      ++p.sends_on_this_link;
      p.last_sent = now;
      ++p.attempts;
      sent.emplace_back(p.id, p.attempts);
    }
  }
  const auto wall = clock_.wall_ms();
  std::lock_guard lock(mutex_);
  for (auto& [id, attempts] : sent) unsaved_sends_.push_back({std::move(id), attempts, wall});
  return due;
}

std::chrono::steady_clock::duration CommandDispatcher::wait_after(int sends_on_this_link) const {
  const auto longest = resend_after_ * kResendBackoffLimit;
  auto wait = resend_after_;
  for (int sent = 1; sent < sends_on_this_link && wait < longest; ++sent) wait *= 2;
  return std::min<std::chrono::steady_clock::duration>(wait, longest);
}

void CommandDispatcher::flush_sent() {
  std::vector<store::SentRecord> sends;
  {
    std::lock_guard lock(mutex_);
    sends.swap(unsaved_sends_);
  }
  if (sends.empty()) return;
  try {
    store_.record_sent_many(sends);
  } catch (const store::StoreError& e) {
    // Losing the attempt counters is harmless; the commands themselves are stored.
    kLog.warn("record_sent failed: commands={} error={}", sends.size(), e.what());
  }
}

bool CommandDispatcher::complete(const std::string& station_id, const loa::v1::CommandResult& result) {
  const Result one{station_id, result};
  return complete_many(std::span(&one, 1)).front();
}

std::vector<bool> CommandDispatcher::complete_many(std::span<const Result> results) {
  std::vector<bool> fresh(results.size(), false);
  std::vector<store::Completion> batch;
  std::vector<std::size_t> batch_index;
  const auto now = clock_.wall_ms();
  std::vector<bool> was_pending(results.size(), false);
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& [station_id, result] = results[i];
      auto it = pending_.find(station_id);
      if (it == pending_.end()) continue;
      auto& list = it->second;
      const auto& command_id = result.command_id();  // a lambda may not capture a structured binding (clang 14)
      auto pos = std::find_if(list.begin(), list.end(), [&](const Pending& p) { return p.id == command_id; });
      if (pos != list.end()) {
        list.erase(pos);
        was_pending[i] = true;
      }
      if (list.empty()) pending_.erase(it);
    }
  }
  // The store calls run with no lock held.
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& [station_id, result] = results[i];
    if (!was_pending[i]) {
      // A repeated result for a finished command, or an id we never sent this station:
      // count it against the command only if it really is this station's.
      auto record = store_.find_command(result.command_id());
      if (record && record->station_id == station_id) {
        (void)store_.complete_command(result.command_id(), state_of(result.outcome()), result.detail(), now);
      }
      continue;
    }
    auto stored = result;
    stored.clear_report_seq();
    batch.push_back({result.command_id(), state_of(result.outcome()), result.detail(), now, stored.SerializeAsString()});
    batch_index.push_back(i);
  }
  if (batch.empty()) return fresh;
  const auto stored = store_.complete_commands(batch);
  for (std::size_t j = 0; j < stored.size(); ++j) fresh[batch_index[j]] = stored[j];
  return fresh;
}

std::size_t CommandDispatcher::pending_count() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [id, list] : pending_) n += list.size();
  return n;
}

std::vector<std::string> CommandDispatcher::stations_with_pending() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [id, list] : pending_) out.push_back(id);
  return out;
}

}  // namespace loa::server
