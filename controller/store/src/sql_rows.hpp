#pragma once

// Rows of the store's tables to records and back, shared by the sql_*.cpp files.

#include <string>
#include <vector>

#include "loa/digest/sha256.hpp"
#include "loa/sql/connection.hpp"
#include "loa/store/records.hpp"
#include "columns.hpp"

namespace loa::store::rows {

inline std::string join_lines(const std::vector<std::string>& items, char separator = '\n') {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

inline std::vector<std::string> split_lines(const std::string& text, char separator) {
  std::vector<std::string> out;
  for (std::size_t pos = 0; pos < text.size();) {
    auto end = text.find(separator, pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// The hash of an audit entry: SHA-256 over the previous entry's hash and every field,
// each length-prefixed so that no two different entries read alike.
inline std::string audit_hash(const std::string& previous, const AuditRecord& a) {
  std::string text;
  for (const std::string& field : {previous, std::to_string(a.seq), std::to_string(a.at_ms), a.user, a.action,
                                   a.subject, a.detail, a.address, std::to_string(a.result)}) {
    text += std::to_string(field.size()) + ":" + field + ";";
  }
  return digest::sha256_hex(text);
}

inline AuditRecord read_audit(const sql::Statement& s) {
  AuditRecord a;
  a.seq = s.column_int(0);
  a.at_ms = s.column_int(1);
  a.user = s.column_text(2);
  a.action = s.column_text(3);
  a.subject = s.column_text(4);
  a.detail = s.column_text(5);
  a.address = s.column_text(6);
  a.result = static_cast<int>(s.column_int(7));
  a.hash = s.column_text(8);
  return a;
}


inline AlertRecord read_alert(const sql::Statement& s) {
  AlertRecord a;
  a.id = s.column_text(0);
  a.state = s.column_text(1);
  a.version = s.column_int(2);
  a.definition = s.column_text(3);
  a.created_by = s.column_text(4);
  a.created_ms = s.column_int(5);
  a.confirmed_by = s.column_text(6);
  a.issued_ms = s.column_int(7);
  a.ended_by = s.column_text(8);
  a.ended_ms = s.column_int(9);
  a.expires_ms = s.column_int(10);
  return a;
}


inline StationRecord read_station(const sql::Statement& s) {
  StationRecord r;
  r.id = s.column_text(0);
  r.name = s.column_text(1);
  r.commune = s.column_text(2);
  r.location = s.column_text(3);
  r.public_key = s.column_text(4);
  r.enrollment = parse_enrollment(s.column_text(5)).value_or(Enrollment::pending);
  r.last_seen_ms = s.column_optional_int(6);
  r.last_address = s.column_text(7);
  r.software_version = s.column_text(8);
  r.created_ms = s.column_int(9);
  r.member = s.column_int(10) != 0;
  return r;
}


inline CommandRecord read_command(const sql::Statement& s) {
  CommandRecord r;
  r.id = s.column_text(0);
  r.station_id = s.column_text(1);
  r.kind = s.column_text(2);
  r.payload = s.column_blob(3);
  r.state = parse_command_state(s.column_text(4)).value_or(CommandState::pending);
  r.created_ms = s.column_int(5);
  r.attempts = s.column_int(6);
  r.last_sent_ms = s.column_optional_int(7);
  r.completed_ms = s.column_optional_int(8);
  r.result_detail = s.column_text(9);
  r.duplicate_results = s.column_int(10);
  r.result = s.column_blob(11);
  return r;
}


inline ClipRecord read_clip(const sql::Statement& s) {
  return {s.column_text(0), s.column_text(1),   s.column_int(2), s.column_int(3), s.column_double(4),
          s.column_double(5), s.column_text(6), s.column_int(7), s.column_text(8)};
}

// Columns: station_id, device_id, measured_ms, reading.
inline TelemetryRecord read_telemetry(const sql::Statement& s) {
  return {s.column_text(0), s.column_text(1), s.column_int(2), s.column_blob(3)};
}

}  // namespace loa::store::rows
