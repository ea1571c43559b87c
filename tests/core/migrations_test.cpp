#include <gtest/gtest.h>

#include <array>

#include "loa/sqlite/database.hpp"
#include "loa/sqlite/migrations.hpp"
#include "support/process.hpp"

namespace loa::sqlite {
namespace {

const std::array<Migration, 2> kSteps{{
    {1, "CREATE TABLE a (x INTEGER);"},
    {2, "ALTER TABLE a ADD COLUMN y TEXT NOT NULL DEFAULT 'none';"},
}};

TEST(Migrations, AppliesEachStepOnceAndRecordsTheVersion) {
  test::ScratchDir dir;
  const auto path = dir.path() + "/x.db";
  {
    Database db(path);
    EXPECT_EQ(migrate(db, std::span(kSteps).first(1)), 1);
    db.exec("INSERT INTO a (x) VALUES (7)");
  }
  Database db(path);
  EXPECT_EQ(migrate(db, kSteps), 2);
  EXPECT_EQ(migrate(db, kSteps), 2);  // nothing left to do
  Statement s(db, "SELECT x, y FROM a");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.column_int(0), 7);
  EXPECT_EQ(s.column_text(1), "none");
}

TEST(Migrations, RefusesADatabaseFromANewerVersion) {
  test::ScratchDir dir;
  Database db(dir.path() + "/x.db");
  db.exec("PRAGMA user_version = 9");
  EXPECT_THROW(migrate(db, kSteps), SqliteError);
}

TEST(Migrations, AFailingStepLeavesTheDatabaseAsItWas) {
  test::ScratchDir dir;
  Database db(dir.path() + "/x.db");
  const std::array<Migration, 2> broken{{{1, "CREATE TABLE a (x INTEGER);"}, {2, "CREATE TABLE b (; nonsense"}}};
  EXPECT_THROW(migrate(db, broken), SqliteError);
  Statement v(db, "PRAGMA user_version");
  ASSERT_TRUE(v.step());
  EXPECT_EQ(v.column_int(0), 1);
}

TEST(Database, CorruptFileIsAClearError) {
  test::ScratchDir dir;
  const auto path = dir.path() + "/corrupt.db";
  test::write_file(path, std::string(8192, 'Z'));
  try {
    Database db(path);
    (void)migrate(db, kSteps);
    FAIL() << "opened a corrupt file";
  } catch (const SqliteError& e) {
    EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace loa::sqlite
