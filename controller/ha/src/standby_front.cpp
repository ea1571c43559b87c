#include "loa/ha/standby_front.hpp"

#include <nlohmann/json.hpp>

#include "loa/version.hpp"

namespace loa::ha {

using nlohmann::json;

struct StandbyFront::Handler final : http::IRequestHandler {
  Handler(Lease& l, std::string n) : lease(l), node(std::move(n)) {}

  http::Admission admit(const httplib::Request&, httplib::Response&) override { return {true, 0, false}; }

  void handle(httplib::Request& req, httplib::Response& res, const std::string&) override {
    const auto active = lease.current();
    json who = nullptr;
    if (active && active->live) who = {{"holder", active->holder}, {"url", active->url}, {"epoch", active->epoch}};
    res.set_header("Cache-Control", "no-store");
    if (req.method == "GET" && req.path == "/api/v1/health") {
      res.status = 200;
      res.set_content(json{{"status", "standby"}, {"role", "standby"}, {"node", node}, {"version", kVersion},
                           {"active", who}}
                          .dump(),
                      "application/json");
      return;
    }
    res.status = 503;
    res.set_header("Retry-After", "2");
    const std::string where = who.is_null() ? std::string("no controller is active right now")
                                            : "the active controller is " + who["url"].get<std::string>();
    res.set_content(json{{"error", {{"code", "standby"}, {"message", "this controller is the standby; " + where}}},
                         {"active", who}}
                        .dump(),
                    "application/json");
  }

  Lease& lease;
  std::string node;
};

StandbyFront::StandbyFront(http::FrontSettings settings, Lease& lease, std::string node)
    : handler_(std::make_unique<Handler>(lease, std::move(node))),
      front_(std::make_unique<http::HttpFront>(std::move(settings), *handler_)) {}

StandbyFront::~StandbyFront() { stop(); }

int StandbyFront::start() { return front_->start(); }

void StandbyFront::stop() { front_->stop(); }

}  // namespace loa::ha
