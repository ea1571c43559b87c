// The operator API of a real controller: the gate, error shapes, zones, provisioning.
#include <gtest/gtest.h>

#include <httplib.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "loa/curve/key_pair.hpp"
#include "support/fleet.hpp"

namespace loa::test {
namespace {

using nlohmann::json;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { fleet.start_controller(); }
  httplib::Client client() const { return httplib::Client("127.0.0.1", fleet.http_port()); }
  Fleet fleet;
};

TEST_F(ApiTest, EveryRouteButTheOpenOnesWantsTheToken) {
  auto c = client();
  for (const char* path : {"/api/v1/stations", "/api/v1/zones", "/api/v1/commands", "/api/v1/link/stats"}) {
    auto res = c.Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << path;
    EXPECT_EQ(json::parse(res->body)["error"]["code"], "unauthenticated");
  }
  auto wrong = c.Get("/api/v1/stations", {{"Authorization", "Bearer not-the-token-at-all"}});
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(c.Get("/api/v1/health")->status, 200);
  // /metrics lists the stations: a scraper needs a credential too.
  EXPECT_EQ(c.Get("/metrics")->status, 401);
  EXPECT_EQ(c.Get("/metrics", {{"Authorization", "Bearer " + fleet.token()}})->status, 200);
  EXPECT_NE(fleet.controller_log().find("api: denied: GET /api/v1/stations address=127.0.0.1"), std::string::npos)
      << fleet.controller_log();
}

// Strangers' tries are counted, not chained into the audit log one row each: 300
// requests with a token nobody holds add at most a handful of entries.
TEST_F(ApiTest, AFloodOfBadTokensIsCountedNotAuditedRowByRow) {
  auto c = client();
  const auto audit_rows = [&] {
    return fleet.api("GET", "/api/v1/audit?limit=10000").body["items"].size();
  };
  const auto before = audit_rows();
  for (int i = 0; i < 300; ++i) {
    auto res = c.Get("/api/v1/stations", {{"Authorization", "Bearer guess-" + std::to_string(i)}});
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 401);
  }
  const auto added = audit_rows() - before;
  EXPECT_LE(added, 3u) << "audit rows added by 300 refusals: " << added;
  const auto metrics = fleet.metrics();
  EXPECT_NE(metrics.find("loa_http_refused_total{caller=\"stranger\"} 300"), std::string::npos) << metrics;
  // The one entry there is says how many and from where.
  const auto items = fleet.api("GET", "/api/v1/audit?limit=5").body["items"];
  bool summarised = false;
  for (const auto& e : items) summarised = summarised || (e["subject"] == "requests without a valid credential" &&
                                                          e["address"] == "127.0.0.1");
  EXPECT_TRUE(summarised) << items.dump();
  // The log holds a line a minute per address, not 300.
  const auto log = fleet.controller_log();
  std::size_t lines = 0;
  for (auto at = log.find("api: denied: GET"); at != std::string::npos; at = log.find("api: denied: GET", at + 1)) ++lines;
  EXPECT_LE(lines, 2u) << log;
  // A signed-in caller lacking the role is still audited, each time.
  ASSERT_EQ(fleet.api("POST", "/api/v1/users", {{"name", "viewer-1"}, {"password", "viewer-password-1"}, {"roles", {"viewer"}}}).status,
            201);
  const auto before_known = audit_rows();
  EXPECT_EQ(fleet.api_as("viewer-1", "viewer-password-1", "DELETE", "/api/v1/zones/none").status, 403);
  EXPECT_EQ(fleet.api_as("viewer-1", "viewer-password-1", "DELETE", "/api/v1/zones/none").status, 403);
  EXPECT_GE(audit_rows() - before_known, 2u);
}

TEST_F(ApiTest, ConsoleLoginGivesAnHttpOnlySessionAndIsThrottled) {
  auto c = client();
  auto ok = c.Post("/api/v1/login", R"({"user":"admin","password":"test-password"})", "application/json");
  ASSERT_EQ(ok->status, 200);
  auto cookie = ok->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  auto session = cookie.substr(0, cookie.find(';'));
  EXPECT_EQ(c.Get("/api/v1/stations", {{"Cookie", session}})->status, 200);
  int last = 0;
  for (int i = 0; i < 6; ++i) {
    last = c.Post("/api/v1/login", R"({"user":"admin","password":"guess"})", "application/json")->status;
  }
  EXPECT_EQ(last, 429);
  // Even the right password waits out the throttle.
  EXPECT_EQ(c.Post("/api/v1/login", R"({"user":"admin","password":"test-password"})", "application/json")->status, 429);
}

TEST_F(ApiTest, AConsoleSessionOutlivesARestartButNotALogout) {
  auto login = [&] {
    auto ok = client().Post("/api/v1/login", R"({"user":"admin","password":"test-password"})", "application/json");
    EXPECT_EQ(ok->status, 200);
    const auto cookie = ok->get_header_value("Set-Cookie");
    return cookie.substr(0, cookie.find(';'));
  };
  const auto kept = login();
  const auto ended = login();
  EXPECT_EQ(client().Post("/api/v1/logout", {{"Cookie", ended}}, "{}", "application/json")->status, 200);
  // Only a digest of the session is on disk, never the cookie's secret.
  const auto secret = kept.substr(kept.find('=') + 1);
  EXPECT_EQ(run_command("cat " + fleet.dir() + "/controller/controller.db* | grep -ac " + secret).out, "0\n");

  fleet.stop_controller(SIGTERM);
  fleet.start_controller();
  EXPECT_EQ(client().Get("/api/v1/whoami", {{"Cookie", kept}})->status, 200);
  EXPECT_EQ(client().Get("/api/v1/whoami", {{"Cookie", ended}})->status, 401);
  EXPECT_EQ(client().Get("/api/v1/whoami", {{"Cookie", "loa_session=" + std::string(64, 'a')}})->status, 401);
}

TEST_F(ApiTest, BadRequestsGetAStatusACodeAndAMessage) {
  EXPECT_EQ(fleet.api("GET", "/api/v1/stations/nope").status, 404);
  auto c = client();
  httplib::Headers auth{{"Authorization", "Bearer " + fleet.token()}};
  auto bad_json = c.Post("/api/v1/zones", auth, "{not json", "application/json");
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_EQ(json::parse(bad_json->body)["error"]["code"], "bad_json");
  auto wrong_type = fleet.api("POST", "/api/v1/zones", {{"id", "z"}, {"kind", 7}});
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(fleet.api("POST", "/api/v1/zones", {{"id", "z"}, {"kind", "galaxy"}}).status, 422);  // no such level
  EXPECT_EQ(fleet.api("POST", "/api/v1/zones", {{"id", "z"}, {"stations", {"ghost"}}}).status, 422);
  EXPECT_EQ(fleet.api("POST", "/api/v1/stations", {{"id", "s"}, {"public_key", "short"}}).status, 422);
  // Refused on its Content-Length, before the body is read (curl copes with the early answer).
  write_file(fleet.dir() + "/huge.json", std::string(2 << 20, ' '));
  auto huge = run_command("curl -s -w ' %{http_code}' -H 'Authorization: Bearer " + fleet.token() +
                          "' -H 'Content-Type: application/json' --data-binary @" + fleet.dir() +
                          "/huge.json http://127.0.0.1:" + std::to_string(fleet.http_port()) + "/api/v1/zones");
  EXPECT_NE(huge.out.find("\"too_large\""), std::string::npos) << huge.out;
  EXPECT_NE(huge.out.find(" 413"), std::string::npos) << huge.out;
  EXPECT_EQ(fleet.api("GET", "/api/v1/no-such-route").status, 404);
  // After all of it the controller still answers.
  EXPECT_EQ(fleet.api("GET", "/api/v1/health").status, 200);
}

TEST_F(ApiTest, ZonesNestAndHoldStationsThatMayBeInSeveral) {
  auto key_a = curve::generate().public_z85;
  auto key_b = curve::generate().public_z85;
  ASSERT_EQ(fleet.api("POST", "/api/v1/stations", {{"id", "a"}, {"public_key", key_a}}).status, 201);
  ASSERT_EQ(fleet.api("POST", "/api/v1/stations", {{"id", "b"}, {"public_key", key_b}}).status, 201);
  EXPECT_EQ(fleet.api("POST", "/api/v1/stations", {{"id", "c"}, {"public_key", key_a}}).status, 422);  // key taken
  ASSERT_EQ(fleet.loactl("zones add cam-binh --kind commune --stations a,b").exit_code, 0);
  ASSERT_EQ(fleet.loactl("zones add thon-1 --kind village --parent cam-binh --stations a").exit_code, 0);
  ASSERT_EQ(fleet.loactl("zones add ve-song --kind custom").exit_code, 0);
  ASSERT_EQ(fleet.loactl("zones add-station ve-song a").exit_code, 0);
  auto z = fleet.api("GET", "/api/v1/zones/thon-1").body;
  EXPECT_EQ(z["parent_id"], "cam-binh");
  EXPECT_EQ(fleet.api("GET", "/api/v1/zones/ve-song").body["stations"], json::array({"a"}));
  EXPECT_EQ(fleet.api("POST", "/api/v1/zones", {{"id", "cam-binh"}}).status, 409);
  ASSERT_EQ(fleet.loactl("zones remove-station cam-binh a").exit_code, 0);
  EXPECT_EQ(fleet.api("GET", "/api/v1/zones/cam-binh").body["stations"], json::array({"b"}));
  ASSERT_EQ(fleet.loactl("zones rm cam-binh").exit_code, 0);
  EXPECT_TRUE(fleet.api("GET", "/api/v1/zones/thon-1").body["parent_id"].is_null());
  auto table = fleet.loactl("zones");
  EXPECT_NE(table.out.find("ve-song"), std::string::npos) << table.out;
}

// A province that keeps no districts configures province -> commune -> village; the API
// holds every zone to it.
TEST(Levels, ZonesFollowTheLevelsTheProvinceConfigured) {
  FleetOptions options;
  options.controller_extra =
      "tree:\n  levels:\n    - {kind: province, name: \"Tỉnh\"}\n    - {kind: commune, name: \"Xã\"}\n"
      "    - {kind: village, name: \"Thôn\", optional: true}\n";
  Fleet fleet(options);
  fleet.start_controller();
  const auto levels = fleet.api("GET", "/api/v1/levels").body["levels"];
  ASSERT_EQ(levels.size(), 3u) << levels.dump();
  EXPECT_EQ(levels[1]["name"], "Xã");
  EXPECT_EQ(fleet.api("PUT", "/api/v1/zones/hue", {{"kind", "province"}}).status, 200);
  EXPECT_EQ(fleet.api("PUT", "/api/v1/zones/phu-vang", {{"kind", "commune"}, {"parent_id", "hue"}}).status, 200);
  EXPECT_EQ(fleet.api("PUT", "/api/v1/zones/thon-1", {{"kind", "village"}, {"parent_id", "phu-vang"}}).status, 200);
  EXPECT_EQ(fleet.api("PUT", "/api/v1/zones/bien", {{"kind", "custom"}, {"parent_id", "hue"}}).status, 200);
  // Not a level here; upside down; skipping the commune level.
  auto r = fleet.api("PUT", "/api/v1/zones/huyen-cu", {{"kind", "district"}, {"parent_id", "hue"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body["error"]["message"].get<std::string>().find("province, commune, village or custom"), std::string::npos);
  EXPECT_EQ(fleet.api("PUT", "/api/v1/zones/x", {{"kind", "province"}, {"parent_id", "phu-vang"}}).status, 422);
  EXPECT_EQ(fleet.api("PUT", "/api/v1/zones/thon-2", {{"kind", "village"}, {"parent_id", "hue"}}).status, 422);
  // A zone's kind cannot change under the zones it holds.
  r = fleet.api("PUT", "/api/v1/zones/phu-vang", {{"kind", "village"}});
  EXPECT_EQ(r.status, 422) << r.text;
  EXPECT_EQ(fleet.api("GET", "/api/v1/zones/phu-vang").body["kind"], "commune");
}

TEST_F(ApiTest, StationListImportEnrollsAheadAndReportsBadLines) {
  const auto list = fleet.dir() + "/stations.csv";
  auto k1 = curve::generate().public_z85;
  auto k2 = curve::generate().public_z85;
  auto k3 = curve::generate().public_z85;
  // As a spreadsheet saves it: a byte order mark, a quoted location holding a comma,
  // and one row left in an old 8-bit encoding ("Trạm" in Windows-1258 is not UTF-8).
  write_file(list, "\xEF\xBB\xBFid,public_key,name,commune,location\n"
                   "ky-anh-1," + k1 + ",Trạm 1,Kỳ Anh,\"18.07,106.29\"\n"
                   "ky-anh-2," + k2 + ",Trạm 2,Kỳ Anh,\n"
                   "broken,not-a-key\n"
                   "ky-anh-3," + k3 + ",Tr\xE1m 3,K\xFD Anh,\n");
  auto r = fleet.loactl("station import " + list);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("stations.csv:4: broken"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stations.csv:5: not UTF-8 text"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 stations enrolled, 2 refused"), std::string::npos) << r.out;
  EXPECT_EQ(fleet.api("GET", "/api/v1/stations/ky-anh-3").status, 404);
  auto s = fleet.api("GET", "/api/v1/stations/ky-anh-1").body;
  EXPECT_EQ(s["enrollment"], "approved");
  EXPECT_EQ(s["commune"], "Kỳ Anh");
  EXPECT_EQ(s["location"], "18.07,106.29");
  EXPECT_EQ(s["public_key"], k1);
}

TEST_F(ApiTest, LoactlCompletesCommandsAndSubCommandsInBash) {
  auto script = fleet.loactl("completion bash");
  ASSERT_EQ(script.exit_code, 0);
  write_file(fleet.dir() + "/completion.bash", script.out);
  auto r = run_command("bash -c 'source " + fleet.dir() +
                       "/completion.bash; COMP_WORDS=(loactl alert c); COMP_CWORD=2; _loactl; echo ${COMPREPLY[@]}'");
  EXPECT_EQ(r.out, "confirm cancel\n");
}

}  // namespace
}  // namespace loa::test

namespace loa::test {
namespace {

// A damaged store is found at start, and the controller stops saying how to recover,
// rather than failing later on whichever query touches the bad page.
TEST(Store, ADamagedStoreStopsTheControllerWithHowToRecover) {
  Fleet fleet;
  fleet.start_controller();
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(fleet.api("PUT", "/api/v1/zones/zone-" + std::to_string(i), {{"name", std::string(500, 'x')}}).status, 200);
  }
  fleet.stop_controller(SIGTERM);
  const auto db = fleet.dir() + "/controller/controller.db";
  ASSERT_GT(std::filesystem::file_size(db), 32u * 1024);
  {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(16 * 1024);
    const std::string junk(8 * 1024, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  try {
    fleet.start_controller();
    ADD_FAILURE() << "the controller started on a damaged store";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("controller.db is damaged"), std::string::npos) << what;
    EXPECT_NE(what.find(".recover"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace loa::test
