#pragma once

#include <httplib.h>

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loa/fleet/scope.hpp"
#include "loa/users/user_directory.hpp"

namespace loa::api {

// Who may call a route. Reading is open to every signed-in role; each kind of change
// belongs to the role whose work it is; admin may do everything.
enum class Access {
  open,        // no login (the console's page, health, login, the API description)
  signed_in,   // any signed-in caller, whatever their roles (logout, whoami)
  viewer,      // reading: every role
  operator_,   // broadcasts, clips, live streams, playing and stopping
  emergency,   // alerts and CAP
  technician,  // station health: amplifier, silent test, alarms
  approver,    // passing broadcasts for air in zones that need approval
  admin,       // stations' enrollment, zones, users, the audit log
};

// What a read shows of the zone tree, and so what a person scoped to part of it (a
// commune's user) may read there. Writes check their targets in their handlers.
enum class Reads {
  whole_tree,       // the whole province at once (metrics, counters, the audit log):
                    // refused to a scoped person. What a GET route is unless it says.
  anywhere,         // nothing tied to a place (the console, the clip library, whoami)
  station_in_path,  // one station, named by the path's first group: refused outside the scope
  zone_in_path,     // one zone, named the same way
  filtered,         // a list, or one item, that the handler cuts to the caller's scope
};

[[nodiscard]] const char* to_string(Access a);
[[nodiscard]] const char* to_string(Reads r);
[[nodiscard]] bool allows(Access a, const users::Caller& caller);

// A route's handler: with the body read whole (req.body), or, for an upload, with the
// file the front spooled it to as it arrived.
using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
using UploadHandler = std::function<void(const httplib::Request&, httplib::Response&, const std::string& body_file)>;

// Who is asking (set by the API server for each request).
using CallerOf = std::function<users::Caller(const httplib::Request&)>;
// What of the zone tree the caller may see (for Reads::filtered routes).
using ScopeOf = std::function<fleet::Scope(const httplib::Request&)>;

// Every route of the API, registered here and only here: the one authorisation check
// (ApiServer's gate) looks each request up in it, requests are dispatched from it, and
// the OpenAPI document is made from it, so none of them can miss a route.
class RouteTable {
 public:
  struct Route {
    std::string method;
    std::string pattern;  // a regex over the whole path; groups become req.matches
    std::regex regex;
    Access access;
    Reads reads = Reads::whole_tree;
    std::string summary;
    Handler handler;               // a body read whole ...
    UploadHandler upload_handler;  // ... or an upload, spooled to a file
  };

  void get(const std::string& pattern, Access access, std::string summary, Handler handler);
  void get(const std::string& pattern, Access access, Reads reads, std::string summary, Handler handler);
  void post(const std::string& pattern, Access access, std::string summary, Handler handler);
  // An upload (clip uploads): the body spooled to a file, up to the upload limit.
  void post(const std::string& pattern, Access access, std::string summary, UploadHandler handler);
  void put(const std::string& pattern, Access access, std::string summary, Handler handler);
  void del(const std::string& pattern, Access access, std::string summary, Handler handler);

  // The route a request is for, or null when there is none (HEAD finds GET's).
  [[nodiscard]] const Route* match(const std::string& method, const std::string& path) const;
  // The same, with the path's groups.
  [[nodiscard]] const Route* match(const std::string& method, const std::string& path, std::smatch& groups) const;
  // Runs the route's handler with req.matches set; false when no route matches.
  bool dispatch(httplib::Request& req, httplib::Response& res, const std::string& body_file) const;
  [[nodiscard]] const std::vector<Route>& routes() const { return routes_; }

  // An OpenAPI 3.0 description of every route.
  [[nodiscard]] nlohmann::json openapi(const std::string& version) const;

 private:
  Route& add(const std::string& method, const std::string& pattern, Access access, std::string summary);
  // The route for a request, its path's groups in `groups`.
  const Route* find(const std::string& method, const std::string& path, std::smatch& groups) const;

  std::vector<Route> routes_;
};

}  // namespace loa::api
