#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "loa/store/access_store.hpp"

namespace loa::api {

// Browser sessions of the console, and the throttle on failed logins. Held in memory,
// and, given a store, kept there too by the SHA-256 of each session's secret (never the
// secret): so a session survives a restart and, with a standby pair behind one address,
// a failover. A session the store cannot record still works here; one it cannot look up
// counts as unknown.
class SessionStore {
 public:
  explicit SessionStore(std::chrono::seconds lifetime = std::chrono::hours(12), store::IAccessStore* kept = nullptr);

  [[nodiscard]] std::string create(const std::string& user);
  [[nodiscard]] std::optional<std::string> user_of(const std::string& session_id);
  void remove(const std::string& session_id);

  // Failed-login throttle per client address: after 5 failures within 5 minutes the
  // address must wait out the rest of those 5 minutes.
  [[nodiscard]] bool login_blocked(const std::string& address);
  void record_login_failure(const std::string& address);
  void record_login_success(const std::string& address);

 private:
  struct Session {
    std::string user;
    std::chrono::steady_clock::time_point expires;
  };
  struct Failures {
    int count = 0;
    std::chrono::steady_clock::time_point first;
  };
  std::chrono::seconds lifetime_;
  store::IAccessStore* kept_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;
  std::map<std::string, Failures> failures_;
};

}  // namespace loa::api
