#include "loa/users/user_directory.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

#include "loa/digest/random.hpp"
#include "loa/digest/sha256.hpp"
#include "loa/log/log.hpp"

namespace loa::users {
namespace {

const log::Logger kLog("users");

bool valid_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && name != "token" &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '@';
         });
}

// Tokens are long random strings, so a plain SHA-256 (digest::sha256_hex) is enough to
// keep them unusable from a copy of the store: no password-style stretching needed.
constexpr const char* kTokenPrefix = "loa_";

}  // namespace

bool Caller::has_role(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), "admin") != roles.end() ||
         std::find(roles.begin(), roles.end(), role) != roles.end();
}

UserDirectory::UserDirectory(store::IAccessStore& store, const time::IClock& clock) : store_(store), clock_(clock) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

bool UserDirectory::is_role(const std::string& role) {
  return std::any_of(std::begin(kRoles), std::end(kRoles), [&](const char* r) { return role == r; });
}

std::string UserDirectory::put(const std::string& name, const std::string& password,
                               const std::vector<std::string>& roles, const std::vector<std::string>& zones) {
  if (!valid_name(name)) return "a user name is 1-64 letters, digits, '-', '_', '.' or '@' (not \"token\")";
  if (password.size() < 10) return "a password needs at least 10 characters";
  if (roles.empty()) return "a user needs at least one role (admin, operator, emergency, technician, viewer, approver)";
  for (const auto& role : roles) {
    if (!is_role(role)) return "unknown role " + role + " (admin, operator, emergency, technician, viewer)";
  }
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return "out of memory while hashing the password";
  }
  store::UserRecord record;
  record.name = name;
  record.password_hash = hash;
  record.roles = roles;
  record.zones = zones;
  auto existing = store_.find_user(name);
  record.created_ms = existing ? existing->created_ms : clock_.wall_ms();
  store_.put_user(record);
  return {};
}

std::optional<Caller> UserDirectory::authenticate(const std::string& name, const std::string& password) {
  auto user = store_.find_user(name);
  if (!user) {
    // Spend the same time as a real check, so a wrong name and a wrong password look alike.
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
      kLog.warn("password hashing failed (out of memory?)");
    }
    return std::nullopt;
  }
  if (crypto_pwhash_str_verify(user->password_hash.c_str(), password.data(), password.size()) != 0) {
    return std::nullopt;
  }
  return Caller{user->name, user->roles, user->zones, false, {}};
}

std::optional<Caller> UserDirectory::find(const std::string& name) {
  auto user = store_.find_user(name);
  if (!user) return std::nullopt;
  return Caller{user->name, user->roles, user->zones, false, {}};
}

std::optional<UserDirectory::IssuedToken> UserDirectory::issue_token(const std::string& user, const std::string& label,
                                                                    std::int64_t lifetime_ms) {
  if (!store_.find_user(user)) return std::nullopt;
  IssuedToken issued;
  issued.secret = kTokenPrefix + digest::random_hex(32);
  issued.record.id = "tok-" + digest::random_hex(6);
  issued.record.user = user;
  issued.record.label = label.substr(0, 200);
  issued.record.secret_sha256 = digest::sha256_hex(issued.secret);
  issued.record.created_ms = clock_.wall_ms();
  issued.record.expires_ms = lifetime_ms > 0 ? issued.record.created_ms + lifetime_ms : 0;
  store_.put_token(issued.record);
  kLog.info("token issued: id={} user={}", issued.record.id, user);
  return issued;
}

std::optional<Caller> UserDirectory::token_caller(const std::string& secret) {
  if (secret.rfind(kTokenPrefix, 0) != 0) return std::nullopt;
  auto token = store_.find_token_by_hash(digest::sha256_hex(secret));
  if (!token) return std::nullopt;
  if (token->expires_ms != 0 && token->expires_ms <= clock_.wall_ms()) return std::nullopt;
  auto caller = find(token->user);
  if (caller) caller->by_token = true;
  return caller;
}

}  // namespace loa::users
