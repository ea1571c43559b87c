#pragma once

// What the alert desk's files share (alert_desk.cpp, alert_delivery.cpp, alert_views.cpp,
// cap_intake.cpp, standard_clips.cpp): limits, names, and the orders an alert sends.
// Internal to loa_alerts.

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "loa/alerts/alert_desk.hpp"
#include "loa/alerts/alert_workflow.hpp"
#include "loa/alerts/cap_message.hpp"
#include "loa/digest/random.hpp"
#include "loa/log/log.hpp"
#include "loa/orders/station_orders.hpp"

namespace loa::alerts::desk {

namespace v1 = ::loa::v1;

inline const log::Logger kLog("alerts");

inline constexpr std::array kStatuses{"actual", "test", "exercise"};
inline constexpr std::array kSeverities{"extreme", "severe", "moderate", "minor", "unknown"};
inline constexpr std::array kTones{"siren", "chime"};
// Standard messages play within this long of a cancel or all-clear, or not at all.
inline constexpr std::int64_t kStandardMessageExpiryMs = 30 * 60 * 1000;
// An ended alert stays in memory this long after its expiry, for late reports.
inline constexpr std::int64_t kKeepEndedMs = 10 * 60 * 1000;
inline constexpr int kMaxRepeats = 10;
// Buckets of the issue -> first sound histogram, ms (the last is everything slower).
inline constexpr std::array<double, 9> kLatencyBucketsMs{50, 100, 150, 250, 500, 1000, 2500, 5000, 10000};

template <std::size_t N>
inline bool one_of(const std::string& value, const std::array<const char*, N>& allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return value == a; });
}

inline std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

inline std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Test and Exercise alerts carry it in their id, so every log and as-run entry says so.
inline std::string new_alert_id(const std::string& status) {
  const std::string prefix = status == "test" ? "TEST-" : status == "exercise" ? "EXERCISE-" : "A-";
  return prefix + digest::random_hex(4);
}

inline std::string broadcast_of(const store::AlertRecord& r) {
  return r.version <= 1 ? r.id : r.id + "-u" + std::to_string(r.version - 1);
}

inline std::string stream_of(const std::string& alert_id) { return "alert-" + alert_id; }

// What the workflow says of a stored state.
inline AlertState state_of(const std::string& stored) { return parse_alert_state(stored).value_or(AlertState::draft); }
inline bool is_on_air(const std::string& state) { return AlertWorkflow::on_air(state_of(state)); }
inline bool is_ended(const std::string& state) { return AlertWorkflow::ended(state_of(state)); }
// A delivery's state as views and tallies show it: sent to a station that is offline
// now is unreachable.
inline std::string shown_state(const std::string& state, bool online) {
  return state == "sent" && !online ? "unreachable" : state;
}

// A refused step as the desk reports it.
inline AlertError refused(Refusal why, const std::string& message) {
  switch (why) {
    case Refusal::count_mismatch: return AlertError(AlertProblem::count_mismatch, message);
    case Refusal::no_stations: return AlertError(AlertProblem::no_stations, message);
    case Refusal::expired: return AlertError(AlertProblem::expired, message);
    case Refusal::two_person_rule: return AlertError(AlertProblem::two_person_rule, message);
    case Refusal::wrong_state:
    case Refusal::none: break;
  }
  return AlertError(AlertProblem::wrong_state, message);
}

// The primary language subtag ("vi-VN" -> "vi"), which is also the espeak-ng voice.
inline std::string voice_of(const std::string& language) { return lower(language.substr(0, language.find('-'))); }

inline std::string string_at(const json& j, const char* key, const std::string& fallback = {}) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_string()) throw AlertError(AlertProblem::invalid, std::string(key) + " must be a string");
  return j[key].get<std::string>();
}

inline std::int64_t int_at(const json& j, const char* key, std::int64_t fallback) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_number_integer()) throw AlertError(AlertProblem::invalid, std::string(key) + " must be a whole number");
  return j[key].get<std::int64_t>();
}

// An alert's play: emergency priority, full volume, over once preempted (only another
// emergency can), and not at all after the alert's expiry.
inline v1::Command alert_play(const std::string& broadcast, orders::Sound sound, std::int64_t at_ms, std::int64_t expires_ms) {
  orders::PlayOrder order;
  order.sound = std::move(sound);
  order.priority = orders::Priority::emergency;
  order.volume = 1.0;
  order.start_at_ms = at_ms;
  order.broadcast_id = broadcast;
  order.expires_at_ms = expires_ms;
  return orders::play(order);
}

}  // namespace loa::alerts::desk
