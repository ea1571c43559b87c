#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace loa::loactl {

// One station of an import list.
struct StationRow {
  int row = 0;  // counted from 1, the header and comment rows included
  std::string id, public_key, name, commune, location;
};

struct CsvProblem {
  int row = 0;
  std::string message;
};

struct StationCsv {
  std::vector<StationRow> rows;
  std::vector<CsvProblem> errors;  // rows that were not taken, and why
};

// Reads a station list: id,public_key[,name,commune,location] per row, as a spreadsheet
// saves it (RFC 4180: a quoted field may hold commas, quotes and line breaks, so a
// location "21.03,105.85" is one field). A first row starting with "id" is a header; rows
// starting with '#' are comments; a UTF-8 byte order mark is skipped. Text must be
// UTF-8: a row in another encoding (Windows-1258 from an old spreadsheet) is refused with
// its number rather than sent as mangled names.
[[nodiscard]] StationCsv parse_station_csv(std::string_view text);

}  // namespace loa::loactl
