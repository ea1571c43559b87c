// loactl's command line, without a controller: what it sends for what it is given, and
// that what it does not understand is refused before any connection is made.
#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "loa/loactl/cli.hpp"

namespace loa::loactl {
namespace {

struct Request {
  std::string method, path;
  json body;
};

class FakeApi : public IApi {
 public:
  explicit FakeApi(std::vector<Request>& sent) : sent_(sent) {}
  json call(const std::string& method, const std::string& path, const json& body) override {
    sent_.push_back({method, path, body});
    return {{"id", "a1"}, {"state", "issued"}, {"status", "exercise"}, {"severity", "minor"}, {"target_count", 2},
            {"stations", {"s1", "s2"}}, {"broadcast_id", "b"}, {"items", json::array()}};
  }
  std::string fetch_text(const std::string& path) override {
    sent_.push_back({"GET", path, nullptr});
    return "";
  }
  json post_text(const std::string& path, const std::string&, const std::string&) override { return call("POST", path, nullptr); }
  json upload(const std::string& path, const std::string&, const std::string&) override { return call("POST", path, nullptr); }

 private:
  std::vector<Request>& sent_;
};

class Cli : public ::testing::Test {
 protected:
  // Runs loactl; the error stream is kept in `err`.
  int run_loactl(const std::vector<std::string>& args) {
    std::stringstream captured;
    auto* old = std::cerr.rdbuf(captured.rdbuf());
    std::stringstream out;
    auto* old_out = std::cout.rdbuf(out.rdbuf());
    const int rc = run(args, [this](const Connection& c) {
      ++connections;
      connection = c;
      return std::make_unique<FakeApi>(sent);
    });
    std::cerr.rdbuf(old);
    std::cout.rdbuf(old_out);
    err = captured.str();
    return rc;
  }

  std::vector<Request> sent;
  int connections = 0;
  Connection connection;
  std::string err;
};

TEST_F(Cli, AMisspeltOptionIsExitTwoNamingItAndTheNearestAndConnectsToNothing) {
  EXPECT_EQ(run_loactl({"alert", "push", "--tts", "x", "--to", "all", "--stauts", "exercise", "--confirm", "3"}), kExitUsage);
  EXPECT_NE(err.find("--stauts"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean --status?"), std::string::npos) << err;
  EXPECT_EQ(connections, 0);
  EXPECT_TRUE(sent.empty());
}

TEST_F(Cli, AValueOutsideItsSetNamesTheNearestOne) {
  EXPECT_EQ(run_loactl({"alert", "push", "--tts", "x", "--to", "all", "--status", "acutal"}), kExitUsage);
  EXPECT_NE(err.find("--status"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean actual?"), std::string::npos) << err;
  EXPECT_EQ(run_loactl({"play", "--clip", "c", "--to", "all", "--volume", "3"}), kExitUsage);
  EXPECT_NE(err.find("--volume"), std::string::npos) << err;
  EXPECT_EQ(run_loactl({"stations", "--state", "onlin"}), kExitUsage);
  EXPECT_NE(err.find("did you mean online?"), std::string::npos) << err;
  EXPECT_EQ(connections, 0);
}

TEST_F(Cli, AMissingValueOrCommandIsExitTwo) {
  EXPECT_EQ(run_loactl({"play", "--clip"}), kExitUsage);
  EXPECT_NE(err.find("--clip"), std::string::npos) << err;
  EXPECT_EQ(run_loactl({"statoins"}), kExitUsage);
  EXPECT_NE(err.find("did you mean stations?"), std::string::npos) << err;
  EXPECT_EQ(run_loactl({"station"}), kExitUsage);
  EXPECT_EQ(run_loactl({"play", "--clip", "c", "--tts", "t", "--to", "all"}), kExitUsage);  // one thing to play
  EXPECT_EQ(connections, 0);
}

TEST_F(Cli, AnAlertFromAScriptMustSayItsStatus) {
  // Tests run with no terminal: there is nobody to ask.
  EXPECT_EQ(run_loactl({"alert", "push", "--tts", "x", "--to", "all", "--confirm", "2"}), kExitUsage);
  EXPECT_NE(err.find("--status"), std::string::npos) << err;
  EXPECT_TRUE(sent.empty());
}

TEST_F(Cli, PushDraftsThenConfirmsWithTheCount) {
  ASSERT_EQ(run_loactl({"alert", "push", "--tts", "Lũ", "--to", "xa-1,xa-2", "--status", "exercise", "--severity",
                        "severe", "--confirm", "2"}),
            kExitOk)
      << err;
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].path, "/api/v1/alerts");
  EXPECT_EQ(sent[0].body["status"], "exercise");
  EXPECT_EQ(sent[0].body["to"], json({"xa-1", "xa-2"}));
  EXPECT_EQ(sent[0].body["content"], json({{{"tts", "Lũ"}}}));
  EXPECT_EQ(sent[1].path, "/api/v1/alerts/a1/confirm");
  EXPECT_EQ(sent[1].body["target_count"], 2);
}

TEST_F(Cli, PlayToAllIsOneRequestResolvedByTheController) {
  ASSERT_EQ(run_loactl({"play", "--clip", "c1", "--to", "all", "--priority", "emergency"}), kExitOk) << err;
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].method, "POST");
  EXPECT_EQ(sent[0].path, "/api/v1/commands");
  EXPECT_EQ(sent[0].body["type"], "play");
  EXPECT_EQ(sent[0].body["to"], json({"all"}));
  EXPECT_EQ(sent[0].body["priority"], "emergency");
}

TEST_F(Cli, GlobalOptionsComeBeforeOrAfterTheCommand) {
  ASSERT_EQ(run_loactl({"stations", "--json", "--url", "http://h:1/loa/", "--token", "t"}), kExitOk) << err;
  EXPECT_EQ(connection.url, "http://h:1/loa/");
  EXPECT_EQ(connection.token, "t");
  ASSERT_EQ(run_loactl({"--json", "stations"}), kExitOk) << err;
}

TEST(Url, ATrailingSlashOrAPathIsTheApisBase) {
  EXPECT_EQ(parse_url("http://127.0.0.1:8080/").origin, "http://127.0.0.1:8080");
  EXPECT_EQ(parse_url("http://127.0.0.1:8080/").base_path, "");
  EXPECT_EQ(parse_url("https://loa.example/tinh//").base_path, "/tinh");
  EXPECT_EQ(parse_url("http://h").base_path, "");
  EXPECT_THROW((void)parse_url("127.0.0.1:8080"), ApiError);
  EXPECT_THROW((void)parse_url("ftp://h/"), ApiError);
}

TEST(Nearest, ASlipIsFoundAndAStrangerIsNot) {
  EXPECT_EQ(edit_distance("stauts", "status"), 2u);
  EXPECT_EQ(nearest("--stauts", {"--status", "--severity", "--to"}), "--status");
  EXPECT_EQ(nearest("--frobnicate", {"--status", "--to"}), "");
}

}  // namespace
}  // namespace loa::loactl
