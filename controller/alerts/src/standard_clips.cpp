// The desk's standard clips: attention tones and standard messages, made once and kept
// on every approved station (pinned), so the fastest alert needs only a Play.
#include "loa/alerts/alert_desk.hpp"

#include <sodium.h>

#include "attention_tones.hpp"
#include "desk_support.hpp"

namespace loa::alerts {

using namespace desk;

// Attention tones and standard messages are made once and found by name afterwards.
void AlertDesk::prepare_standard_clips() {
  std::map<std::string, std::string> found;
  std::map<std::string, std::string> wanted;  // clip name -> our short name
  for (const char* tone : kTones) wanted["loa:tone:" + std::string(tone)] = tone;
  auto text_name = [](const std::string& kind, const std::string& lang, const std::string& text) {
    unsigned char h[8];
    crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
    return "loa:" + kind + ":" + lang + ":" + std::to_string(h[0] << 8 | h[1]);
  };
  for (const auto& [lang, text] : settings_.all_clear_text) wanted[text_name("all_clear", lang, text)] = "all_clear:" + lang;
  for (const auto& [lang, text] : settings_.correction_text) wanted[text_name("correction", lang, text)] = "correction:" + lang;
  for (const auto& clip : stores_.clips.list_clips()) {
    if (auto it = wanted.find(clip.name); it != wanted.end()) found[it->second] = clip.sha256;
  }
  for (const auto& [clip_name, name] : wanted) {
    beat_.beat();
    if (found.count(name)) continue;
    std::variant<store::ClipRecord, clips::TranscodeError> made;
    if (name.find(':') == std::string::npos) {
      const auto wav = (std::filesystem::temp_directory_path() / ("loa-tone-" + digest::random_hex(6) + ".wav")).string();
      if (!write_attention_tone(name, wav)) throw std::runtime_error("cannot write " + wav);
      made = clips_.add(wav, clip_name);
      std::filesystem::remove(wav);
    } else {
      const auto lang = name.substr(name.find(':') + 1);
      const auto& texts = name.rfind("all_clear", 0) == 0 ? settings_.all_clear_text : settings_.correction_text;
      made = clips_.add_speech(texts.at(lang), lang, clip_name);
    }
    if (auto* error = std::get_if<clips::TranscodeError>(&made)) {
      kLog.error("standard clip failed: name={} error={}", name, error->message);
      continue;
    }
    found[name] = std::get<store::ClipRecord>(made).sha256;
  }
  std::lock_guard lock(mutex_);
  standard_ = found;
  standard_ready_ = true;
  kLog.info("standard clips ready: count={}", standard_.size());
}

bool AlertDesk::pinned(const std::string& station, const std::string& clip) const {
  std::lock_guard lock(mutex_);
  return pinned_.count({station, clip}) != 0;
}

std::map<std::string, std::string> AlertDesk::standard_clips() const {
  std::lock_guard lock(mutex_);
  return standard_;
}

// Every approved station keeps every standard clip, so the fastest alert needs only a
// Play. A station approved later gets them at the next round.
void AlertDesk::pin_standard_clips() {
  std::map<std::string, std::string> standard;
  {
    std::lock_guard lock(mutex_);
    if (!standard_ready_) return;
    standard = standard_;
  }
  std::vector<store::ClipRecord> clips;
  for (const auto& [name, sha] : standard) {
    if (auto clip = stores_.clips.find_clip(sha)) clips.push_back(std::move(*clip));
  }
  std::vector<server::CommandDispatcher::Outgoing> out;
  std::vector<std::pair<std::string, std::string>> pins;
  for (const auto& station : stores_.stations.sounding_station_ids()) {
    for (const auto& clip : clips) {
      if (pinned(station, clip.sha256)) continue;
      out.push_back({station, orders::cache(clip.sha256, clip.bytes, true)});
      pins.emplace_back(station, clip.sha256);
    }
  }
  if (out.empty()) return;
  auto records = commands_.prepare(out);
  stores_.alerts.add_pins(records, pins);
  commands_.queue(records);
  {
    std::lock_guard lock(mutex_);
    for (auto& p : pins) pinned_.insert(std::move(p));
  }
  kLog.info("standard clips sent: commands={}", records.size());
}

}  // namespace loa::alerts
