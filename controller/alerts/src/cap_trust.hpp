#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cap_signature.hpp"
#include "loa/alerts/alert_desk.hpp"

namespace loa::alerts {

// Decides on whose word a CAP message stands. A message is trusted when it proves a
// configured source sent it (the source's token on the request, or the source's XML
// Signature over the whole message) and its <sender> is one that source may speak for.
// Anything else is a draft for a person, with the reason why.
class CapTrust {
 public:
  // Throws CapKeyError when a source's signing key does not load.
  explicit CapTrust(const std::vector<CapSource>& sources);

  struct Verdict {
    const CapSource* source = nullptr;  // null: untrusted
    std::string why_untrusted;          // for the draft's detail
    bool bad_signature = false;         // signed, and the signature did not verify
    std::vector<std::string> zones;     // the scope the message acts in
  };
  // `caller` is who posted it: a source proven by its token, or a person.
  [[nodiscard]] Verdict judge(const std::string& xml, const std::string& sender, const users::Caller& caller) const;

  [[nodiscard]] const CapSource* find(const std::string& name) const;

 private:
  const std::vector<CapSource>& sources_;
  CapSignatureVerifier signatures_;
};

}  // namespace loa::alerts
