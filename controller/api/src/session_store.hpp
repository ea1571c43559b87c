#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace loa::api {

// Browser sessions of the console, and the throttle on failed logins. In memory: a
// controller restart asks people to log in again, which is acceptable and keeps session
// secrets off the disk.
class SessionStore {
 public:
  explicit SessionStore(std::chrono::seconds lifetime = std::chrono::hours(12));

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
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;
  std::map<std::string, Failures> failures_;
};

}  // namespace loa::api
