// JSON bodies through the controller's real HTTP handlers: a whole controller runs in
// this process (SQLite store in a scratch folder, control link and API on loopback,
// ephemeral ports), and each input is one request with the API token. The first byte
// picks the route, the rest is the body. Every answer must be an answer: a status and
// a JSON error, never a crash, a hang or a 500.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include <httplib.h>

#include "in_process_controller.hpp"

namespace {

const std::string kToken = "fuzz-api-token-0123456789";

// Every route that takes a JSON body and answers at once. Left out: text read aloud and
// live streams (they render speech or open a source: seconds per input, tested on their
// own); CAP and iCalendar bodies have targets of their own (fuzz_cap, fuzz_icalendar);
// clip uploads are audio, decoded by GStreamer.
const std::pair<const char*, const char*> kRoutes[] = {
    {"POST", "/api/v1/alerts"},
    {"POST", "/api/v1/alerts/A-1/confirm"},
    {"POST", "/api/v1/alerts/A-1/update"},
    {"POST", "/api/v1/alerts/A-1/cancel"},
    {"POST", "/api/v1/alerts/A-1/all-clear"},
    {"POST", "/api/v1/broadcasts"},
    {"POST", "/api/v1/commands"},
    {"POST", "/api/v1/stations"},
    {"POST", "/api/v1/stations/st-1/commands"},
    {"POST", "/api/v1/stations/st-1/approve"},
    {"POST", "/api/v1/stations/st-1/reject"},
    {"POST", "/api/v1/stations/st-1/revoke"},
    {"POST", "/api/v1/stations/st-1/alarms/amp.hot/ack"},
    {"PUT", "/api/v1/stations/st-1/licence"},
    {"POST", "/api/v1/tokens"},
    {"POST", "/api/v1/users"},
    {"POST", "/api/v1/login"},
    {"POST", "/api/v1/logout"},
    {"POST", "/api/v1/zones"},
    {"PUT", "/api/v1/zones/z-1"},
    {"POST", "/api/v1/zones/z-1/stations"},
};

struct Api {
  loa::fuzz::InProcessController app{"api", kToken};
  std::unique_ptr<httplib::Client> client;

  Api() {
    client = std::make_unique<httplib::Client>("127.0.0.1", app.controller().http_port());
    client->set_bearer_token_auth(kToken.c_str());
    client->set_read_timeout(10, 0);
    // Something for the routes with ids to find.
    (void)client->Put("/api/v1/zones/z-1", R"({"name": "Zone"})", "application/json");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Api app;
  if (size == 0) return 0;
  const auto& [method, path] = kRoutes[data[0] % std::size(kRoutes)];
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto res = std::string(method) == "PUT" ? app.client->Put(path, body, "application/json")
                                          : app.client->Post(path, body, "application/json");
  if (!res) {
    std::fprintf(stderr, "no answer from %s %s (%s)\n", method, path, httplib::to_string(res.error()).c_str());
    std::abort();
  }
  if (res->status >= 500 && res->status != 503 && res->status != 507) {
    std::fprintf(stderr, "%s %s answered %d: %s\n", method, path, res->status, res->body.c_str());
    std::abort();
  }
  return 0;
}
