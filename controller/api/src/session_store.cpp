#include "session_store.hpp"

#include "loa/digest/random.hpp"
#include "loa/digest/sha256.hpp"
#include "loa/log/log.hpp"
#include "loa/time/clock.hpp"

namespace loa::api {
namespace {

constexpr int kMaxFailures = 5;
constexpr auto kFailureWindow = std::chrono::minutes(5);
const log::Logger kLog("api");

}  // namespace

SessionStore::SessionStore(std::chrono::seconds lifetime, store::IAccessStore* kept) : lifetime_(lifetime), kept_(kept) {}

std::string SessionStore::create(const std::string& user) {
  const std::string id = digest::random_hex(32);
  const auto now = std::chrono::steady_clock::now();
  if (kept_) {
    try {
      const auto wall = time::wall_ms();
      kept_->put_session({digest::sha256_hex(id), user, wall + lifetime_.count() * 1000}, wall);
    } catch (const std::exception& e) {
      kLog.warn("session not kept in the store (it lasts as long as this process): error={}", e.what());
    }
  }
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.expires < now; });
  sessions_[id] = Session{user, now + lifetime_};
  return id;
}

std::optional<std::string> SessionStore::user_of(const std::string& session_id) {
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session_id);
    if (it != sessions_.end()) {
      if (it->second.expires >= std::chrono::steady_clock::now()) return it->second.user;
      sessions_.erase(it);
      return std::nullopt;
    }
  }
  // Made by the other controller of a pair, or before a restart.
  if (!kept_ || session_id.size() != 64) return std::nullopt;
  std::optional<store::SessionRecord> found;
  try {
    found = kept_->find_session(digest::sha256_hex(session_id));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const auto left_ms = found ? found->expires_ms - time::wall_ms() : 0;
  if (left_ms <= 0) return std::nullopt;
  std::lock_guard lock(mutex_);
  sessions_[session_id] = Session{found->user, std::chrono::steady_clock::now() + std::chrono::milliseconds(left_ms)};
  return found->user;
}

void SessionStore::remove(const std::string& session_id) {
  if (kept_) {
    try {
      kept_->delete_session(digest::sha256_hex(session_id), time::wall_ms());
    } catch (const std::exception& e) {
      kLog.warn("session not removed from the store: error={}", e.what());
    }
  }
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
