#pragma once

#include <memory>
#include <string>

#include "loa/ha/lease.hpp"
#include "loa/http/http_front.hpp"

namespace loa::ha {

// What a standby controller serves on the API's address while it waits for the lease:
// its health, saying it is the standby and which controller is active (200, so that a
// monitor sees a healthy standby), and for every other request 503 with the error code
// "standby" and the active controller's URL, for clients that follow the active one
// (loactl with several URLs, the console).
class StandbyFront {
 public:
  StandbyFront(http::FrontSettings settings, Lease& lease, std::string node);
  StandbyFront(const StandbyFront&) = delete;
  StandbyFront& operator=(const StandbyFront&) = delete;
  ~StandbyFront();

  // Binds and serves; returns the port bound.
  int start();
  void stop();

 private:
  struct Handler;
  std::unique_ptr<Handler> handler_;
  std::unique_ptr<http::HttpFront> front_;
};

}  // namespace loa::ha
