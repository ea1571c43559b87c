#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace loa::alerts {

// A CAP 1.2 (OASIS Common Alerting Protocol) message, as far as Loa uses it.
struct CapArea {
  std::string description;                                  // areaDesc
  std::vector<std::pair<std::string, std::string>> geocodes;  // valueName, value
};

struct CapInfo {
  std::string language = "en-US";  // RFC 3066; CAP's default
  std::string event;
  std::string urgency;    // Immediate, Expected, Future, Past, Unknown
  std::string severity;   // Extreme, Severe, Moderate, Minor, Unknown
  std::string certainty;  // Observed, Likely, Possible, Unlikely, Unknown
  std::string headline;
  std::string description;
  std::string instruction;
  std::string expires;    // as written; empty = not given
  std::vector<CapArea> areas;
};

struct CapReference {
  std::string sender;
  std::string identifier;
  std::string sent;
};

struct CapMessage {
  std::string identifier;
  std::string sender;
  std::string sent;
  std::string status;    // Actual, Exercise, System, Test, Draft
  std::string msg_type;  // Alert, Update, Cancel, Ack, Error
  std::string scope;
  std::string note;
  std::vector<CapReference> references;
  std::vector<CapInfo> infos;
};

// Why a message was refused, with where in the document the problem is.
class CapError : public std::runtime_error {
 public:
  CapError(const std::string& message, int line, std::string element)
      : std::runtime_error(message), line_(line), element_(std::move(element)) {}
  [[nodiscard]] int line() const { return line_; }
  [[nodiscard]] const std::string& element() const { return element_; }

 private:
  int line_;
  std::string element_;
};

// Parses and validates a CAP 1.2 document against the OASIS schema (libxml2). No
// network access, no DTDs, no external entities. Throws CapError for malformed XML, a
// wrong namespace or anything the schema refuses; Alert and Update messages must also
// carry at least one <info>.
[[nodiscard]] CapMessage parse_cap(std::string_view xml);

// "2026-11-23T10:15:00+07:00" -> ms since the epoch; nullopt if not a CAP date-time.
[[nodiscard]] std::optional<std::int64_t> parse_cap_time(const std::string& text);

}  // namespace loa::alerts
