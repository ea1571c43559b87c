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

const std::vector<std::string> kRoles{"admin", "operator", "emergency", "technician", "viewer", "approver"};

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
      {"POST", "/api/v1/broadcasts/nope/approve", "{}", {"approver"}},  // an operator passing broadcasts: 403
      {"POST", "/api/v1/broadcasts/nope/return", "{}", {"approver"}},
      {"GET", "/api/v1/reports/plays", "", {"*"}},
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
  // Every refusal of a known caller is in the audit log, with who and from where.
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
  r = fleet.api_session(em, "POST", "/api/v1/alerts", json{{"tts", "x"}, {"status", "exercise"}, {"to", {"all"}}}.dump());
  EXPECT_EQ(r.status, 403) << r.body.dump();
  EXPECT_EQ(r.body["error"]["code"], "out_of_scope");
  r = fleet.api_session(em, "POST", "/api/v1/alerts", json{{"tts", "x"}, {"status", "exercise"}, {"to", {"ha-tinh"}}}.dump());
  EXPECT_EQ(r.status, 403) << r.body.dump();
  // An alert drafted for the other district by someone else cannot be confirmed or cancelled from here.
  auto other = fleet.api("POST", "/api/v1/alerts", {{"tts", "x"}, {"status", "exercise"}, {"to", {"ha-tinh"}}});
  ASSERT_EQ(other.status, 201) << other.body.dump();
  r = fleet.api_session(em, "POST", "/api/v1/alerts/" + other.body["id"].get<std::string>() + "/cancel", "{}");
  EXPECT_EQ(r.status, 403) << r.body.dump();
  // Their own district is theirs.
  r = fleet.api_session(em, "POST", "/api/v1/alerts", json{{"tts", "Lũ"}, {"status", "exercise"}, {"to", {"hue"}}}.dump());
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
  // And the server has no route the document does not list: the front dispatches only
  // through the route table, which is what the document is made from, and nothing in
  // the API's sources makes a server (or registers a route) of its own.
  for (const auto& entry : std::filesystem::directory_iterator(std::string(LOA_SOURCE_DIR) + "/controller/api/src")) {
    if (entry.path().stem() == "route_table") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_FALSE(std::regex_search(text.str(),
                                   std::regex(R"((http_?\.(Get|Post|Put|Delete|Patch|Options)\()|httplib::(SSL)?Server\b)")))
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

TEST_F(Access, APersonsOwnTokenActsAsThemUntilRevoked) {
  // The operator makes a token for a nightly script from the console session.
  auto made = fleet.api_session(cookies["operator"], "POST", "/api/v1/tokens", R"({"label": "nightly"})");
  ASSERT_EQ(made.status, 201) << made.body.dump();
  const std::string token = made.body["token"];
  ASSERT_EQ(token.rfind("loa_", 0), 0u) << token;
  const std::string id = made.body["id"];
  EXPECT_EQ(made.body["user"], "u-operator");
  EXPECT_FALSE(made.body["expires_ms"].is_null());  // a year, unless asked otherwise
  // It acts as the operator: operator work allowed, admin work refused.
  auto who = fleet.api_bearer(token, "GET", "/api/v1/whoami");
  ASSERT_EQ(who.status, 200);
  EXPECT_EQ(who.body["user"], "u-operator");
  EXPECT_EQ(who.body["roles"], json::array({"operator"}));
  auto play = fleet.api_bearer(token, "POST", "/api/v1/stations/st-1/commands", R"({"type": "play", "clip_id": "nope"})");
  EXPECT_TRUE(play.status != 401 && play.status != 403) << play.status;
  EXPECT_EQ(fleet.api_bearer(token, "POST", "/api/v1/stations/st-1/approve").status, 403);
  // Nobody else sees or revokes it, nor makes tokens in someone else's name; an admin does.
  EXPECT_EQ(fleet.api_session(cookies["viewer"], "GET", "/api/v1/tokens").body["items"].size(), 0u);
  EXPECT_EQ(fleet.api_session(cookies["viewer"], "DELETE", "/api/v1/tokens/" + id).status, 404);
  EXPECT_EQ(fleet.api_session(cookies["viewer"], "POST", "/api/v1/tokens", R"({"user": "u-operator"})").status, 403);
  auto listed = fleet.api("GET", "/api/v1/tokens").body["items"];
  ASSERT_EQ(listed.size(), 1u) << listed.dump();
  EXPECT_EQ(listed[0]["id"], id);
  EXPECT_EQ(listed[0]["label"], "nightly");
  EXPECT_FALSE(listed[0].contains("token"));  // the secret is shown once, when made
  // The store keeps only its hash.
  auto dump = run_command("sqlite3 " + fleet.dir() + "/controller/controller.db .dump");
  ASSERT_EQ(dump.exit_code, 0);
  EXPECT_EQ(dump.out.find(token.substr(4)), std::string::npos);
  // An admin makes one for a technician's script with loactl; removing the user ends it.
  auto tech = fleet.loactl("tokens add --for u-technician --label pole --expires-days 0 --json");
  ASSERT_EQ(tech.exit_code, 0) << tech.out;
  const auto tech_token = json::parse(tech.out)["token"].get<std::string>();
  EXPECT_EQ(fleet.api_bearer(tech_token, "GET", "/api/v1/whoami").body["user"], "u-technician");
  ASSERT_EQ(fleet.api("DELETE", "/api/v1/users/u-technician").status, 204);
  EXPECT_EQ(fleet.api_bearer(tech_token, "GET", "/api/v1/whoami").status, 401);
  // Revoked: refused at once, and both steps are in the audit log.
  EXPECT_EQ(fleet.api_session(cookies["operator"], "DELETE", "/api/v1/tokens/" + id).status, 204);
  EXPECT_EQ(fleet.api_bearer(token, "GET", "/api/v1/whoami").status, 401);
  EXPECT_EQ(fleet.api_bearer("loa_" + std::string(64, '0'), "GET", "/api/v1/stations").status, 401);
  int issued = 0, revoked = 0;
  const auto audit = fleet.api("GET", "/api/v1/audit?limit=1000").body;
  for (const auto& e : audit["items"]) {
    issued += e["action"] == "token.issue" && e["subject"] == id;
    revoked += e["action"] == "token.revoke" && e["subject"] == id && e["user"] == "u-operator";
  }
  EXPECT_EQ(issued, 1);
  EXPECT_EQ(revoked, 1);
}

TEST_F(Access, TheLiveFeedStreamsChangesAndGivesScriptsASnapshot) {
  const std::string base = "curl -sS -N -H 'Authorization: Bearer " + fleet.token() + "' http://127.0.0.1:" +
                           std::to_string(fleet.http_port()) + "/api/v1/events";
  // A script: the three events once, and the end.
  auto snapshot = run_command("timeout 10 " + base);
  ASSERT_EQ(snapshot.exit_code, 0) << snapshot.out;
  EXPECT_NE(snapshot.out.find("event: stations\ndata: [{\"id\":\"st-1\""), std::string::npos) << snapshot.out;
  EXPECT_NE(snapshot.out.find("event: alarms\ndata: []"), std::string::npos) << snapshot.out;
  EXPECT_NE(snapshot.out.find("event: now_playing\ndata: []"), std::string::npos) << snapshot.out;
  // A browser's stream: a station added while it is open arrives as a new event.
  const std::string out = fleet.dir() + "/feed.txt";
  auto stream = std::make_unique<ChildProcess>(
      std::vector<std::string>{"sh", "-c", "timeout 8 " + base + " -H 'Accept: text/event-stream' > " + out}, out + ".log");
  ASSERT_TRUE(eventually([&] { return read_file(out).find("event: now_playing") != std::string::npos; },
                         std::chrono::seconds(5)));
  ASSERT_EQ(fleet.api("POST", "/api/v1/stations", {{"id", "st-9"}, {"public_key", curve::generate().public_z85}}).status,
            201);
  EXPECT_TRUE(eventually([&] { return read_file(out).find("\"st-9\"") != std::string::npos; }, std::chrono::seconds(5)))
      << read_file(out);
  // Nobody signed in gets nothing.
  auto anonymous = run_command("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:" +
                               std::to_string(fleet.http_port()) + "/api/v1/events");
  EXPECT_EQ(anonymous.out, "401");
}

TEST_F(Access, ListsArePagedAlike) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(fleet.api("PUT", "/api/v1/zones/z" + std::to_string(i), {{"name", "Zone " + std::to_string(i)}}).status, 200);
  }
  auto first = fleet.api("GET", "/api/v1/zones?limit=2").body;
  EXPECT_EQ(first["items"].size(), 2u);
  EXPECT_EQ(first["total"], 5);
  EXPECT_EQ(first["next_offset"], 2);
  auto last = fleet.api("GET", "/api/v1/zones?limit=2&offset=4").body;
  ASSERT_EQ(last["items"].size(), 1u);
  EXPECT_EQ(last["items"][0]["id"], "z4");
  EXPECT_FALSE(last.contains("next_offset"));
  // A list cut in the store (the audit log) pages the same way.
  auto audit = fleet.api("GET", "/api/v1/audit?limit=3").body;
  EXPECT_EQ(audit["items"].size(), 3u);
  EXPECT_EQ(audit["next_offset"], 3);
  auto next = fleet.api("GET", "/api/v1/audit?limit=3&offset=3").body;
  EXPECT_EQ(next["items"][0]["seq"].get<int>(), audit["items"][2]["seq"].get<int>() - 1);
  // Every list route answers a bad page with the same error.
  for (const char* path : {"/api/v1/stations", "/api/v1/zones", "/api/v1/clips", "/api/v1/broadcasts", "/api/v1/alerts",
                           "/api/v1/asrun", "/api/v1/commands", "/api/v1/users", "/api/v1/tokens", "/api/v1/audit",
                           "/api/v1/streams", "/api/v1/alarms"}) {
    auto r = fleet.api("GET", std::string(path) + "?limit=ten");
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_EQ(r.body["error"]["code"], "bad_request") << path;
    auto ok = fleet.api("GET", std::string(path) + "?limit=1");
    EXPECT_EQ(ok.status, 200) << path;
    EXPECT_TRUE(ok.body["items"].is_array()) << path;
    EXPECT_EQ(ok.body["limit"], 1) << path;
  }
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
