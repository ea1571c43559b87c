#include "loa/feeds/feed_poller.hpp"

#include <httplib.h>

#include <filesystem>
#include <fstream>

#include "loa/alerts/cap_mapping.hpp"
#include "loa/digest/random.hpp"
#include "loa/feeds/feed_formats.hpp"
#include "loa/log/log.hpp"

namespace loa::feeds {
namespace {

const log::Logger kLog("feeds");
namespace v1 = ::loa::v1;
using json = nlohmann::json;

constexpr std::size_t kMaxFeedBytes = 4 << 20;    // an index or a bulletin list
constexpr std::size_t kMaxAudioBytes = 50 << 20;  // one bulletin's audio
constexpr std::size_t kMaxEntriesPerPoll = 50;    // a flood waits for the next turns

v1::Priority level_of(const std::string& level) {
  if (level == "emergency") return v1::PRIORITY_EMERGENCY;
  if (level == "priority") return v1::PRIORITY_PRIORITY;
  return v1::PRIORITY_NORMAL;
}

// Bulletin areas as CAP areas: "name=value" is a geocode, anything else a name.
std::vector<alerts::CapArea> cap_areas_of(const std::vector<std::string>& areas) {
  std::vector<alerts::CapArea> out;
  for (const auto& a : areas) {
    alerts::CapArea area;
    if (const auto eq = a.find('='); eq != std::string::npos) {
      area.geocodes.emplace_back(a.substr(0, eq), a.substr(eq + 1));
    } else {
      area.description = a;
    }
    out.push_back(std::move(area));
  }
  return out;
}

}  // namespace

FeedPoller::FeedPoller(std::vector<FeedSource> sources, Stores stores, alerts::AlertDesk& alerts,
                       federation::IRelayApplier& relays, clips::ClipLibrary& clips, std::string spool_dir,
                       const time::IClock& clock)
    : sources_(std::move(sources)),
      stores_(stores),
      alerts_(alerts),
      relays_(relays),
      clips_(clips),
      spool_dir_(std::move(spool_dir)),
      clock_(clock) {
  for (const auto& s : sources_) states_[s.name];
}

FeedPoller::~FeedPoller() { stop(); }

void FeedPoller::start() {
  if (sources_.empty()) return;
  std::filesystem::create_directories(spool_dir_);
  thread_ = std::thread([this] { run(); });
  kLog.info("polling: feeds={}", sources_.size());
}

void FeedPoller::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FeedPoller::poll_now() {
  {
    std::lock_guard lock(mutex_);
    poll_all_ = true;
  }
  wake_.notify_all();
}

void FeedPoller::run() {
  std::map<std::string, std::chrono::steady_clock::time_point> due;
  for (const auto& s : sources_) due[s.name] = clock_.steady();
  for (;;) {
    bool all = false;
    {
      std::unique_lock lock(mutex_);
      auto next = std::chrono::steady_clock::time_point::max();
      for (const auto& [name, at] : due) next = std::min(next, at);
      wake_.wait_until(lock, next, [this] { return stopping_ || poll_all_; });
      if (stopping_) return;
      all = poll_all_;
      poll_all_ = false;
    }
    for (const auto& s : sources_) {
      if (!all && clock_.steady() < due[s.name]) continue;
      due[s.name] = clock_.steady() + s.every;
      poll(s);
    }
  }
}

std::string FeedPoller::fetch(const std::string& url, std::size_t max_bytes) const {
  const auto scheme = url.find("://");
  const auto path_at = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme == std::string::npos) throw std::runtime_error("not a URL: " + url);
  httplib::Client client(url.substr(0, path_at));
  client.set_connection_timeout(10);
  client.set_read_timeout(30);
  client.set_follow_location(true);
  std::string body;
  bool too_large = false;
  auto result = client.Get(path_at == std::string::npos ? "/" : url.substr(path_at), [&](const char* data, std::size_t n) {
    if (body.size() + n > max_bytes) {
      too_large = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  if (too_large) throw std::runtime_error("larger than " + std::to_string(max_bytes >> 20) + " MiB");
  if (!result) throw std::runtime_error(httplib::to_string(result.error()));
  if (result->status != 200) throw std::runtime_error("HTTP " + std::to_string(result->status));
  return body;
}

void FeedPoller::poll(const FeedSource& source) {
  State state;
  {
    std::lock_guard lock(mutex_);
    state = states_[source.name];
  }
  ++state.polls;
  state.last_poll_ms = clock_.wall_ms();
  try {
    const auto body = fetch(source.url, kMaxFeedBytes);
    if (source.kind == "cap") {
      poll_cap(source, body, state);
    } else {
      poll_bulletins(source, body, state);
    }
    state.last_error.clear();
  } catch (const std::exception& e) {
    ++state.errors;
    state.last_error = e.what();
    kLog.warn("feed failed: feed={} url={} error={}", source.name, source.url, e.what());
  }
  std::lock_guard lock(mutex_);
  states_[source.name] = std::move(state);
}

void FeedPoller::poll_cap(const FeedSource& source, const std::string& body, State& state) {
  const auto caller = alerts_.cap_source_named(source.cap_source);
  if (!caller) throw std::runtime_error("no CAP source '" + source.cap_source + "' in alerts.cap_sources");
  std::size_t fetched = 0;
  for (const auto& entry : parse_cap_index(body, source.url)) {
    if (state.seen.count(entry.id) || fetched >= kMaxEntriesPerPoll) continue;
    ++fetched;
    try {
      const auto xml = fetch(entry.link, 1 << 20);
      const auto outcome = alerts_.ingest_cap(xml, *caller);
      ++state.taken;
      kLog.info("feed CAP message: feed={} entry={} outcome={}", source.name, entry.id, outcome.dump());
    } catch (const alerts::AlertError& e) {
      ++state.refused;
      kLog.warn("feed CAP message refused: feed={} entry={} reason={} detail={}", source.name, entry.id, e.code(),
                e.what());
    } catch (const std::exception& e) {
      // Not fetched: tried again at the next turn.
      ++state.errors;
      kLog.warn("feed CAP message not fetched: feed={} entry={} link={} error={}", source.name, entry.id, entry.link,
                e.what());
      continue;
    }
    state.seen.insert(entry.id);
  }
}

void FeedPoller::poll_bulletins(const FeedSource& source, const std::string& body, State& state) {
  const auto feed = parse_bulletin_feed(body, source.url);
  for (const auto& why : feed.refused) {
    if (!state.seen.insert("refused " + why).second) continue;  // told once a run, not every poll
    ++state.refused;
    kLog.warn("feed bulletin refused: feed={} reason={}", source.name, why);
  }
  const auto now = clock_.wall_ms();
  const auto zones = stores_.stations.list_zones();
  std::size_t taken = 0;
  for (const auto& b : feed.bulletins) {
    const std::string command_id = "feed:" + source.name + ":" + b.id;
    if (b.valid_until_ms <= now || b.valid_from_ms > now || taken >= kMaxEntriesPerPoll) continue;
    if (stores_.federation.find_upstream_command(command_id)) continue;  // applied before
    ++taken;
    v1::Relay relay;
    relay.set_kind(v1::Relay::KIND_BULLETIN);
    relay.set_relay_id("F-" + digest::random_hex(4));
    relay.set_level(level_of(b.level));
    relay.set_title(b.title);
    relay.set_text(b.text.empty() ? b.title : b.text);
    relay.set_language(b.language);
    relay.set_expires_at_ms(b.valid_until_ms);
    relay.set_sender("feed:" + source.name);
    // Where: the zones its areas name (ids, or the zones' CAP areas), within the feed's own.
    std::vector<std::string> to;
    if (!b.areas.empty()) {
      for (const auto& a : b.areas) {
        if (stores_.stations.find_zone(a)) to.push_back(a);
      }
      for (const auto& z : alerts::zones_covering(cap_areas_of(b.areas), zones)) to.push_back(z);
    } else {
      to = source.zones;
    }
    if (!source.zones.empty()) {
      std::erase_if(to, [&](const std::string& z) {
        return std::find(source.zones.begin(), source.zones.end(), z) == source.zones.end();
      });
    }
    federation::IRelayApplier::Applied applied;
    if (!b.areas.empty() && to.empty()) {
      applied.outcome = "rejected";
      applied.detail = "no zone here for its area";
    } else {
      for (const auto& z : to) relay.add_zones(z);
      if (!b.audio_url.empty()) {
        try {
          const auto path = spool_dir_ + "/" + relay.relay_id() + ".audio";
          {
            std::ofstream out(path, std::ios::binary);
            out << fetch(b.audio_url, kMaxAudioBytes);
          }
          auto made = clips_.add(path, "feed " + source.name + ": " + (b.title.empty() ? b.id : b.title));
          std::filesystem::remove(path);
          if (auto* error = std::get_if<clips::TranscodeError>(&made)) throw std::runtime_error(error->message);
          relay.set_clip_sha256(std::get<store::ClipRecord>(made).sha256);
        } catch (const std::exception& e) {
          ++state.errors;
          kLog.warn("feed bulletin audio not fetched: feed={} bulletin={} error={}", source.name, b.id, e.what());
          continue;  // the next turn tries again
        }
      }
      applied = relays_.apply(relay);
    }
    store::UpstreamCommandRecord record{command_id,       relay.relay_id(), "bulletin",        applied.outcome,
                                        applied.detail,   applied.local_id, clock_.wall_ms()};
    stores_.federation.put_upstream_command(
        record, applied.inbox ? &*applied.inbox : nullptr,
        store::audit_entry(record.applied_ms, "feed:" + source.name, "feed.bulletin", b.id,
                           b.level + ": " + applied.outcome + " " + applied.local_id + " " + applied.detail));
    applied.outcome == "applied" ? ++state.taken : ++state.refused;
    kLog.info("feed bulletin: feed={} bulletin={} level={} outcome={} local={} detail={}", source.name, b.id, b.level,
              applied.outcome, applied.local_id, applied.detail);
  }
}

json FeedPoller::status() const {
  std::lock_guard lock(mutex_);
  json items = json::array();
  for (const auto& s : sources_) {
    const auto& st = states_.at(s.name);
    items.push_back({{"name", s.name},
                     {"kind", s.kind},
                     {"url", s.url},
                     {"every_ms", s.every.count()},
                     {"last_poll_ms", st.last_poll_ms},
                     {"last_error", st.last_error},
                     {"polls", st.polls},
                     {"errors", st.errors},
                     {"taken", st.taken},
                     {"refused", st.refused}});
  }
  return {{"items", items}};
}

}  // namespace loa::feeds
