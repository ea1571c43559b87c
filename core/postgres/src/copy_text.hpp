#pragma once

#include <string>
#include <vector>

#include "loa/sql/row_batch.hpp"

namespace loa::postgres {

// Appends one row in COPY's text format: tab-separated, newline-ended, \N for null,
// backslash, tab, newline and carriage return escaped, and a blob as bytea's hex input
// (\x…, its backslash escaped in turn).
inline void append_copy_row(std::string& out, const std::vector<sql::Cell>& row) {
  static constexpr char kHex[] = "0123456789abcdef";
  bool first = true;
  for (const auto& cell : row) {
    if (!first) out += '\t';
    first = false;
    switch (cell.kind) {
      case sql::Cell::Kind::null: out += "\\N"; break;
      case sql::Cell::Kind::integer: out += std::to_string(cell.integer); break;
      case sql::Cell::Kind::text:
        for (const char c : cell.bytes) {
          switch (c) {
            case '\\': out += "\\\\"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            default: out += c;
          }
        }
        break;
      case sql::Cell::Kind::blob:
        out += "\\\\x";
        for (const char c : cell.bytes) {
          const auto b = static_cast<unsigned char>(c);
          out += kHex[b >> 4];
          out += kHex[b & 15];
        }
        break;
    }
  }
  out += '\n';
}

}  // namespace loa::postgres
