#pragma once

#include <optional>
#include <string>
#include <vector>

#include "loa/store/access_store.hpp"
#include "loa/time/clock.hpp"

namespace loa::users {

// What a person may do. Admin may do everything; the others are cut to their work.
// An approver passes broadcasts (and accepted bulletins) for air in zones that ask for it.
inline constexpr const char* kRoles[] = {"admin", "operator", "emergency", "technician", "viewer", "approver"};

// Whoever is asking the API: a named user, the bootstrap "admin", or "token" (the
// shared script token, which acts as admin but is nobody in particular). A user's own
// API token acts with the user's roles, but a script is not a person: it may draft an
// alert, never be the second person to confirm one.
struct Caller {
  std::string name;
  std::vector<std::string> roles;
  std::vector<std::string> zones;  // the part of the zone tree they may act on; empty = all
  bool by_token = false;           // a script's token, not a person signed in
  std::string cap_source;          // a configured CAP source (by its token): only CAP

  [[nodiscard]] bool has_role(const std::string& role) const;
  [[nodiscard]] bool is_person() const { return !name.empty() && name != "token" && !by_token; }
};

// Users with Argon2id password hashes (libsodium's crypto_pwhash_str) in the store.
class UserDirectory {
 public:
  UserDirectory(store::IAccessStore& store, const time::IClock& clock);

  // Adds or replaces a user. Returns an error message, or empty on success.
  [[nodiscard]] std::string put(const std::string& name, const std::string& password,
                                const std::vector<std::string>& roles, const std::vector<std::string>& zones);
  // The user, when the password is right. Takes a tenth of a second on purpose.
  [[nodiscard]] std::optional<Caller> authenticate(const std::string& name, const std::string& password);
  [[nodiscard]] std::optional<Caller> find(const std::string& name);

  // A new API token for a user's scripts. The secret is in the answer only; the store
  // keeps its hash.
  struct IssuedToken {
    store::ApiTokenRecord record;
    std::string secret;
  };
  // Empty when the user does not exist.
  [[nodiscard]] std::optional<IssuedToken> issue_token(const std::string& user, const std::string& label,
                                                       std::int64_t lifetime_ms);
  // The user a token acts for, with that user's roles and zones today; nothing for an
  // unknown, revoked or expired token.
  [[nodiscard]] std::optional<Caller> token_caller(const std::string& secret);

  [[nodiscard]] static bool is_role(const std::string& role);

 private:
  store::IAccessStore& store_;
  const time::IClock& clock_;
};

}  // namespace loa::users
