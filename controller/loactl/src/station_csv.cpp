#include "loa/loactl/station_csv.hpp"

#include <csv.h>

#include <memory>

namespace loa::loactl {
namespace {

// Owns libcsv's parser state.
class CsvParser {
 public:
  CsvParser() { ok_ = csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI) == 0; }
  CsvParser(const CsvParser&) = delete;
  CsvParser& operator=(const CsvParser&) = delete;
  ~CsvParser() { csv_free(&parser_); }
  [[nodiscard]] bool ok() const { return ok_; }
  csv_parser* get() { return &parser_; }

 private:
  csv_parser parser_{};
  bool ok_ = false;
};

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    if (n == 2 && c < 0xC2) return false;  // overlong
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    if (n == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return false;  // overlong, surrogates
    }
    if (n == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90)) return false;
    }
    i += n;
  }
  return true;
}

struct Reader {
  StationCsv out;
  std::vector<std::string> fields;
  int row = 0;

  void end_row() {
    ++row;
    auto f = std::move(fields);
    fields.clear();
    if (f.empty() || (f.size() == 1 && f[0].empty())) return;  // a blank line
    if (!f[0].empty() && f[0][0] == '#') return;
    if (row == 1 && f[0] == "id") return;
    for (const auto& field : f) {
      if (!valid_utf8(field)) {
        out.errors.push_back({row, "not UTF-8 text (save the list as CSV UTF-8)"});
        return;
      }
    }
    if (f.size() > 5) {
      out.errors.push_back({row, std::to_string(f.size()) +
                                     " fields; a row is id,public_key[,name,commune,location] (quote a field that "
                                     "holds a comma)"});
      return;
    }
    f.resize(5);
    out.rows.push_back({row, f[0], f[1], f[2], f[3], f[4]});
  }

  static void on_field(void* data, std::size_t size, void* self) {
    static_cast<Reader*>(self)->fields.emplace_back(static_cast<const char*>(data), size);
  }
  static void on_row(int, void* self) { static_cast<Reader*>(self)->end_row(); }
};

}  // namespace

StationCsv parse_station_csv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  Reader reader;
  CsvParser parser;
  if (!parser.ok()) {
    reader.out.errors.push_back({0, "cannot start the CSV reader"});
    return reader.out;
  }
  const bool parsed = csv_parse(parser.get(), text.data(), text.size(), &Reader::on_field, &Reader::on_row, &reader) ==
                      text.size();
  const bool finished = parsed && csv_fini(parser.get(), &Reader::on_field, &Reader::on_row, &reader) == 0;
  if (!finished) {
    reader.out.errors.push_back({reader.row + 1, std::string(csv_strerror(csv_error(parser.get()))) +
                                                     " (a quote left open, or a quote inside an unquoted field); "
                                                     "nothing after it was read"});
  }
  return reader.out;
}

}  // namespace loa::loactl
