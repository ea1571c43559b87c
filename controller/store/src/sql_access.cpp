// The access part of SqlStore (see sql_store.hpp).
#include "sql_store.hpp"

namespace loa::store {

void SqlStore::put_user(const UserRecord& u) {
  guarded([&] {
    sql::Statement s(db_,
                        "INSERT INTO users (name, password_hash, roles, zones, created_ms) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash, "
                        "roles = excluded.roles, zones = excluded.zones");
    s.bind(1, u.name).bind(2, u.password_hash).bind(3, join_lines(u.roles, ',')).bind(4, join_lines(u.zones, ','));
    s.bind(5, u.created_ms);
    s.run();
    return 0;
  });
}

std::optional<UserRecord> SqlStore::find_user(const std::string& name) {
  auto users = load_users("WHERE name = ?", name);
  if (users.empty()) return std::nullopt;
  return users.front();
}

std::vector<UserRecord> SqlStore::list_users() { return load_users("WHERE ? = ''", ""); }

bool SqlStore::delete_user(const std::string& name) {
  return guarded([&] {
    sql::Transaction tx(db_);
    sql::Statement sessions(db_, "DELETE FROM console_sessions WHERE \"user\" = ?");
    sessions.bind(1, name);
    sessions.run();
    sql::Statement s(db_, "DELETE FROM users WHERE name = ?");
    s.bind(1, name);
    s.run();
    const bool deleted = db_.changes() > 0;
    tx.commit();
    return deleted;
  });
}

void SqlStore::put_session(const SessionRecord& session, std::int64_t now_ms) {
  guarded([&] {
    sql::Transaction tx(db_);
    sql::Statement expired(db_, "DELETE FROM console_sessions WHERE expires_ms < ?");
    expired.bind(1, now_ms);
    expired.run();
    sql::Statement s(db_, "INSERT INTO console_sessions (id_sha256, \"user\", expires_ms) VALUES (?, ?, ?)");
    s.bind(1, session.id_sha256).bind(2, session.user).bind(3, session.expires_ms);
    s.run();
    tx.commit();
    return 0;
  });
}

std::optional<SessionRecord> SqlStore::find_session(const std::string& id_sha256) {
  return guarded([&]() -> std::optional<SessionRecord> {
    sql::Statement s(db_, "SELECT \"user\", expires_ms FROM console_sessions WHERE id_sha256 = ?");
    s.bind(1, id_sha256);
    if (!s.step()) return std::nullopt;
    return SessionRecord{id_sha256, s.column_text(0), s.column_int(1)};
  });
}

void SqlStore::delete_session(const std::string& id_sha256, std::int64_t now_ms) {
  guarded([&] {
    sql::Statement s(db_, "DELETE FROM console_sessions WHERE id_sha256 = ? OR expires_ms < ?");
    s.bind(1, id_sha256).bind(2, now_ms);
    s.run();
    return 0;
  });
}

void SqlStore::put_token(const ApiTokenRecord& t) {
  guarded([&] {
    sql::Statement s(db_,
                        "INSERT INTO api_tokens (id, \"user\", label, secret_sha256, created_ms, expires_ms) "
                        "VALUES (?, ?, ?, ?, ?, ?)");
    s.bind(1, t.id).bind(2, t.user).bind(3, t.label).bind(4, t.secret_sha256).bind(5, t.created_ms).bind(6, t.expires_ms);
    s.run();
    return 0;
  });
}

std::optional<ApiTokenRecord> SqlStore::find_token_by_hash(const std::string& secret_sha256) {
  auto tokens = load_tokens("secret_sha256 = ?", secret_sha256);
  if (tokens.empty()) return std::nullopt;
  return tokens.front();
}

std::vector<ApiTokenRecord> SqlStore::list_tokens(const std::string& user) {
  return load_tokens("(? = '' OR \"user\" = ?1)", user);
}

bool SqlStore::delete_token(const std::string& id) {
  return guarded([&] {
    sql::Statement s(db_, "DELETE FROM api_tokens WHERE id = ?");
    s.bind(1, id);
    s.run();
    return db_.changes() > 0;
  });
}

void SqlStore::add_audit(const AuditRecord& a) {
  guarded([&] {
    sql::Transaction tx(db_);
    insert_audit(a);
    tx.commit();
    return 0;
  });
}

std::vector<AuditRecord> SqlStore::list_audit(const std::string& subject, std::size_t limit) {
  return guarded([&] {
    std::vector<AuditRecord> out;
    sql::Statement s(db_,
                        "SELECT seq, at_ms, \"user\", action, subject, detail, address, result, hash FROM audit_log "
                        "WHERE (? = '' OR subject = ?) ORDER BY seq DESC LIMIT ?");
    s.bind(1, subject).bind(2, subject).bind(3, static_cast<std::int64_t>(limit));
    while (s.step()) out.push_back(read_audit(s));
    return out;
  });
}

AuditCheck SqlStore::verify_audit() {
  return guarded([&] {
    AuditCheck check;
    std::string previous;
    sql::Statement s(db_,
                        "SELECT seq, at_ms, \"user\", action, subject, detail, address, result, hash FROM audit_log "
                        "ORDER BY seq");
    while (s.step()) {
      const auto entry = read_audit(s);
      ++check.entries;
      if (audit_hash(previous, entry) != entry.hash) {
        check.broken_at = entry.seq;
        break;
      }
      previous = entry.hash;
    }
    return check;
  });
}

}  // namespace loa::store
