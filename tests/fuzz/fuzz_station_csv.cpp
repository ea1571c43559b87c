// Station lists for `loactl station import`: whatever the file holds, the reader gives
// rows or row-numbered errors, and every row it gives can be sent as JSON (nlohmann
// refuses to write text that is not UTF-8, so a row that slipped past the check would
// throw here).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "loa/loactl/station_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto list = loa::loactl::parse_station_csv(std::string_view(reinterpret_cast<const char*>(data), size));
  for (const auto& r : list.rows) {
    if (r.row <= 0) std::abort();
    nlohmann::json body{{"id", r.id}, {"public_key", r.public_key}, {"name", r.name}, {"commune", r.commune},
                        {"location", r.location}};
    (void)body.dump();
  }
  for (const auto& e : list.errors) {
    if (e.message.empty()) std::abort();
  }
  return 0;
}
