// What the SQLite library allocates for the stores, read from its own memory statistics.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "loa/sqlite/database.hpp"
#include "support/process.hpp"

namespace loa::sqlite {
namespace {

// A join SQLite answers through a temporary table of its own (the shape of a station's
// latest telemetry): that table's page cache takes pages one at a time, never a first
// block of twenty, so a thousand such queries leave no 87 KB holes in the heap.
TEST(Database, ATemporaryTableTakesItsPagesOneAtATime) {
  test::ScratchDir dir;
  Database db(dir.path() + "/t.db");
  db.exec("CREATE TABLE t (s TEXT NOT NULL, d TEXT NOT NULL, m INTEGER NOT NULL, r BLOB NOT NULL,"
          " PRIMARY KEY (s, d, m)) WITHOUT ROWID");
  {
    Transaction tx(db);
    Statement insert(db, "INSERT INTO t VALUES (?1, ?2, ?3, zeroblob(100))");
    for (int station = 0; station < 20; ++station) {
      for (const char* device : {"amp", "tx", "clock"}) {
        for (int m = 0; m < 50; ++m) {
          insert.bind(1, "st-" + std::to_string(station)).bind(2, std::string_view(device)).bind(3, std::int64_t{m});
          insert.run();
        }
      }
    }
    tx.commit();
  }
  Statement plan(db, "EXPLAIN QUERY PLAN SELECT t.d FROM t JOIN (SELECT d, MAX(m) AS m FROM t WHERE s = ?1 GROUP BY d) l"
                     " ON l.d = t.d AND l.m = t.m WHERE t.s = ?1");
  plan.bind(1, std::string_view("st-3"));
  std::string steps;
  while (plan.step()) steps += plan.column_text(3) + "\n";
  // The case this test is about: the subquery kept in a temporary table of its own.
  ASSERT_NE(steps.find("MATERIALIZE"), std::string::npos) << steps;

  sqlite3_int64 now = 0, largest = 0;
  ASSERT_EQ(sqlite3_status64(SQLITE_STATUS_MALLOC_SIZE, &now, &largest, 1), SQLITE_OK);  // reset the mark
  Statement latest(db, "SELECT t.d FROM t JOIN (SELECT d, MAX(m) AS m FROM t WHERE s = ?1 GROUP BY d) l"
                       " ON l.d = t.d AND l.m = t.m WHERE t.s = ?1 ORDER BY t.d");
  latest.bind(1, std::string_view("st-3"));
  int rows = 0;
  while (latest.step()) ++rows;
  EXPECT_EQ(rows, 3);
  ASSERT_EQ(sqlite3_status64(SQLITE_STATUS_MALLOC_SIZE, &now, &largest, 0), SQLITE_OK);
  EXPECT_LT(largest, 16 * 1024) << "largest single allocation while answering, bytes";
}

}  // namespace
}  // namespace loa::sqlite
