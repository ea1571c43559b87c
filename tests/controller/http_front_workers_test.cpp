// The HTTP front alone, with a handler of the test's own: what runs where, what is read,
// and that stopping never hangs on a parked connection.
#include <gtest/gtest.h>

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "loa/http/http_front.hpp"

namespace loa::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// /slow sleeps a second; /stream sends three events, /forever never stops; /closed
// refuses from the headers; anything else echoes its body's size (/upload's from the
// file it was spooled to).
class TestHandler final : public IRequestHandler {
 public:
  std::atomic<int> handled{0};

  Admission admit(const httplib::Request& req, httplib::Response& res) override {
    if (req.path == "/closed") {
      res.status = 401;
      res.set_content("no", "text/plain");
      return {};
    }
    return {true, 1 << 20, req.path == "/upload"};
  }
  void handle(httplib::Request& req, httplib::Response& res, const std::string& spooled_body) override {
    ++handled;
    if (req.path == "/slow") std::this_thread::sleep_for(1s);
    if (req.path == "/stream" || req.path == "/forever") {
      auto sent = std::make_shared<int>(0);
      const bool forever = req.path == "/forever";
      res.status = 200;
      res.set_chunked_content_provider("text/event-stream", [sent, forever](std::size_t, httplib::DataSink& sink) {
        if (*sent == 3 && !forever) {
          sink.done();
          return true;
        }
        const std::string event = "data: " + std::to_string((*sent)++) + "\n\n";
        std::this_thread::sleep_for(50ms);
        return sink.write(event.data(), event.size());
      });
      return;
    }
    const auto size = spooled_body.empty() ? req.body.size() : std::filesystem::file_size(spooled_body);
    res.status = 200;
    res.set_content(std::to_string(size), "text/plain");
  }
};

class FrontTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FrontSettings s;
    s.port = 0;
    s.spool_dir = (std::filesystem::temp_directory_path() / ("loa-front-" + std::to_string(::getpid()))).string();
    s.limits.workers = 2;
    front = std::make_unique<HttpFront>(s, handler);
    port = front->start();
  }
  void TearDown() override { front.reset(); }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(5, 0);
    return c;
  }

  TestHandler handler;
  std::unique_ptr<HttpFront> front;
  int port = 0;
};

TEST_F(FrontTest, ASlowHandlerHoldsOneWorkerAndNothingElse) {
  auto slow = std::async(std::launch::async, [&] { return client().Get("/slow"); });
  std::this_thread::sleep_for(100ms);
  const auto start = Clock::now();
  auto quick = client().Post("/echo", "hello", "text/plain");
  ASSERT_TRUE(quick);
  EXPECT_EQ(quick->body, "5");
  EXPECT_LT(Clock::now() - start, 500ms);
  EXPECT_EQ(slow.get()->status, 200);
}

TEST_F(FrontTest, ARefusalFromTheHeadersNeverReachesTheHandler) {
  auto res = client().Post("/closed", std::string(100000, 'x'), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(handler.handled, 0);
}

TEST_F(FrontTest, AnUploadIsSpooledAndReadBackWhole) {
  auto res = client().Post("/upload", std::string(700000, 'u'), "application/octet-stream");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "700000");
}

TEST_F(FrontTest, AStreamSendsEveryEventAndEnds) {
  auto res = client().Get("/stream");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  // The stream's thread ends with it.
  const auto until = Clock::now() + 2s;
  while (front->stats().streams_open != 0 && Clock::now() < until) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(front->stats().streams_open, 0u);
}

TEST_F(FrontTest, StoppingWithAParkedRequestAndAnOpenStreamReturns) {
  auto slow = std::async(std::launch::async, [&] { return client().Get("/slow"); });
  auto stream = std::async(std::launch::async, [&] { return client().Get("/forever"); });
  std::this_thread::sleep_for(200ms);
  ASSERT_EQ(front->stats().streams_open, 1u);
  const auto start = Clock::now();
  front->stop();
  EXPECT_LT(Clock::now() - start, 3s);
  (void)slow.get();  // answered (the handler finished) or cut; never hung
  (void)stream.get();
}

}  // namespace
}  // namespace loa::http
