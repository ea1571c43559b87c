#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace loa::alerts {

// Checks the enveloped XML Signature of a CAP message (as Canada's NAADS feed signs
// them) against the public keys the controller was given for its CAP sources. Only a
// signature that covers the whole <alert> counts: one reference, URI "", enveloped and
// canonicalisation transforms only, the <Signature> a child of <alert>. A key named in
// the message itself (its KeyInfo) is never trusted: the key is the one configured.
// Thread-safe: verify() only reads the keys.
class CapSignatureVerifier {
 public:
  struct SourceKey {
    std::string source;  // the CAP source's name
    std::string pem;     // its public key or X.509 certificate, PEM
  };
  // Throws CapKeyError naming the source whose key does not load.
  explicit CapSignatureVerifier(const std::vector<SourceKey>& keys);
  ~CapSignatureVerifier();
  CapSignatureVerifier(const CapSignatureVerifier&) = delete;
  CapSignatureVerifier& operator=(const CapSignatureVerifier&) = delete;

  struct Result {
    enum class Outcome { unsigned_message, verified, invalid } outcome = Outcome::unsigned_message;
    std::string source;  // verified: whose key it was
    std::string detail;  // invalid: why
  };
  [[nodiscard]] Result verify(const std::string& xml) const;

 private:
  struct Keys;
  std::unique_ptr<Keys> keys_;
};

class CapKeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace loa::alerts
