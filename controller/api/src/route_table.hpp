#pragma once

#include <httplib.h>

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
  admin,       // stations' enrollment, zones, users, the audit log
};

[[nodiscard]] const char* to_string(Access a);
[[nodiscard]] bool allows(Access a, const users::Caller& caller);

// Who is asking (set by the API server for each request).
using CallerOf = std::function<users::Caller(const httplib::Request&)>;

// Every route of the API, registered here and only here: the one authorisation check
// (ApiServer's pre-routing gate) looks each request up in it, and the OpenAPI document
// is made from it, so neither can miss a route.
class RouteTable {
 public:
  struct Route {
    std::string method;
    std::string pattern;  // as cpp-httplib matches it (a regex)
    std::regex regex;
    Access access;
    std::string summary;
  };

  explicit RouteTable(httplib::Server& http) : http_(http) {}

  void get(const std::string& pattern, Access access, std::string summary, httplib::Server::Handler handler);
  void post(const std::string& pattern, Access access, std::string summary, httplib::Server::Handler handler);
  // A streamed body (clip uploads).
  void post(const std::string& pattern, Access access, std::string summary,
            httplib::Server::HandlerWithContentReader handler);
  void put(const std::string& pattern, Access access, std::string summary, httplib::Server::Handler handler);
  void del(const std::string& pattern, Access access, std::string summary, httplib::Server::Handler handler);

  // The route a request is for, or null when there is none.
  [[nodiscard]] const Route* match(const std::string& method, const std::string& path) const;
  [[nodiscard]] const std::vector<Route>& routes() const { return routes_; }

  // An OpenAPI 3.0 description of every route.
  [[nodiscard]] nlohmann::json openapi(const std::string& version) const;

 private:
  void add(const std::string& method, const std::string& pattern, Access access, std::string summary);

  httplib::Server& http_;
  std::vector<Route> routes_;
};

}  // namespace loa::api
