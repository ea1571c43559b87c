// Who may do what through the API, on a real controller: a permission matrix of every
// role against the routes of each kind of work; every documented route answering as
// its declared access says; an audit log that shows tampering; hostile text stored and
// shown literally; password guessing throttled.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "loa/curve/key_pair.hpp"
#include "support/fleet.hpp"

namespace loa::test {
namespace {

using nlohmann::json;

const std::vector<std::string> kRoles{"admin", "operator", "emergency", "technician", "viewer"};

class Access : public ::testing::Test {
 protected:
  void SetUp() override {
    fleet.start_controller();
    for (const auto& role : kRoles) {
      ASSERT_EQ(fleet.api("POST", "/api/v1/users",
                          {{"name", "u-" + role}, {"password", role + "-password"}, {"roles", {role}}}).status, 201);
      cookies[role] = fleet.login("u-" + role, role + "-password");
      ASSERT_FALSE(cookies[role].empty()) << role;
    }
    // One approved station, for the command routes.
    ASSERT_EQ(fleet.api("POST", "/api/v1/stations", {{"id", "st-1"}, {"public_key", curve::generate().public_z85}}).status,
              201);
  }
  Fleet fleet;
  std::map<std::string, std::string> cookies;  // role -> session cookie ("" = nobody)
};

struct Case {
  std::string method;
  std::string path;
  std::string body;
  std::vector<std::string> allowed;  // roles allowed besides admin; {"*"} = every role
};

TEST_F(Access, EachRoleIsAllowedItsWorkAndDeniedTheRest) {
  const std::vector<Case> cases{
      {"GET", "/api/v1/stations", "", {"*"}},
      {"GET", "/api/v1/alerts", "", {"*"}},
      {"GET", "/api/v1/asrun", "", {"*"}},
      {"POST", "/api/v1/stations/st-1/approve", "", {}},  // an operator approving a station: 403
      {"POST", "/api/v1/stations", "{}", {}},
      {"DELETE", "/api/v1/stations/nope", "", {}},
      {"PUT", "/api/v1/zones/z1", "{}", {}},
      {"GET", "/api/v1/users", "", {}},
      {"GET", "/api/v1/audit", "", {}},
      {"POST", "/api/v1/alerts", R"({"tts": "x"})", {"emergency"}},  // a viewer pushing an alert: 403
      {"POST", "/api/v1/alerts/nope/cancel", "{}", {"emergency"}},
      {"POST", "/api/v1/cap", "<alert/>", {"emergency"}},
      {"POST", "/api/v1/broadcasts", "{}", {"operator"}},
      {"DELETE", "/api/v1/broadcasts/nope", "", {"operator"}},
      {"POST", "/api/v1/clips/tts", "{}", {"operator"}},
      {"POST", "/api/v1/streams", "{}", {"operator"}},
      {"POST", "/api/v1/stations/st-1/commands", R"({"type": "play", "clip_id": "nope"})", {"operator"}},
      {"POST", "/api/v1/stations/st-1/commands", R"({"type": "set_amplifier"})", {"technician"}},
      {"POST", "/api/v1/stations/st-1/commands", R"({"type": "silent_test"})", {"technician"}},
      {"POST", "/api/v1/stations/st-1/alarms/nope/ack", "{}", {"technician"}},
  };
  for (const auto& c : cases) {
    // Nobody signed in: 401.
    auto anonymous = fleet.api_session("", c.method, c.path, c.body);
    EXPECT_EQ(anonymous.status, 401) << c.method << " " << c.path;
    for (const auto& role : kRoles) {
      const bool allowed = role == "admin" || c.allowed == std::vector<std::string>{"*"} ||
                           std::find(c.allowed.begin(), c.allowed.end(), role) != c.allowed.end();
      auto r = fleet.api_session(cookies[role], c.method, c.path, c.body);
      if (allowed) {
        EXPECT_TRUE(r.status != 401 && r.status != 403 && r.status != 0)
            << role << " " << c.method << " " << c.path << " -> " << r.status << " " << r.body.dump();
      } else {
        EXPECT_EQ(r.status, 403) << role << " " << c.method << " " << c.path << " " << r.body.dump();
        EXPECT_EQ(r.body["error"]["code"], "forbidden");
      }
    }
  }
  // Every refusal is in the audit log, with who and from where.
  auto audit = fleet.api("GET", "/api/v1/audit?limit=1000").body["items"];
  int denied_viewer_alert = 0;
  for (const auto& e : audit) {
    if (e["action"] == "denied" && e["user"] == "u-viewer" && e["subject"] == "POST /api/v1/alerts") {
      ++denied_viewer_alert;
      EXPECT_EQ(e["address"], "127.0.0.1");
      EXPECT_EQ(e["result"], 403);
    }
  }
  EXPECT_EQ(denied_viewer_alert, 1);
}

TEST_F(Access, APersonScopedToAZoneCannotTouchAnother) {
  ASSERT_EQ(fleet.api("POST", "/api/v1/stations", {{"id", "st-2"}, {"public_key", curve::generate().public_z85}}).status,
            201);
  ASSERT_EQ(fleet.api("PUT", "/api/v1/zones/hue", {{"stations", {"st-1"}}}).status, 200);
  ASSERT_EQ(fleet.api("PUT", "/api/v1/zones/ha-tinh", {{"stations", {"st-2"}}}).status, 200);
  for (const auto& [name, role] : std::vector<std::pair<std::string, std::string>>{{"op-hue", "operator"},
                                                                                    {"em-hue", "emergency"}}) {
    ASSERT_EQ(fleet.api("POST", "/api/v1/users",
                        {{"name", name}, {"password", name + "-password"}, {"roles", {role}}, {"zones", {"hue"}}}).status,
              201);
  }
  const auto op = fleet.login("op-hue", "op-hue-password");
  const auto em = fleet.login("em-hue", "em-hue-password");
  // Inside their zone: allowed (the handler's own answer, not a refusal).
  auto r = fleet.api_session(op, "POST", "/api/v1/stations/st-1/commands", R"({"type": "play", "clip_id": "nope"})");
  EXPECT_EQ(r.status, 422) << r.body.dump();
  // Another district's station, zone, or everyone: refused.
  r = fleet.api_session(op, "POST", "/api/v1/stations/st-2/commands", R"({"type": "play", "clip_id": "nope"})");
  EXPECT_EQ(r.status, 403) << r.body.dump();
  EXPECT_EQ(r.body["error"]["code"], "out_of_scope");
  r = fleet.api_session(op, "POST", "/api/v1/broadcasts",
                        json{{"tts", "x"}, {"to", {"ha-tinh"}}, {"start", "2030-01-01T06:00:00"}}.dump());
  EXPECT_EQ(r.status, 403) << r.body.dump();
  r = fleet.api_session(em, "POST", "/api/v1/alerts", json{{"tts", "x"}, {"to", {"all"}}}.dump());
  EXPECT_EQ(r.status, 403) << r.body.dump();
  EXPECT_EQ(r.body["error"]["code"], "out_of_scope");
  r = fleet.api_session(em, "POST", "/api/v1/alerts", json{{"tts", "x"}, {"to", {"ha-tinh"}}}.dump());
  EXPECT_EQ(r.status, 403) << r.body.dump();
  // An alert drafted for the other district by someone else cannot be confirmed or cancelled from here.
  auto other = fleet.api("POST", "/api/v1/alerts", {{"tts", "x"}, {"to", {"ha-tinh"}}});
  ASSERT_EQ(other.status, 201) << other.body.dump();
  r = fleet.api_session(em, "POST", "/api/v1/alerts/" + other.body["id"].get<std::string>() + "/cancel", "{}");
  EXPECT_EQ(r.status, 403) << r.body.dump();
  // Their own district is theirs.
  r = fleet.api_session(em, "POST", "/api/v1/alerts", json{{"tts", "Lũ"}, {"to", {"hue"}}}.dump());
  EXPECT_EQ(r.status, 201) << r.body.dump();
}

// Path parameters that match each route's pattern but name nothing.
std::string concrete(std::string path) {
  path = std::regex_replace(path, std::regex(R"(\{clip_id\})"), std::string(64, '0'));
  return std::regex_replace(path, std::regex(R"(\{[a-z_]+\})"), "nope");
}

TEST_F(Access, EveryDocumentedRouteExistsAndAnswersAsItsAccessSays) {
  auto doc = fleet.api_session("", "GET", "/api/v1/openapi.json");
  ASSERT_EQ(doc.status, 200);
  ASSERT_EQ(doc.body["openapi"], "3.0.3");
  int operations = 0;
  for (const auto& [path, ops] : doc.body["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      std::string m = method;
      std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::toupper(c); });
      if (path == "/api/v1/logout") continue;  // would end the session the sweep uses
      ++operations;
      const std::string access = op["x-loa-access"];
      for (const auto& role : kRoles) {
        auto r = fleet.api_session(cookies[role], m, concrete(path), "{}");
        ASSERT_NE(r.status, 0) << m << " " << path;
        // The route exists: whatever the handler says, it is not the router's 404.
        if (r.body.is_object() && r.body.contains("error")) {
          EXPECT_NE(r.body["error"]["message"], "no such route") << m << " " << path;
        }
        const bool allowed = access == "open" || access == "signed_in" || access == "viewer" || role == "admin" ||
                             access == role;
        EXPECT_EQ(r.status == 403, !allowed) << role << " " << m << " " << path << " (" << access << ") -> " << r.status;
      }
      auto anonymous = fleet.api_session("", m, concrete(path), "{}");
      EXPECT_EQ(anonymous.status == 401, access != "open") << m << " " << path;
    }
  }
  EXPECT_GE(operations, 55);
  // And the server has no route the document does not list: every one is registered
  // through the route table, which is what the document is made from.
  for (const auto& entry : std::filesystem::directory_iterator(std::string(LOA_SOURCE_DIR) + "/controller/api/src")) {
    if (entry.path().filename() == "route_table.cpp") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_FALSE(std::regex_search(text.str(), std::regex(R"(http_?\.(Get|Post|Put|Delete|Patch|Options)\()")))
        << entry.path() << " registers a route outside the route table";
  }
}

TEST_F(Access, TheAuditLogIsAChainThatShowsTampering) {
  ASSERT_EQ(fleet.api("PUT", "/api/v1/zones/cam-binh", {{"name", "Cẩm Bình"}}).status, 200);
  ASSERT_EQ(fleet.api_session(cookies["viewer"], "DELETE", "/api/v1/zones/cam-binh").status, 403);
  auto check = fleet.api("GET", "/api/v1/audit/verify").body;
  EXPECT_EQ(check["intact"], true) << check.dump();
  EXPECT_GE(check["entries"].get<int>(), 8);  // users added, logins, the zone, the refusal
  // Someone edits an entry behind the controller's back.
  auto r = run_command("sqlite3 " + fleet.dir() + "/controller/controller.db \"UPDATE audit_log SET user = 'x' WHERE seq = 3\"");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  check = fleet.api("GET", "/api/v1/audit/verify").body;
  EXPECT_EQ(check["intact"], false) << check.dump();
  EXPECT_EQ(check["broken_at"], 3);
}

TEST_F(Access, HostileTextIsStoredAndShownLiterally) {
  const std::string sql = "Robert'); DROP TABLE stations;--";
  const std::string script = "<script>alert('x')</script> \" & ' <img src=x onerror=alert(1)>";
  auto key = curve::generate().public_z85;
  ASSERT_EQ(fleet.api("POST", "/api/v1/stations", {{"id", "st-2"}, {"public_key", key}, {"name", sql}, {"location", script}}).status,
            201);
  ASSERT_EQ(fleet.api("PUT", "/api/v1/zones/z-1", {{"name", script}, {"cap_areas", {sql}}}).status, 200);
  auto station = fleet.api("GET", "/api/v1/stations/st-2").body;
  EXPECT_EQ(station["name"], sql);
  EXPECT_EQ(station["location"], script);
  auto zone = fleet.api("GET", "/api/v1/zones/z-1").body;
  EXPECT_EQ(zone["name"], script);
  EXPECT_EQ(zone["cap_areas"], json({sql}));
  EXPECT_EQ(fleet.api("GET", "/api/v1/stations").body["total"], 2);  // the table is still there
  // The console is served as a page that does not interpret what the API returns.
  auto r = run_command("curl -s http://127.0.0.1:" + std::to_string(fleet.http_port()) + "/api/v1/stations/st-2 -H 'Authorization: Bearer " +
                       fleet.token() + "' -D -");
  EXPECT_NE(r.out.find("Content-Type: application/json"), std::string::npos) << r.out;
}

TEST_F(Access, GuessingPasswordsIsThrottled) {
  int throttled = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = fleet.api_session("", "POST", "/api/v1/login", json{{"user", "u-admin"}, {"password", "guess"}}.dump());
    if (r.status == 429) ++throttled;
    else EXPECT_EQ(r.status, 401);
  }
  EXPECT_GE(throttled, 15);
  // Even the right password waits out the throttle.
  EXPECT_TRUE(fleet.login("u-admin", "admin-password").empty());
  int failures_logged = 0;
  const auto audit = fleet.api("GET", "/api/v1/audit?limit=100").body;
  for (const auto& e : audit["items"]) {
    failures_logged += e["action"] == "login" && e["result"] == 401;
  }
  EXPECT_EQ(failures_logged, 5);
}

// HTTPS with a certificate: TLS 1.2 and 1.3 are served, 1.1 is not, plain HTTP is not,
// and the session cookie is Secure.
TEST(Https, OnlyTls12And13WithSecureCookies) {
  ScratchDir dir;
  const auto d = dir.path();
  auto cert = run_command("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + d + "/key.pem -out " + d +
                          "/cert.pem -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>&1");
  ASSERT_EQ(cert.exit_code, 0) << cert.out;
  const int http = free_port();
  write_file(d + "/controller.yaml",
             "data_dir: " + d + "/data\n"
             "control:\n"
             "  bind: tcp://127.0.0.1:" + std::to_string(free_port()) + "\n"
             "  enroll_bind: tcp://127.0.0.1:" + std::to_string(free_port()) + "\n"
             "  audio_bind: tcp://127.0.0.1:" + std::to_string(free_port()) + "\n"
             "live:\n"
             "  clock_port: " + std::to_string(free_port()) + "\n"
             "http:\n"
             "  port: " + std::to_string(http) + "\n"
             "  admin_password: test-password\n"
             "  tls_cert_file: " + d + "/cert.pem\n"
             "  tls_key_file: " + d + "/key.pem\n"
             "alerts:\n"
             "  standard_clips: false\n");
  ChildProcess controller({bin("loa-controller"), "--config", d + "/controller.yaml"}, d + "/controller.log");
  const std::string url = "https://127.0.0.1:" + std::to_string(http);
  ASSERT_TRUE(eventually([&] { return run_command("curl -sfk " + url + "/api/v1/health").exit_code == 0; },
                         std::chrono::seconds(20)))
      << read_file(d + "/controller.log");
  // Verified against the certificate, over TLS 1.3 and over TLS 1.2.
  EXPECT_EQ(run_command("curl -sf --cacert " + d + "/cert.pem --tlsv1.3 " + url + "/api/v1/health").exit_code, 0);
  EXPECT_EQ(run_command("curl -sf --cacert " + d + "/cert.pem --tlsv1.2 --tls-max 1.2 " + url + "/api/v1/health").exit_code,
            0);
  // TLS 1.1, from a client that would allow it: refused by the server.
  auto old = run_command("echo | openssl s_client -connect 127.0.0.1:" + std::to_string(http) +
                         " -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' 2>&1");
  EXPECT_NE(old.out.find("Cipher is (NONE)"), std::string::npos) << old.out;  // no session was made
  EXPECT_NE(old.exit_code, 0) << old.out;
  // Plain HTTP on the HTTPS port gets nothing.
  EXPECT_NE(run_command("curl -sf http://127.0.0.1:" + std::to_string(http) + "/api/v1/health").exit_code, 0);
  // The session cookie is Secure.
  auto login = run_command("curl -sk -D - -o /dev/null -H 'Content-Type: application/json' -d "
                           "'{\"user\":\"admin\",\"password\":\"test-password\"}' " + url + "/api/v1/login");
  EXPECT_NE(login.out.find("HttpOnly; SameSite=Strict; Secure"), std::string::npos) << login.out;
}

}  // namespace
}  // namespace loa::test
