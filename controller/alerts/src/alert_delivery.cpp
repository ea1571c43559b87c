// Delivery tracking: an alert's orders to every station in one transaction, each
// station's state from its command results and playback reports, withdrawal and stops,
// and expiry.
#include "loa/alerts/alert_desk.hpp"

#include "desk_support.hpp"
#include "loa/alerts/delivery_tracking.hpp"

namespace loa::alerts {

using namespace desk;

// Sends the alert to every target station in one transaction. The caller holds
// issue_mutex_.
void AlertDesk::deliver(store::AlertRecord& record, const json& spec, const std::string& action, const std::string& by,
                        const std::string& detail) {
  const auto began = std::chrono::steady_clock::now();
  const auto stations = resolve_targets(spec["targets"]);
  const auto resolved = std::chrono::steady_clock::now();
  const auto now = clock_.wall_ms();
  record.state = to_string(AlertWorkflow::decide(state_of(record.state),
                                                 record.version > 1 ? AlertAction::update : AlertAction::issue)
                                .next);
  record.issued_ms = now;
  record.expires_ms = spec["expires_ms"];
  const auto broadcast = broadcast_of(record);
  std::string tone_clip;
  {
    std::lock_guard lock(mutex_);
    const auto tone = spec["tone"].get<std::string>();
    if (standard_.count(tone)) {
      tone_clip = standard_.at(tone);
    } else if (tone != "none" && !one_of(tone, kTones)) {
      tone_clip = tone;  // a clip of the library
    } else if (tone != "none") {
      kLog.warn("no attention tone: alert={} tone={} reason=standard clips unavailable", record.id, tone);
    }
  }
  const auto count = spec["repeat"]["count"].get<std::int64_t>();
  const auto interval_ms = spec["repeat"]["interval_s"].get<std::int64_t>() * 1000;
  const auto expires = record.expires_ms;
  bool has_live = false;
  for (const auto& part : spec["parts"]) has_live = has_live || part.contains("live");
  if (has_live) {
    for (const auto& part : spec["parts"]) {
      if (!part.contains("live")) continue;
      try {
        streams_.stop(stream_of(record.id));
        streams_.start(stream_of(record.id), part["live"].get<std::string>(), broadcast);
      } catch (const std::exception& e) {
        throw AlertError(AlertProblem::live_source, std::string("cannot open the live source: ") + e.what());
      }
      break;  // one live source per alert
    }
  }
  // Each clip's record once, not once per station.
  std::map<std::string, store::ClipRecord> clip_records;
  for (const auto& part : spec["parts"]) {
    if (!part.contains("clip")) continue;
    if (auto c = stores_.clips.find_clip(part["clip"].get<std::string>())) clip_records.emplace(c->sha256, std::move(*c));
  }
  std::vector<server::CommandDispatcher::Outgoing> out;
  std::vector<store::AlertDelivery> deliveries;
  for (const auto& station : stations) {
    std::int64_t parts = 0;
    for (std::int64_t k = 0; k < count; ++k) {
      // The first round plays at once; repeats at their instant on every station.
      const std::int64_t at = k == 0 ? 0 : record.issued_ms + k * interval_ms;
      if (!tone_clip.empty()) {
        out.push_back({station, alert_play(broadcast, orders::Sound::clip(tone_clip), at, expires)});
        ++parts;
      }
      for (const auto& part : spec["parts"]) {
        if (part.contains("live")) {
          if (k > 0) continue;  // a live voice is heard once
          out.push_back({station, alert_play(broadcast, orders::Sound::stream(stream_of(record.id)), 0, expires)});
          ++parts;
          continue;
        }
        const auto clip = part["clip"].get<std::string>();
        if (k == 0 && !pinned(station, clip)) {
          if (auto c = clip_records.find(clip); c != clip_records.end()) {
            out.push_back({station, orders::cache(c->second.sha256, c->second.bytes, false)});
          }
        }
        out.push_back({station, alert_play(broadcast, orders::Sound::clip(clip), at, expires)});
        ++parts;
      }
    }
    deliveries.push_back({record.id, station, "sent", "", parts, 0, 0, now});
  }
  auto records = commands_.prepare(out);
  const auto prepared = std::chrono::steady_clock::now();
  stores_.alerts.deliver_alert(record, records, deliveries,
                       store::audit_entry(now, by, action, record.id,
                        (detail.empty() ? "" : detail + "; ") + std::to_string(stations.size()) + " stations, " +
                            std::to_string(records.size()) + " commands"));
  const auto stored = std::chrono::steady_clock::now();
  commands_.queue(records);
  auto ms = [](auto from, auto to) { return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count(); };
  kLog.info("alert queued: alert={} resolve_ms={} prepare_ms={} store_ms={} queue_ms={}", record.id, ms(began, resolved),
            ms(resolved, prepared), ms(prepared, stored), ms(stored, std::chrono::steady_clock::now()));
  {
    std::lock_guard lock(mutex_);
    ++counters_[record.version > 1 ? "updated" : "issued"];
    Active a;
    a.record = record;
    a.broadcast_id = broadcast;
    for (auto& d : deliveries) a.deliveries[d.station_id] = std::move(d);
    for (const auto& c : records) by_command_[c.id] = record.id;
    by_broadcast_[broadcast] = record.id;
    active_[record.id] = std::move(a);
  }
  kLog.info("alert issued: alert={} version={} by={} stations={} commands={}", record.id, record.version, by,
            stations.size(), records.size());
}

// Withdraws what has not reached its station and tells every station to stop. Holds mutex_.
void AlertDesk::stop_everywhere(Active& a, const std::string& why) {
  std::vector<std::string> ids;
  for (const auto& c : stores_.alerts.alert_commands(a.record.id)) ids.push_back(c.command_id);
  const auto withdrawn = commands_.withdraw(ids, "withdrawn: " + why);
  std::vector<server::CommandDispatcher::Outgoing> out;
  const auto now = clock_.wall_ms();
  for (auto& [station, d] : a.deliveries) {
    out.push_back({station, orders::stop(a.broadcast_id)});
    if (delivery::stop(d, why, now)) dirty_.insert({a.record.id, station});
  }
  if (!out.empty()) commands_.enqueue_many(std::move(out));
  (void)streams_.stop(stream_of(a.record.id));
  kLog.info("alert stopped: alert={} why={} stations={} commands_withdrawn={}", a.record.id, why,
            a.deliveries.size(), withdrawn);
}

// A standard message (all-clear, correction) to every station the alert went to.
void AlertDesk::send_standard(const store::AlertRecord& record, const std::string& clip, const std::string& suffix) {
  std::vector<server::CommandDispatcher::Outgoing> out;
  const auto expires = clock_.wall_ms() + kStandardMessageExpiryMs;
  auto clip_record = stores_.clips.find_clip(clip);
  for (const auto& d : stores_.alerts.list_deliveries(record.id)) {
    if (clip_record && !pinned(d.station_id, clip)) {
      out.push_back({d.station_id, orders::cache(clip_record->sha256, clip_record->bytes, false)});
    }
    out.push_back({d.station_id, alert_play(record.id + suffix, orders::Sound::clip(clip), 0, expires)});
  }
  if (!out.empty()) commands_.enqueue_many(std::move(out));
}

void AlertDesk::on_command_result(const std::string& station_id, const v1::CommandResult& result) {
  std::lock_guard lock(mutex_);
  auto c = by_command_.find(result.command_id());
  if (c == by_command_.end()) return;
  auto a = active_.find(c->second);
  by_command_.erase(c);
  if (a == active_.end()) return;
  auto d = a->second.deliveries.find(station_id);
  if (d == a->second.deliveries.end()) return;
  if (delivery::on_result(d->second, result, clock_.wall_ms())) dirty_.insert({a->first, station_id});
}

void AlertDesk::on_playback(const std::string& station_id, const v1::PlaybackReport& report) {
  std::lock_guard lock(mutex_);
  auto b = by_broadcast_.find(report.broadcast_id());
  if (b == by_broadcast_.end()) return;
  auto a = active_.find(b->second);
  if (a == active_.end() || a->second.broadcast_id != report.broadcast_id()) return;
  auto d = a->second.deliveries.find(station_id);
  if (d == a->second.deliveries.end()) return;
  const bool first_sound = delivery::on_playback(d->second, report, clock_.wall_ms());
  if (first_sound && a->second.record.issued_ms) {
    // The first sound of this station for this alert: how long it took.
    const double ms = static_cast<double>(report.actual_start_ms() - a->second.record.issued_ms);
    if (latency_counts_.empty()) latency_counts_.assign(kLatencyBucketsMs.size() + 1, 0);
    const auto bucket = std::lower_bound(kLatencyBucketsMs.begin(), kLatencyBucketsMs.end(), ms);
    ++latency_counts_[static_cast<std::size_t>(bucket - kLatencyBucketsMs.begin())];
    latency_sum_ms_ += ms;
  }
  dirty_.insert({a->first, station_id});
}

void AlertDesk::flush() {
  std::vector<store::AlertDelivery> batch;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [alert, station] : dirty_) {
      auto a = active_.find(alert);
      if (a == active_.end()) continue;
      auto d = a->second.deliveries.find(station);
      if (d != a->second.deliveries.end()) batch.push_back(d->second);
    }
    dirty_.clear();
  }
  if (batch.empty()) return;
  try {
    stores_.alerts.put_deliveries(batch);
  } catch (...) {
    std::lock_guard lock(mutex_);
    for (const auto& d : batch) dirty_.insert({d.alert_id, d.station_id});
    throw;
  }
}

void AlertDesk::expire() {
  const auto now = clock_.wall_ms();
  std::vector<store::AlertRecord> expired;
  {
    std::lock_guard lock(mutex_);
    for (auto it = active_.begin(); it != active_.end();) {
      auto& rec = it->second.record;
      if (const auto step = AlertWorkflow::decide(state_of(rec.state), AlertAction::expire);
          step.allowed() && now >= rec.expires_ms) {
        rec.state = to_string(step.next);
        ++counters_["expired"];
        rec.ended_ms = now;
        rec.ended_by = "system";
        expired.push_back(rec);
      }
      const bool forget = is_ended(rec.state) && now > std::max(rec.expires_ms, rec.ended_ms) + kKeepEndedMs &&
                          std::none_of(dirty_.begin(), dirty_.end(), [&](const auto& d) { return d.first == it->first; });
      if (forget) {
        by_broadcast_.erase(it->second.broadcast_id);
        // Commands of stations that never answered (gone for good, or revoked) would
        // otherwise be remembered for ever.
        std::erase_if(by_command_, [&](const auto& entry) { return entry.second == it->first; });
        it = active_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& r : expired) {
    std::vector<std::string> ids;
    for (const auto& c : stores_.alerts.alert_commands(r.id)) ids.push_back(c.command_id);
    (void)commands_.withdraw(ids, "withdrawn: alert expired");
    (void)streams_.stop(stream_of(r.id));
    auto stored = stores_.alerts.find_alert(r.id);
    if (!stored) continue;
    const auto step = AlertWorkflow::decide(state_of(stored->state), AlertAction::expire);
    if (!step.allowed()) continue;
    stored->state = to_string(step.next);
    stored->ended_by = "system";
    stored->ended_ms = now;
    stores_.alerts.put_alert(*stored, store::audit_entry(now, "system", "alert.expire", r.id, ""));
    kLog.info("alert expired: alert={}", r.id);
  }
}

}  // namespace loa::alerts
