#include "console_routes.hpp"

#include <array>
#include <fstream>
#include <sstream>
#include <string_view>

#include "http_helpers.hpp"
#include "web_assets.hpp"

namespace loa::api {
namespace {

// The files of the system's web libraries the console loads, and nothing else under
// their folder: a request names one of these or gets a 404.
struct LibraryFile {
  std::string_view path;  // under the libraries folder, as served under /vendor/
  std::string_view content_type;
  std::string_view package;  // what to install when it is missing
};
constexpr std::array kLibraryFiles{
    LibraryFile{"leaflet/leaflet.js", "text/javascript; charset=utf-8", "libjs-leaflet"},
    LibraryFile{"leaflet/leaflet.css", "text/css; charset=utf-8", "libjs-leaflet"},
    LibraryFile{"leaflet/images/layers.png", "image/png", "libjs-leaflet"},
    LibraryFile{"leaflet/images/layers-2x.png", "image/png", "libjs-leaflet"},
    LibraryFile{"leaflet/images/marker-icon.png", "image/png", "libjs-leaflet"},
    LibraryFile{"leaflet/images/marker-icon-2x.png", "image/png", "libjs-leaflet"},
    LibraryFile{"leaflet/images/marker-shadow.png", "image/png", "libjs-leaflet"},
    LibraryFile{"chart.js/chart.min.js", "text/javascript; charset=utf-8", "libjs-chart.js"},
};

void serve_console(const httplib::Request& req, httplib::Response& res) {
  const auto* asset = find_web_asset(req.path);
  if (asset == nullptr) return send_error(res, 404, "not_found", "no such file in the console");
  // Revalidated on every load, so a controller upgraded in place never serves a page
  // with the scripts of the version before.
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(std::string(asset->body), std::string(asset->content_type));
}

void serve_library(const std::string& folder, const httplib::Request& req, httplib::Response& res) {
  const std::string wanted = req.matches[1];
  for (const auto& file : kLibraryFiles) {
    if (file.path != wanted) continue;
    std::ifstream in(folder + "/" + wanted, std::ios::binary);
    std::ostringstream body;
    if (!in || !(body << in.rdbuf())) {
      return send_error(res, 404, "library_missing",
                        "the console's " + wanted + " is not installed (Debian package " + std::string(file.package) + ")");
    }
    // Changed only by a package upgrade: a day's cache keeps a slow link's page quick.
    res.set_header("Cache-Control", "max-age=86400");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(body.str(), std::string(file.content_type));
    return;
  }
  send_error(res, 404, "not_found", "no such library file: " + wanted);
}

}  // namespace

void install_console_routes(RouteTable& routes, const ConsoleSettings& console, const std::string& time_zone) {
  routes.get("/", Access::open, Reads::anywhere, "The web console", serve_console);
  routes.get("/console/([^/]+)", Access::open, Reads::anywhere, "The web console's style sheet and script modules",
             serve_console);
  routes.get("/vendor/(.+)", Access::open, Reads::anywhere,
             "The web libraries the console loads (Leaflet, Chart.js), from the system's packages",
             [folder = console.libraries_dir](const httplib::Request& req, httplib::Response& res) {
               serve_library(folder, req, res);
             });
  routes.get("/api/v1/console", Access::signed_in, Reads::anywhere,
             "What the console needs first: the time zone times are shown and taken in, the map's tiles",
             [console, time_zone](const httplib::Request&, httplib::Response& res) {
               json map{{"tiles", console.map_tiles_url.empty() ? json(nullptr) : json(console.map_tiles_url)},
                        {"attribution", console.map_attribution}};
               send_json(res, {{"time_zone", time_zone}, {"map", map}});
             });
}

}  // namespace loa::api
