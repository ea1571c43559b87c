// The storage suite's fixture: each test runs against SQLite (a file in a scratch
// folder) and against PostgreSQL (a fresh database on the server named by
// LOA_TEST_POSTGRES, which tests/support/with-postgres starts on loopback).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <random>

#include "loa/postgres/connection.hpp"
#include "loa/store/store.hpp"
#include "support/process.hpp"

namespace loa::store {

inline StationRecord station(const std::string& id) {
  StationRecord r;
  r.id = id;
  r.name = "Trạm " + id;
  r.commune = "Cẩm Bình";
  r.public_key = "key-" + id;
  r.enrollment = Enrollment::approved;
  r.created_ms = 1000;
  return r;
}

inline const char* kPostgresEnv = "LOA_TEST_POSTGRES";

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() != "postgresql") return;
    const char* admin = std::getenv(kPostgresEnv);
    if (!admin || !*admin) {
      GTEST_SKIP() << kPostgresEnv << " is not set: run through tests/support/with-postgres (deploy/test does)";
    }
    admin_ = admin;
    database_ = "loa_test_" + std::to_string(::getpid()) + "_" + std::to_string(std::random_device{}() % 1000000);
    postgres::connect(admin_, {})->exec("CREATE DATABASE " + database_);
  }
  void TearDown() override {
    if (database_.empty()) return;
    try {
      postgres::connect(admin_, {})->exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "dropping " << database_ << ": " << e.what();
    }
  }
  // The store as a restarted controller opens it.
  std::unique_ptr<Store> open_store() {
    return GetParam() == "postgresql" ? open_postgres_store(conninfo()) : open_sqlite_store(path);
  }
  [[nodiscard]] std::string conninfo() const { return admin_ + " dbname=" + database_; }

  test::ScratchDir dir;
  std::string path = dir.path() + "/controller.db";
  std::string admin_;
  std::string database_;
};

}  // namespace loa::store
