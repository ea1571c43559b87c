#include "route_table.hpp"

#include <sstream>

namespace loa::api {
namespace {

// "/api/v1/stations/([^/]+)/alarms/([^/]+)/ack" -> "/api/v1/stations/{station_id}/alarms/{alarm_id}/ack",
// naming each parameter after the segment before it; a group of literal alternatives
// ("(approve|reject|revoke)") becomes one path per alternative.
struct OpenApiPath {
  std::string path;
  std::vector<std::string> names;
};

std::vector<OpenApiPath> openapi_paths(const std::string& pattern) {
  std::vector<OpenApiPath> out{{}};
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern[i] != '(') {
      for (auto& p : out) p.path += pattern[i];
      ++i;
      continue;
    }
    std::size_t j = pattern.find(')', i);
    const std::string group = pattern.substr(i + 1, j - i - 1);
    i = j + 1;
    if (group.find('|') != std::string::npos) {
      std::vector<OpenApiPath> expanded;
      std::stringstream alternatives(group);
      for (std::string alt; std::getline(alternatives, alt, '|');) {
        for (auto p : out) {
          p.path += alt;
          expanded.push_back(std::move(p));
        }
      }
      out = std::move(expanded);
      continue;
    }
    for (auto& p : out) {
      // The segment before: "stations/" -> "station_id", "alarms/" -> "alarm_id".
      const auto end = p.path.size() - 1;
      const auto start = p.path.rfind('/', end - 1);
      std::string name = p.path.substr(start + 1, end - start - 1);
      if (!name.empty() && name.back() == 's') name.pop_back();
      name += "_id";
      p.names.push_back(name);
      p.path += "{" + name + "}";
    }
  }
  return out;
}

}  // namespace

const char* to_string(Access a) {
  switch (a) {
    case Access::open: return "open";
    case Access::signed_in: return "signed_in";
    case Access::viewer: return "viewer";
    case Access::operator_: return "operator";
    case Access::emergency: return "emergency";
    case Access::technician: return "technician";
    case Access::approver: return "approver";
    case Access::admin: return "admin";
  }
  return "admin";
}

const char* to_string(Reads r) {
  switch (r) {
    case Reads::whole_tree: return "whole_tree";
    case Reads::anywhere: return "anywhere";
    case Reads::station_in_path: return "station_in_path";
    case Reads::zone_in_path: return "zone_in_path";
    case Reads::filtered: return "filtered";
  }
  return "whole_tree";
}

bool allows(Access a, const users::Caller& caller) {
  if (a == Access::open) return true;
  if (caller.name.empty()) return false;
  switch (a) {
    case Access::signed_in: return true;
    case Access::viewer: return !caller.roles.empty();
    case Access::operator_: return caller.has_role("operator");
    case Access::emergency: return caller.has_role("emergency");
    case Access::technician: return caller.has_role("technician");
    case Access::approver: return caller.has_role("approver");
    default: return caller.has_role("admin");
  }
}

RouteTable::Route& RouteTable::add(const std::string& method, const std::string& pattern, Access access,
                                   std::string summary) {
  routes_.push_back({method, pattern, std::regex(pattern), access, Reads::whole_tree, std::move(summary), nullptr, nullptr});
  return routes_.back();
}

void RouteTable::get(const std::string& pattern, Access access, std::string summary, Handler handler) {
  add("GET", pattern, access, std::move(summary)).handler = std::move(handler);
}

void RouteTable::get(const std::string& pattern, Access access, Reads reads, std::string summary, Handler handler) {
  auto& route = add("GET", pattern, access, std::move(summary));
  route.reads = reads;
  route.handler = std::move(handler);
}

void RouteTable::post(const std::string& pattern, Access access, std::string summary, Handler handler) {
  add("POST", pattern, access, std::move(summary)).handler = std::move(handler);
}

void RouteTable::post(const std::string& pattern, Access access, std::string summary, UploadHandler handler) {
  add("POST", pattern, access, std::move(summary)).upload_handler = std::move(handler);
}

void RouteTable::put(const std::string& pattern, Access access, std::string summary, Handler handler) {
  add("PUT", pattern, access, std::move(summary)).handler = std::move(handler);
}

void RouteTable::del(const std::string& pattern, Access access, std::string summary, Handler handler) {
  add("DELETE", pattern, access, std::move(summary)).handler = std::move(handler);
}

bool RouteTable::dispatch(httplib::Request& req, httplib::Response& res, const std::string& body_file) const {
  // One pass: the match that finds the route fills req.matches.
  const auto* route = find(req.method, req.path, req.matches);
  if (route == nullptr) return false;
  if (route->upload_handler) {
    route->upload_handler(req, res, body_file);
  } else {
    route->handler(req, res);
  }
  return true;
}

const RouteTable::Route* RouteTable::match(const std::string& method, const std::string& path) const {
  std::smatch unused;
  return find(method, path, unused);
}

const RouteTable::Route* RouteTable::match(const std::string& method, const std::string& path,
                                           std::smatch& groups) const {
  return find(method, path, groups);
}

const RouteTable::Route* RouteTable::find(const std::string& method, const std::string& path, std::smatch& groups) const {
  // HEAD is answered by the GET route, as cpp-httplib does.
  const std::string wanted = method == "HEAD" ? "GET" : method;
  for (const auto& r : routes_) {
    if (r.method == wanted && std::regex_match(path, groups, r.regex)) return &r;
  }
  return nullptr;
}

nlohmann::json RouteTable::openapi(const std::string& version) const {
  using nlohmann::json;
  json paths = json::object();
  for (const auto& r : routes_) {
    for (const auto& [path, names] : openapi_paths(r.pattern)) {
      json op = {{"summary", r.summary},
                 {"x-loa-access", to_string(r.access)},
                 {"responses",
                  {{"200", {{"description", "done"}}},
                   {"default", {{"description", "an error: {\"error\": {\"code\", \"message\"}}"}}}}}};
      if (r.method == "GET") op["x-loa-reads"] = to_string(r.reads);
      if (r.access != Access::open) op["security"] = json::array({{{"bearer", json::array()}}, {{"session", json::array()}}});
      json parameters = json::array();
      for (const auto& n : names) {
        parameters.push_back({{"name", n}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
      }
      if (!parameters.empty()) op["parameters"] = parameters;
      std::string method = r.method;
      std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::tolower(c); });
      paths[path][method] = op;
    }
  }
  return {{"openapi", "3.0.3"},
          {"info", {{"title", "Loa controller API"}, {"version", version}}},
          {"paths", paths},
          {"components",
           {{"securitySchemes",
             {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
              {"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "loa_session"}}}}}}}};
}

}  // namespace loa::api
