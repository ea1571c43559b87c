#include <gtest/gtest.h>

#include "loa/store/store.hpp"
#include "loa/curve/key_pair.hpp"
#include "loa/registry/station_registry.hpp"
#include "support/process.hpp"

namespace loa::registry {
namespace {

using namespace std::chrono_literals;

store::StationRecord rec(const std::string& id, const std::string& key, const std::string& name = "") {
  store::StationRecord r;
  r.id = id;
  r.public_key = key;
  r.name = name;
  return r;
}

class StationRegistryTest : public ::testing::Test {
 protected:
  test::ScratchDir dir;
  std::unique_ptr<store::Store> store = store::open_sqlite_store(dir.path() + "/c.db");
  time::ManualClock clock;
  std::string key_a = curve::generate().public_z85;
  std::string key_b = curve::generate().public_z85;
};

TEST_F(StationRegistryTest, UnknownKeyIsRefusedUntilEnrolledAndApproved) {
  StationRegistry reg(*store, clock);
  EXPECT_EQ(reg.admit(key_a).verdict, AuthVerdict::unknown_key);
  EXPECT_EQ(reg.enroll("xa-1", key_a, "10.0.0.5"), AuthVerdict::pending_approval);
  EXPECT_EQ(reg.find("xa-1")->state, StationState::pending);
  EXPECT_EQ(reg.find("xa-1")->key_fingerprint, curve::fingerprint(key_a));
  EXPECT_EQ(reg.admit(key_a).verdict, AuthVerdict::pending_approval);
  EXPECT_EQ(reg.approve("xa-1", curve::fingerprint(key_b)), ActionResult::fingerprint_mismatch);
  EXPECT_EQ(reg.approve("xa-1", ""), ActionResult::fingerprint_mismatch);
  EXPECT_EQ(reg.find("xa-1")->state, StationState::pending);
  EXPECT_EQ(reg.approve("xa-1", curve::fingerprint(key_a)), ActionResult::done);
  auto admitted = reg.admit(key_a);
  EXPECT_EQ(admitted.verdict, AuthVerdict::admitted);
  EXPECT_EQ(admitted.station_id, "xa-1");
}

TEST_F(StationRegistryTest, OneKeyCannotClaimTwoStationsNorTakeAnEnrolledOne) {
  StationRegistry reg(*store, clock);
  ASSERT_EQ(reg.provision(rec("xa-1", key_a)), ActionResult::done);
  EXPECT_EQ(reg.enroll("xa-2", key_a, "x"), AuthVerdict::key_mismatch);
  EXPECT_EQ(reg.enroll("xa-1", key_b, "x"), AuthVerdict::key_mismatch);
  EXPECT_EQ(reg.admit(key_b).verdict, AuthVerdict::unknown_key);
  EXPECT_EQ(reg.provision(rec("xa-3", key_a)), ActionResult::invalid);
}

TEST_F(StationRegistryTest, RevokedKeyStaysOutEvenForEnrollment) {
  StationRegistry reg(*store, clock);
  ASSERT_EQ(reg.provision(rec("xa-1", key_a)), ActionResult::done);
  EXPECT_EQ(reg.revoke("xa-1"), ActionResult::done);
  EXPECT_EQ(reg.admit(key_a).verdict, AuthVerdict::revoked);
  EXPECT_EQ(reg.may_enroll(key_a), AuthVerdict::revoked);
  EXPECT_FALSE(reg.is_admitted("xa-1"));
  EXPECT_EQ(reg.approve("xa-1", curve::fingerprint(key_a)), ActionResult::wrong_state);  // a revoked key needs a new one
}

TEST_F(StationRegistryTest, OnlineUntilSilentForTheDeadlineThenOffline) {
  StationRegistry reg(*store, clock);
  ASSERT_EQ(reg.provision(rec("xa-1", key_a)), ActionResult::done);
  EXPECT_EQ(reg.find("xa-1")->state, StationState::offline);
  reg.on_hello("xa-1", "0.1.0", "10.0.0.5");
  EXPECT_EQ(reg.find("xa-1")->state, StationState::online);
  clock.advance(1400ms);
  reg.on_traffic("xa-1");
  clock.advance(1400ms);
  EXPECT_TRUE(reg.sweep(1500ms).empty());
  clock.advance(200ms);
  EXPECT_EQ(reg.sweep(1500ms), std::vector<std::string>{"xa-1"});
  EXPECT_EQ(reg.find("xa-1")->state, StationState::offline);
}

TEST_F(StationRegistryTest, OnlineAmongManyAnswersEachInTheOrderAsked) {
  StationRegistry reg(*store, clock);
  ASSERT_EQ(reg.provision(rec("xa-1", key_a)), ActionResult::done);
  ASSERT_EQ(reg.provision(rec("xa-2", key_b)), ActionResult::done);
  reg.on_hello("xa-2", "0.1.0", "10.0.0.6");
  EXPECT_EQ(reg.online({"xa-2", "xa-1", "nobody", "xa-2"}), (std::vector<bool>{true, false, false, true}));
  EXPECT_TRUE(reg.online({}).empty());
}

TEST_F(StationRegistryTest, StateComesBackFromTheStoreWithEveryoneOffline) {
  {
    StationRegistry reg(*store, clock);
    ASSERT_EQ(reg.provision(rec("xa-1", key_a, "Xã 1")), ActionResult::done);
    EXPECT_EQ(reg.enroll("xa-2", key_b, "x"), AuthVerdict::pending_approval);
    reg.on_hello("xa-1", "0.1.0", "10.0.0.5");
    reg.flush_seen();
  }
  StationRegistry again(*store, clock);
  EXPECT_EQ(again.find("xa-1")->state, StationState::offline);
  EXPECT_EQ(again.find("xa-1")->record.software_version, "0.1.0");
  EXPECT_EQ(again.find("xa-1")->record.last_seen_ms, clock.wall_ms());
  EXPECT_EQ(again.find("xa-2")->state, StationState::pending);
  EXPECT_EQ(again.admit(key_a).station_id, "xa-1");
}

TEST_F(StationRegistryTest, PendingListIsBounded) {
  EnrollmentLimits limits;
  limits.max_pending = 2;
  StationRegistry reg(*store, clock, limits);
  EXPECT_EQ(reg.enroll("p1", curve::generate().public_z85, "x"), AuthVerdict::pending_approval);
  EXPECT_EQ(reg.enroll("p2", curve::generate().public_z85, "x"), AuthVerdict::pending_approval);
  EXPECT_EQ(reg.enroll("p3", curve::generate().public_z85, "x"), AuthVerdict::too_many_pending);
  EXPECT_FALSE(reg.find("p3"));
}

TEST_F(StationRegistryTest, StationIdsAreCheckedBeforeAnythingIsRecorded) {
  StationRegistry reg(*store, clock);
  EXPECT_EQ(reg.enroll("", key_a, "x"), AuthVerdict::no_station_id);
  EXPECT_EQ(reg.enroll("bad id; drop table", key_a, "x"), AuthVerdict::no_station_id);
  EXPECT_EQ(reg.enroll(std::string(65, 'a'), key_a, "x"), AuthVerdict::no_station_id);
  EXPECT_TRUE(reg.list().empty());
}

TEST_F(StationRegistryTest, AFloodOfNewKeysFromOneAddressIsHeldToItsRate) {
  EnrollmentLimits limits;
  limits.per_address_burst = 3;
  limits.per_address_per_minute = 1;
  StationRegistry reg(*store, clock, limits);
  int pending = 0;
  int limited = 0;
  for (int i = 0; i < 100; ++i) {
    const auto v = reg.enroll("flood-" + std::to_string(i), curve::generate().public_z85, "203.0.113.9");
    pending += v == AuthVerdict::pending_approval;
    limited += v == AuthVerdict::rate_limited;
  }
  EXPECT_EQ(pending, 3);
  EXPECT_EQ(limited, 97);
  // Another address still gets in, and the flooding one again after a minute.
  EXPECT_EQ(reg.enroll("real-1", key_a, "198.51.100.7"), AuthVerdict::pending_approval);
  EXPECT_EQ(reg.enroll("flood-x", curve::generate().public_z85, "203.0.113.9"), AuthVerdict::rate_limited);
  clock.advance(61s);
  EXPECT_EQ(reg.enroll("flood-y", curve::generate().public_z85, "203.0.113.9"), AuthVerdict::pending_approval);
}

TEST_F(StationRegistryTest, AllAddressesTogetherAreHeldToTheGlobalRate) {
  EnrollmentLimits limits;
  limits.global_burst = 10;
  limits.global_per_minute = 0;
  StationRegistry reg(*store, clock, limits);
  int pending = 0;
  for (int i = 0; i < 50; ++i) {
    pending += reg.enroll("s-" + std::to_string(i), curve::generate().public_z85, "10.0." + std::to_string(i) + ".1") ==
               AuthVerdict::pending_approval;
  }
  EXPECT_EQ(pending, 10);
}

TEST_F(StationRegistryTest, ASecondKeyForAPendingIdIsRefusedAndShownNeverSwappedIn) {
  StationRegistry reg(*store, clock);
  ASSERT_EQ(reg.enroll("xa-1", key_a, "10.0.0.5"), AuthVerdict::pending_approval);
  EXPECT_EQ(reg.enroll("xa-1", key_b, "203.0.113.9"), AuthVerdict::key_conflict);
  EXPECT_EQ(reg.enroll("xa-1", key_b, "203.0.113.9"), AuthVerdict::key_conflict);
  const auto view = reg.find("xa-1");
  EXPECT_EQ(view->key_fingerprint, curve::fingerprint(key_a));
  ASSERT_TRUE(view->key_conflict);
  EXPECT_EQ(view->key_conflict->fingerprint, curve::fingerprint(key_b));
  EXPECT_EQ(view->key_conflict->address, "203.0.113.9");
  EXPECT_EQ(view->key_conflict->attempts, 2u);
  EXPECT_EQ(reg.admit(key_b).verdict, AuthVerdict::unknown_key);
  // Approving the key the intruder sent is refused; the first one is let in.
  EXPECT_EQ(reg.approve("xa-1", curve::fingerprint(key_b)), ActionResult::fingerprint_mismatch);
  EXPECT_EQ(reg.approve("xa-1", curve::fingerprint(key_a)), ActionResult::done);
  EXPECT_FALSE(reg.find("xa-1")->key_conflict);  // approved: nothing left to decide
}

TEST_F(StationRegistryTest, APendingStationNobodyApprovesIsForgottenAfterItsTime) {
  EnrollmentLimits limits;
  limits.pending_ttl = std::chrono::hours(24);
  StationRegistry reg(*store, clock, limits);
  ASSERT_EQ(reg.enroll("old", key_a, "x"), AuthVerdict::pending_approval);
  ASSERT_EQ(reg.provision(rec("kept", key_b)), ActionResult::done);
  clock.advance(std::chrono::hours(23));
  EXPECT_TRUE(reg.expire_pending().empty());
  clock.advance(std::chrono::hours(2));
  EXPECT_EQ(reg.expire_pending(), std::vector<std::string>{"old"});
  EXPECT_FALSE(reg.find("old"));
  EXPECT_TRUE(reg.find("kept"));
  EXPECT_FALSE(store->find_station("old"));
  EXPECT_EQ(reg.enroll("old", key_a, "x"), AuthVerdict::pending_approval);  // it may ask again
}

}  // namespace
}  // namespace loa::registry
