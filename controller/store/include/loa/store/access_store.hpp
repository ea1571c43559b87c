#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "loa/store/records.hpp"
#include "loa/store/store_error.hpp"

namespace loa::store {

// Who may do what: users, API tokens, and the hash-chained audit log of what they did.
class IAccessStore {
 public:
  virtual ~IAccessStore() = default;

  // Users
  virtual void put_user(const UserRecord& user) = 0;
  [[nodiscard]] virtual std::optional<UserRecord> find_user(const std::string& name) = 0;
  [[nodiscard]] virtual std::vector<UserRecord> list_users() = 0;
  [[nodiscard]] virtual bool delete_user(const std::string& name) = 0;  // and the user's tokens and sessions

  // Console sessions. Storing or deleting one also drops every session past its expiry
  // at `now_ms`, so sessions nobody logs out of do not pile up.
  virtual void put_session(const SessionRecord& session, std::int64_t now_ms) = 0;
  [[nodiscard]] virtual std::optional<SessionRecord> find_session(const std::string& id_sha256) = 0;
  virtual void delete_session(const std::string& id_sha256, std::int64_t now_ms) = 0;

  // API tokens
  virtual void put_token(const ApiTokenRecord& token) = 0;
  [[nodiscard]] virtual std::optional<ApiTokenRecord> find_token_by_hash(const std::string& secret_sha256) = 0;
  // One user's tokens, or everyone's for an empty name; oldest first.
  [[nodiscard]] virtual std::vector<ApiTokenRecord> list_tokens(const std::string& user) = 0;
  [[nodiscard]] virtual bool delete_token(const std::string& id) = 0;

  // Audit log. Newest first; an empty subject lists every entry.
  virtual void add_audit(const AuditRecord& entry) = 0;
  [[nodiscard]] virtual std::vector<AuditRecord> list_audit(const std::string& subject, std::size_t limit) = 0;
  // Recomputes every entry's hash from the first.
  [[nodiscard]] virtual AuditCheck verify_audit() = 0;
};

}  // namespace loa::store
