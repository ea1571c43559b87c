#include "loa/federation/uplink.hpp"

#include <zmq.hpp>

#include "loa/curve/key_pair.hpp"
#include "loa/log/log.hpp"
#include "loa/store/store_error.hpp"

namespace loa::federation {
namespace {

const log::Logger kLog("uplink");
namespace v1 = ::loa::v1;

constexpr const char* kAsRunCursor = "asrun";
// About 100 KB of stations a report.
constexpr std::size_t kStationsPerReport = 2000;
// Progress is told for relays applied within a day (an inbox entry may be accepted the
// next morning), and at the quicker progress interval for those of the last ten minutes.
constexpr std::int64_t kFollowRelaysMs = 24LL * 3600 * 1000;
constexpr std::int64_t kFollowClosely = 10LL * 60 * 1000;
constexpr std::int64_t kLastSeenGrainMs = 60'000;

}  // namespace

Uplink::Uplink(UplinkSettings settings, store::IFederationStore& store, IRelayApplier& applier, Snapshot snapshot,
               const time::IClock& clock)
    : settings_(std::move(settings)), store_(store), applier_(applier), snapshot_(std::move(snapshot)), clock_(clock) {
  settings_.link.capabilities = {link::kMemberCapability, "relay"};
  link_ = std::make_unique<link::ClientLink>(settings_.link, *this, clock_);
}

Uplink::~Uplink() { stop(); }

std::string Uplink::key_fingerprint() const { return curve::fingerprint(settings_.link.public_key); }

void Uplink::start() {
  cursor_ = store_.uplink_cursor(kAsRunCursor);
  sent_upto_ = cursor_;
  link_->open();
  thread_ = std::thread([this] { run(); });
  kLog.info("started: member={} above={} acknowledged_asrun={}", settings_.link.station_id,
            settings_.link.endpoints.front(), cursor_.load());
}

void Uplink::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  thread_.join();
  link_->close("shutdown");
}

void Uplink::run() {
  std::vector<zmq::pollitem_t> items;
  while (!stopping_) {
    items.clear();
    link_->add_poll_items(items);
    try {
      if (items.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      } else {
        zmq::poll(items.data(), items.size(), std::chrono::milliseconds(100));
        link_->handle(items.data());
      }
      link_->tick();
      if (link_->online()) {
        const auto now = clock_.steady();
        // Stations and as-run at the report interval; how relays go more often, as an
        // alert's progress is what the controller above waits for.
        const bool full = now >= next_report_;
        if (full) next_report_ = now + settings_.report_interval;
        if (full || now >= next_progress_) {
          next_progress_ = now + settings_.progress_interval;
          report(full);
        }
      }
    } catch (const store::StoreError& e) {
      // The store is the member's own: its link up waits until it answers again.
      kLog.error("store failed: error={}", e.what());
      std::this_thread::sleep_for(std::chrono::seconds(1));
    } catch (const zmq::error_t& e) {
      kLog.error("link failed: error={}", e.what());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

void Uplink::on_online(const v1::Welcome&) {
  online_ = true;
  complete_due_ = true;
  sent_upto_ = cursor_;
  sent_progress_.clear();
  progress_at_ = clock_.steady();
  next_report_ = clock_.steady();
  kLog.info("online: above={} acknowledged_asrun={}", link_->endpoint(), cursor_.load());
}

void Uplink::on_offline() {
  online_ = false;
  kLog.warn("offline: above={}: this controller goes on alone", link_->endpoint());
}

void Uplink::on_stale_command(const v1::Command& command, std::uint64_t epoch, std::uint64_t highest) {
  kLog.warn("stale command refused: command={} epoch={} highest={}", command.id(), epoch, highest);
}

void Uplink::on_message(const v1::Envelope& envelope) {
  if (envelope.has_command()) {
    handle_command(envelope.command());
  } else if (envelope.has_report_ack()) {
    const auto seq = static_cast<std::int64_t>(envelope.report_ack().report_seq());
    if (seq > cursor_) {
      store_.set_uplink_cursor(kAsRunCursor, seq);
      cursor_ = seq;
      progress_at_ = clock_.steady();
    }
  }
}

void Uplink::handle_command(const v1::Command& command) {
  v1::Envelope env;
  *env.mutable_command_result() = apply(command);
  (void)link_->send(env);
}

v1::CommandResult Uplink::apply(const v1::Command& command) {
  v1::CommandResult result;
  result.set_command_id(command.id());
  result.set_applied_at_ms(clock_.wall_ms());
  if (auto done = store_.find_upstream_command(command.id())) {
    // Sent again (a resend, or the link dropped before our answer): answered, not applied.
    result.set_duplicate(true);
    result.set_outcome(done->outcome == "applied"    ? v1::CommandResult::OUTCOME_APPLIED
                       : done->outcome == "rejected" ? v1::CommandResult::OUTCOME_REJECTED
                                                     : v1::CommandResult::OUTCOME_FAILED);
    result.set_detail(done->local_id.empty() ? done->detail : done->local_id);
    return result;
  }
  if (command.has_ping()) {
    result.set_outcome(v1::CommandResult::OUTCOME_APPLIED);
    result.set_detail(command.ping().text());
    return result;
  }
  if (!command.has_relay()) {
    result.set_outcome(v1::CommandResult::OUTCOME_REJECTED);
    result.set_detail("a member controller takes relays, not station commands");
    return result;
  }
  const auto& relay = command.relay();
  IRelayApplier::Applied applied;
  if (command.expires_at_ms() != 0 && command.expires_at_ms() < clock_.wall_ms()) {
    applied.outcome = "rejected";
    applied.detail = "expired before it arrived";
  } else {
    applied = applier_.apply(relay);
  }
  store::UpstreamCommandRecord record{command.id(), relay.relay_id(),
                                      relay.kind() == v1::Relay::KIND_ALERT ? "alert" : "bulletin",
                                      applied.outcome, applied.detail, applied.local_id, clock_.wall_ms()};
  store_.put_upstream_command(record, applied.inbox ? &*applied.inbox : nullptr,
                              store::audit_entry(record.applied_ms, "above:" + relay.sender(), "relay.received",
                                                 relay.relay_id(),
                                                 record.kind + " " + v1::Priority_Name(relay.level()) + ": " +
                                                     applied.outcome + " " + applied.local_id + " " + applied.detail));
  kLog.info("relay from above: relay={} kind={} outcome={} local={} detail={}", relay.relay_id(), record.kind,
            applied.outcome, applied.local_id, applied.detail);
  result.set_outcome(applied.outcome == "applied"    ? v1::CommandResult::OUTCOME_APPLIED
                     : applied.outcome == "rejected" ? v1::CommandResult::OUTCOME_REJECTED
                                                     : v1::CommandResult::OUTCOME_FAILED);
  result.set_detail(applied.outcome == "applied" ? applied.local_id : applied.detail);
  next_progress_ = clock_.steady();  // tell its progress at once
  return result;
}

// Progress of the relays applied lately, when it changed since last told.
void Uplink::add_progress(v1::MemberReport& r, std::int64_t within_ms) {
  const auto now_ms = clock_.wall_ms();
  for (const auto& c : store_.list_upstream_commands(200)) {
    if (c.outcome != "applied" || now_ms - c.applied_ms > within_ms) continue;
    auto p = applier_.progress(c);
    if (!p) continue;
    auto bytes = p->SerializeAsString();
    auto& sent = sent_progress_[c.relay_id];
    if (sent == bytes) continue;
    *r.add_progress() = *p;
    sent = std::move(bytes);
  }
}

void Uplink::report(bool full) {
  v1::Envelope env;
  auto* r = env.mutable_member_report();
  if (!full) {
    add_progress(*r, kFollowClosely);
    if (r->progress_size() > 0) (void)link_->send(env);
    return;
  }
  // Stations: all of them after a (re)connection, then those that changed.
  // A report stays far below the link's message limit: a large member's stations go up
  // a share at a time, those not sent yet counting as changed at the next report.
  const bool complete = complete_due_;
  r->set_complete(complete);
  std::map<std::string, std::string> sent_now;
  for (auto& s : snapshot_()) {
    // A station's last contact moves with each of its heartbeats; to the minute is
    // enough above, so it alone makes a station changed once a minute, not each time.
    auto compared = s;
    compared.set_last_seen_ms(s.last_seen_ms() / kLastSeenGrainMs);
    auto bytes = compared.SerializeAsString();
    auto it = sent_stations_.find(s.id());
    const bool changed = complete || it == sent_stations_.end() || it->second != bytes;
    if (!changed || r->stations_size() >= static_cast<int>(kStationsPerReport)) continue;
    *r->add_stations() = s;
    sent_now.emplace(s.id(), std::move(bytes));
  }
  // As-run after what was sent on this link; from the acknowledged cursor again when
  // nothing was acknowledged for a while (a report lost, or not kept above).
  if (sent_upto_ > cursor_ && clock_.steady() - progress_at_ > settings_.resend_after) {
    kLog.info("as-run unacknowledged: sent_upto={} acknowledged={}: sending again", sent_upto_, cursor_.load());
    sent_upto_ = cursor_;
    progress_at_ = clock_.steady();
  }
  for (const auto& row : store_.asrun_after(sent_upto_, settings_.asrun_per_report)) {
    auto* a = r->add_asrun();
    a->set_seq(static_cast<std::uint64_t>(row.seq));
    a->set_station_id(row.station_id);
    a->set_broadcast_id(row.broadcast_id);
    a->set_content_id(row.content_id);
    a->set_planned_start_ms(row.planned_start_ms);
    a->set_actual_start_ms(row.actual_start_ms);
    a->set_end_ms(row.end_ms);
    a->set_outcome(row.outcome);
    a->set_detail(row.detail);
  }
  if (r->asrun_size() > 0) {
    r->set_report_seq(r->asrun(r->asrun_size() - 1).seq());
  }
  add_progress(*r, kFollowRelaysMs);
  if (!complete && r->stations_size() == 0 && r->asrun_size() == 0 && r->progress_size() == 0) return;
  if (!link_->send(env)) return;  // the queue is full or the link went: the next report tries again
  complete_due_ = false;
  if (complete) sent_stations_.clear();
  for (auto& [id, bytes] : sent_now) sent_stations_[id] = std::move(bytes);
  if (r->asrun_size() > 0) sent_upto_ = static_cast<std::int64_t>(r->report_seq());
}

}  // namespace loa::federation
