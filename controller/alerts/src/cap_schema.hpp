#pragma once

namespace loa::alerts {

// The CAP 1.2 XML schema (src/cap-1.2.xsd).
extern const char* const kCapSchema;

}  // namespace loa::alerts
