#pragma once

#include <string>

namespace loa::api {

// The web console's map and the system's web libraries it loads (the controller's
// `console:` configuration section).
struct ConsoleSettings {
  std::string libraries_dir = "/usr/share/javascript";  // Debian's libjs-leaflet, libjs-chart.js
  std::string map_tiles_url;    // "https://tile.example/{z}/{x}/{y}.png"; "" = a plain background
  std::string map_attribution;  // shown on the map, as the tile source asks
};

}  // namespace loa::api
