#pragma once

#include <string>

namespace loa::test {

// Signs a CAP message as a feed such as NAADS does: an enveloped XML Signature
// (RSA-SHA256, exclusive canonicalisation, one reference to the whole document) as the
// last child of <alert>. `sender_only` adds an XPath transform so that the signature
// covers the <sender> element alone: a signature that leaves the rest of the message
// open to change, for tests of what the controller must refuse.
[[nodiscard]] std::string sign_cap(const std::string& xml, const std::string& private_key_pem_file,
                                   bool sender_only = false);

// A fresh RSA key pair in `dir`: key.pem (private), public.pem, and cert.pem (a
// self-signed X.509 certificate of it). Returns `dir`.
std::string make_signing_key(const std::string& dir);

}  // namespace loa::test
