#include "session_store.hpp"

#include "loa/digest/random.hpp"

namespace loa::api {
namespace {

constexpr int kMaxFailures = 5;
constexpr auto kFailureWindow = std::chrono::minutes(5);

}  // namespace

SessionStore::SessionStore(std::chrono::seconds lifetime) : lifetime_(lifetime) {}

std::string SessionStore::create(const std::string& user) {
  const std::string id = digest::random_hex(32);
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.expires < now; });
  sessions_[id] = Session{user, now + lifetime_};
  return id;
}

std::optional<std::string> SessionStore::user_of(const std::string& session_id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires < std::chrono::steady_clock::now()) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second.user;
}

void SessionStore::remove(const std::string& session_id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(session_id);
}

bool SessionStore::login_blocked(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(address);
  if (it == failures_.end()) return false;
  if (std::chrono::steady_clock::now() - it->second.first > kFailureWindow) {
    failures_.erase(it);
    return false;
  }
  return it->second.count >= kMaxFailures;
}

void SessionStore::record_login_failure(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto& f = failures_[address];
  const auto now = std::chrono::steady_clock::now();
  if (f.count == 0 || now - f.first > kFailureWindow) f = Failures{0, now};
  ++f.count;
}

void SessionStore::record_login_success(const std::string& address) {
  std::lock_guard lock(mutex_);
  failures_.erase(address);
}

}  // namespace loa::api
