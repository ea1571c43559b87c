// A CAP message as POST /api/v1/cap takes it: parsed and schema-checked, its times
// read, its signature looked for. Malformed input is a CapError, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cap_signature.hpp"
#include "loa/alerts/cap_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static loa::alerts::CapSignatureVerifier signatures({});
  const std::string xml(reinterpret_cast<const char*>(data), size);
  (void)signatures.verify(xml);
  try {
    const auto m = loa::alerts::parse_cap(xml);
    (void)loa::alerts::parse_cap_time(m.sent);
    for (const auto& info : m.infos) (void)loa::alerts::parse_cap_time(info.expires);
  } catch (const loa::alerts::CapError&) {
  }
  return 0;
}
