// CAP ingest: a CAP 1.2 message mapped onto the desk's workflow (a new alert, an update
// or a cancel), with its source's trust checked first.
#include "loa/alerts/alert_desk.hpp"
#include "loa/alerts/cap_mapping.hpp"

#include <sodium.h>

#include "cap_trust.hpp"
#include "desk_support.hpp"
#include "loa/alerts/cap_message.hpp"
#include "loa/digest/sha256.hpp"

namespace loa::alerts {

using namespace desk;

// CAP ingest: one message becomes a new alert (issued at once or a draft, by source),
// replaces one (Update) or stops one (Cancel).
json AlertDesk::ingest_cap(const std::string& xml, const users::Caller& caller) {
  try {
    return ingest_cap_checked(xml, caller);
  } catch (const AlertError& e) {
    // Counted: refusals of the message. A caller without the right is not a bad message.
    const auto p = e.problem();
    if (p != AlertProblem::forbidden && p != AlertProblem::out_of_scope && p != AlertProblem::two_person_rule) {
      std::lock_guard lock(mutex_);
      ++counters_["cap_refused"];
    }
    throw;
  }
}

json AlertDesk::ingest_cap_checked(const std::string& xml, const users::Caller& caller) {
  require_emergency(caller);
  CapMessage m;
  try {
    m = parse_cap(xml);
  } catch (const CapError& e) {
    kLog.warn("cap refused: line={} element={} error={}", e.line(), e.element(), e.what());
    std::string where = e.line() ? "line " + std::to_string(e.line()) : "";
    if (!e.element().empty()) where += (where.empty() ? "" : ", ") + std::string("element <") + e.element() + ">";
    throw AlertError(AlertProblem::bad_cap, (where.empty() ? "" : where + ": ") + e.what());
  }
  // Trusted only on the word of a source that proved itself (its token or its
  // signature) and may speak for this <sender>: the <sender> element alone is text
  // anyone can write. Untrusted messages live in a namespace of their own, so that one
  // cannot claim a real message's identifier first, nor cancel or update what a real
  // source sent.
  const auto verdict = cap_trust_->judge(xml, m.sender, caller);
  const CapSource* trusted_source = verdict.source;
  std::string why_draft = verdict.why_untrusted;
  if (verdict.bad_signature) {
    std::lock_guard lock(mutex_);
    ++counters_["cap_bad_signature"];
    kLog.warn("cap signature refused: identifier={} sender={} reason={} by={}", m.identifier, m.sender, why_draft,
              caller.name);
  }
  const std::string seen_as = trusted_source ? m.sender : "unverified:" + m.sender;
  const std::string source = "cap:" + m.sender;
  // Acts for the message with the caller's scope: a commune's user cannot reach past
  // their commune through CAP any more than through the alert form.
  users::Caller cap_caller{source, {"emergency"}, verdict.zones, true, trusted_source ? trusted_source->name : ""};
  if (const auto seen = stores_.alerts.alert_of_cap(seen_as, m.identifier)) {
    {
      std::lock_guard lock(mutex_);
      ++counters_["cap_duplicate"];
    }
    return {{"result", "duplicate"}, {"identifier", m.identifier}, {"alert_id", *seen}};
  }
  auto done = [&](const std::string& result, const std::string& alert_id, const std::string& detail) {
    {
      std::lock_guard lock(mutex_);
      ++counters_["cap_" + result];
    }
    (void)stores_.alerts.record_cap_message(seen_as, m.identifier, alert_id, clock_.wall_ms());
    stores_.audit.add_audit(store::audit_entry(clock_.wall_ms(), caller.name, "cap." + lower(m.msg_type), alert_id.empty() ? m.identifier : alert_id,
                      m.sender + " " + m.identifier + ": " + result + (detail.empty() ? "" : " (" + detail + ")")));
    json out = {{"result", result}, {"identifier", m.identifier}, {"sender", m.sender}};
    if (!alert_id.empty()) out["alert"] = view(alert_id);
    if (!detail.empty()) out["detail"] = detail;
    return out;
  };
  if (m.status == "System" || m.status == "Draft") return done("ignored", "", m.status + " messages are not broadcast");
  if (m.msg_type == "Ack" || m.msg_type == "Error") return done("ignored", "", m.msg_type + " messages are not broadcast");
  const std::string status = m.status == "Actual" ? "actual" : m.status == "Test" ? "test" : "exercise";
  // The alerts this message refers to.
  std::vector<std::string> referenced;
  for (const auto& ref : m.references) {
    const auto ref_as = trusted_source ? ref.sender : "unverified:" + ref.sender;
    if (auto id = stores_.alerts.alert_of_cap(ref_as, ref.identifier); id && !id->empty()) referenced.push_back(*id);
  }
  if (m.msg_type == "Cancel") {
    if (referenced.empty()) return done("ignored", "", "it refers to no alert received here");
    for (const auto& id : referenced) {
      auto r = stores_.alerts.find_alert(id);
      if (r && !is_ended(r->state)) (void)cancel(id, "CAP cancel " + m.identifier, false, cap_caller);
    }
    return done("cancelled", referenced.front(), "");
  }
  // Alert or Update: the definition the message makes.
  const json body = alert_definition_of(m, status, settings_.languages, stores_.stations.list_zones(), clock_.wall_ms());
  const bool at_once = trusted_source && trusted_source->issue_at_once;
  if (trusted_source && !at_once) why_draft = "source " + trusted_source->name + "'s messages wait for a person";
  if (m.msg_type == "Update" && !referenced.empty()) {
    auto r = stores_.alerts.find_alert(referenced.front());
    if (r && json::parse(r->definition)["status"] != status) {
      throw AlertError(AlertProblem::status_fixed, "the update's status " + m.status + " differs from the alert it updates");
    }
    if (r && is_on_air(r->state) && at_once) {
      (void)update(r->id, body, cap_caller);
      return done("updated", r->id, "");
    }
    if (r && state_of(r->state) == AlertState::draft) {
      (void)cancel(r->id, "replaced by CAP update " + m.identifier, false, cap_caller);
    }
  }
  auto created = create(body, cap_caller);
  const std::string id = created["id"];
  if (at_once) {
    (void)issue_draft_at_once(id, source, "CAP source issues at once");
    return done("issued", id, "");
  }
  kLog.info("cap draft: identifier={} sender={} reason={}", m.identifier, m.sender, why_draft);
  return done("draft", id, "waits for a person to confirm: " + why_draft);
}

std::optional<users::Caller> AlertDesk::cap_source_named(const std::string& name) const {
  for (const auto& s : settings_.cap_sources) {
    if (s.name == name) return users::Caller{"cap-source:" + s.name, {"emergency"}, s.zones, true, s.name};
  }
  return std::nullopt;
}

std::optional<users::Caller> AlertDesk::cap_source_caller(const std::string& secret) const {
  const auto hash = digest::sha256_hex(secret);
  for (const auto& s : settings_.cap_sources) {
    if (s.token_sha256.empty()) continue;  // a source that signs, with no token
    // Both are hex digests of one length: compared in constant time all the same.
    if (hash.size() == s.token_sha256.size() &&
        sodium_memcmp(hash.data(), s.token_sha256.data(), hash.size()) == 0) {
      return users::Caller{"cap-source:" + s.name, {"emergency"}, s.zones, true, s.name};
    }
  }
  return std::nullopt;
}

}  // namespace loa::alerts
