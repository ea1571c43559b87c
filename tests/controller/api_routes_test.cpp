// The API's own pieces, without a server: the route table (matching, who may call
// what, the OpenAPI document made from it) and console sessions with the login throttle.
#include <gtest/gtest.h>

#include <thread>

#include "route_table.hpp"
#include "session_store.hpp"

namespace loa::api {
namespace {

users::Caller caller(std::vector<std::string> roles) { return {"lan", std::move(roles), {}, false, ""}; }

TEST(RouteTable, FindsTheRouteByMethodAndWholePathAndPassesItsGroups) {
  RouteTable routes;
  std::string seen;
  routes.get(R"(/api/v1/stations/([^/]+))", Access::viewer, "One station",
             [&](const httplib::Request& req, httplib::Response&) { seen = req.matches[1]; });
  routes.del(R"(/api/v1/stations/([^/]+))", Access::admin, "Remove a station", nullptr);
  ASSERT_TRUE(routes.match("GET", "/api/v1/stations/xa-1"));
  EXPECT_EQ(routes.match("GET", "/api/v1/stations/xa-1")->access, Access::viewer);
  EXPECT_EQ(routes.match("DELETE", "/api/v1/stations/xa-1")->access, Access::admin);
  EXPECT_TRUE(routes.match("HEAD", "/api/v1/stations/xa-1"));            // HEAD finds GET's
  EXPECT_FALSE(routes.match("GET", "/api/v1/stations/xa-1/extra"));      // the whole path
  EXPECT_FALSE(routes.match("GET", "/x/api/v1/stations/xa-1"));
  EXPECT_FALSE(routes.match("POST", "/api/v1/stations/xa-1"));
  httplib::Request req;
  req.method = "GET";
  req.path = "/api/v1/stations/xa-7";
  httplib::Response res;
  EXPECT_TRUE(routes.dispatch(req, res, ""));
  EXPECT_EQ(seen, "xa-7");
  req.path = "/api/v1/nothing";
  EXPECT_FALSE(routes.dispatch(req, res, ""));
}

TEST(RouteTable, EachKindOfChangeBelongsToItsRoleAndAdminMayDoAll) {
  EXPECT_TRUE(allows(Access::open, users::Caller{}));
  EXPECT_FALSE(allows(Access::viewer, users::Caller{}));  // nobody signed in
  EXPECT_TRUE(allows(Access::signed_in, caller({})));
  EXPECT_FALSE(allows(Access::viewer, caller({})));       // signed in, no role at all
  EXPECT_TRUE(allows(Access::viewer, caller({"technician"})));
  EXPECT_TRUE(allows(Access::operator_, caller({"operator"})));
  EXPECT_FALSE(allows(Access::emergency, caller({"operator"})));
  EXPECT_TRUE(allows(Access::emergency, caller({"emergency"})));
  EXPECT_FALSE(allows(Access::admin, caller({"operator", "emergency", "technician"})));
  for (auto a : {Access::viewer, Access::operator_, Access::emergency, Access::technician, Access::admin}) {
    EXPECT_TRUE(allows(a, caller({"admin"}))) << to_string(a);
  }
}

TEST(RouteTable, TheOpenApiDocumentListsEveryRouteWithItsParameters) {
  RouteTable routes;
  routes.get("/api/v1/alerts", Access::viewer, "Alerts", nullptr);
  routes.post("/api/v1/alerts", Access::emergency, "Draft an alert", Handler{});
  routes.get(R"(/api/v1/alerts/([^/]+))", Access::viewer, "One alert", nullptr);
  const auto doc = routes.openapi("9.9.9");
  EXPECT_EQ(doc["info"]["version"], "9.9.9");
  ASSERT_TRUE(doc["paths"].contains("/api/v1/alerts"));
  EXPECT_TRUE(doc["paths"]["/api/v1/alerts"].contains("get"));
  EXPECT_TRUE(doc["paths"]["/api/v1/alerts"].contains("post"));
  ASSERT_TRUE(doc["paths"].contains("/api/v1/alerts/{alert_id}")) << doc["paths"].dump();
  EXPECT_NE(doc["paths"]["/api/v1/alerts/{alert_id}"]["get"].dump().find("\"alert_id\""), std::string::npos);
  std::size_t operations = 0;
  for (const auto& [path, methods] : doc["paths"].items()) operations += methods.size();
  EXPECT_EQ(operations, 3u);
}

TEST(SessionStore, ASessionNamesItsUserUntilRemovedOrExpired) {
  SessionStore sessions;
  const auto id = sessions.create("lan");
  EXPECT_GE(id.size(), 32u);  // unguessable
  EXPECT_NE(sessions.create("lan"), id);
  EXPECT_EQ(sessions.user_of(id), "lan");
  EXPECT_FALSE(sessions.user_of("made-up"));
  sessions.remove(id);
  EXPECT_FALSE(sessions.user_of(id));

  SessionStore short_lived(std::chrono::seconds(0));
  const auto gone = short_lived.create("minh");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(short_lived.user_of(gone));
}

TEST(SessionStore, FiveFailedLoginsBlockThatAddressOnly) {
  SessionStore sessions;
  for (int i = 0; i < 4; ++i) sessions.record_login_failure("10.0.0.9");
  EXPECT_FALSE(sessions.login_blocked("10.0.0.9"));
  sessions.record_login_failure("10.0.0.9");
  EXPECT_TRUE(sessions.login_blocked("10.0.0.9"));
  EXPECT_FALSE(sessions.login_blocked("10.0.0.10"));
  sessions.record_login_failure("10.0.0.10");
  sessions.record_login_success("10.0.0.10");
  for (int i = 0; i < 4; ++i) sessions.record_login_failure("10.0.0.10");
  EXPECT_FALSE(sessions.login_blocked("10.0.0.10"));  // a success starts the count again
}

}  // namespace
}  // namespace loa::api
