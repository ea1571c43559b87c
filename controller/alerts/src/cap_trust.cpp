#include "cap_trust.hpp"

#include <algorithm>

namespace loa::alerts {
namespace {

std::vector<CapSignatureVerifier::SourceKey> keys_of(const std::vector<CapSource>& sources) {
  std::vector<CapSignatureVerifier::SourceKey> keys;
  for (const auto& s : sources) {
    if (!s.signing_key_pem.empty()) keys.push_back({s.name, s.signing_key_pem});
  }
  return keys;
}

}  // namespace

CapTrust::CapTrust(const std::vector<CapSource>& sources) : sources_(sources), signatures_(keys_of(sources)) {}

const CapSource* CapTrust::find(const std::string& name) const {
  if (name.empty()) return nullptr;
  for (const auto& s : sources_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

CapTrust::Verdict CapTrust::judge(const std::string& xml, const std::string& sender, const users::Caller& caller) const {
  Verdict v;
  v.zones = caller.zones;
  const auto signature = signatures_.verify(xml);
  using Outcome = CapSignatureVerifier::Result::Outcome;
  const CapSource* source = nullptr;
  if (signature.outcome == Outcome::invalid) {
    // A signature that fails is a warning sign, not a missing credential: the token it
    // may have come with does not make it good.
    v.bad_signature = true;
    v.why_untrusted = signature.detail;
    return v;
  }
  source = signature.outcome == Outcome::verified ? find(signature.source) : find(caller.cap_source);
  if (!source) {
    v.why_untrusted = "it came without a CAP source's credential (its token or its signature)";
    return v;
  }
  if (std::find(source->senders.begin(), source->senders.end(), sender) == source->senders.end()) {
    v.why_untrusted = "source " + source->name + " may not speak for " + sender;
    return v;
  }
  v.source = source;
  // Relayed by a person who may act everywhere: the source's own reach. Otherwise the
  // caller's scope, as on every other route.
  if (v.zones.empty()) v.zones = source->zones;
  return v;
}

}  // namespace loa::alerts
