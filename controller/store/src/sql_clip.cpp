// The clip part of SqlStore (see sql_store.hpp).
#include "sql_store.hpp"

namespace loa::store {

void SqlStore::put_clip(const ClipRecord& c) {
  guarded([&] {
    sql::Statement s(db_,
                        "INSERT INTO clips (sha256, name, duration_ms, bytes, source_lufs, gain_db, source_format, "
                        "created_ms, source_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT(sha256) DO UPDATE SET name = excluded.name");
    s.bind(1, c.sha256).bind(2, c.name).bind(3, c.duration_ms).bind(4, c.bytes);
    s.bind_double(5, c.source_lufs).bind_double(6, c.gain_db).bind(7, c.source_format).bind(8, c.created_ms);
    s.bind(9, c.source_sha256);
    s.run();
    return 0;
  });
}

std::optional<ClipRecord> SqlStore::find_clip(const std::string& sha256) {
  return guarded([&]() -> std::optional<ClipRecord> {
    sql::Statement s(db_, std::string("SELECT ") + kClipColumns + " FROM clips WHERE sha256 = ?");
    s.bind(1, sha256);
    if (!s.step()) return std::nullopt;
    return read_clip(s);
  });
}

std::optional<ClipRecord> SqlStore::find_clip_by_source(const std::string& source_sha256) {
  if (source_sha256.empty()) return std::nullopt;
  return guarded([&]() -> std::optional<ClipRecord> {
    sql::Statement s(db_, std::string("SELECT ") + kClipColumns + " FROM clips WHERE source_sha256 = ? LIMIT 1");
    s.bind(1, source_sha256);
    if (!s.step()) return std::nullopt;
    return read_clip(s);
  });
}

std::vector<ClipRecord> SqlStore::list_clips() {
  return guarded([&] {
    std::vector<ClipRecord> out;
    sql::Statement s(db_, std::string("SELECT ") + kClipColumns + " FROM clips ORDER BY created_ms DESC, sha256");
    while (s.step()) out.push_back(read_clip(s));
    return out;
  });
}

bool SqlStore::delete_clip(const std::string& sha256) {
  return guarded([&] {
    sql::Statement s(db_, "DELETE FROM clips WHERE sha256 = ?");
    s.bind(1, sha256);
    s.run();
    return db_.changes() > 0;
  });
}

void SqlStore::put_clip_bytes(const std::string& sha256, const std::string& bytes) {
  guarded([&] {
    sql::Statement s(db_, "INSERT INTO clip_bytes (sha256, bytes) VALUES (?, ?) ON CONFLICT(sha256) DO NOTHING");
    s.bind(1, sha256).bind_blob(2, bytes);
    s.run();
    return 0;
  });
}

std::optional<std::string> SqlStore::clip_bytes(const std::string& sha256) {
  return guarded([&]() -> std::optional<std::string> {
    sql::Statement s(db_, "SELECT bytes FROM clip_bytes WHERE sha256 = ?");
    s.bind(1, sha256);
    if (!s.step()) return std::nullopt;
    return s.column_blob(0);
  });
}

}  // namespace loa::store
