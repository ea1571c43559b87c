// The storage suite: every test runs against SQLite (a file in a scratch folder) and
// against PostgreSQL (a fresh database on the server named by LOA_TEST_POSTGRES, which
// tests/support/with-postgres starts on loopback for the default run).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "loa/sqlite/database.hpp"
#include "store_fixture.hpp"

namespace loa::store {
namespace {

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& test) { return test.param; });

TEST_P(StoreTest, StationsZonesAndCommandsSurviveReopening) {
  {
    auto store = open_store();
    store->put_station(station("a"));
    store->put_station(station("b"));
    store->put_zone({"cam-binh", "Cẩm Bình", "commune", "", {"a", "b"}, "", {}});
    store->put_zone({"thon-1", "Thôn 1", "village", "cam-binh", {"a"}, "", {}});
    CommandRecord c;
    c.id = "c1";
    c.station_id = "a";
    c.kind = "ping";
    c.payload = std::string("\x0a\x02" "c1", 4);
    c.created_ms = 5;
    store->add_command(c);
    SeenUpdate seen{"a", 777, "10.1.2.3", "0.1.0"};
    store->record_seen(std::span(&seen, 1));
  }
  auto store = open_store();
  auto a = store->find_station("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "Trạm a");
  EXPECT_EQ(a->last_seen_ms, 777);
  EXPECT_EQ(a->last_address, "10.1.2.3");
  EXPECT_EQ(a->enrollment, Enrollment::approved);
  auto zone = store->find_zone("thon-1");
  ASSERT_TRUE(zone);
  EXPECT_EQ(zone->parent_id, "cam-binh");
  EXPECT_EQ(zone->kind, "village");
  EXPECT_EQ(store->find_zone("cam-binh")->station_ids, (std::vector<std::string>{"a", "b"}));
  auto pending = store->pending_commands();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].payload, std::string("\x0a\x02" "c1", 4));
}

// What a fleet and the standard clips' round take as the stations that sound: approved
// ones, member controllers left out, in id order.
TEST_P(StoreTest, TheSoundingStationsAreTheApprovedOnesThatAreNotMemberControllers) {
  auto store = open_store();
  store->put_station(station("c"));
  store->put_station(station("a"));
  auto pending = station("b");
  pending.enrollment = Enrollment::pending;
  store->put_station(pending);
  auto revoked = station("d");
  revoked.enrollment = Enrollment::revoked;
  store->put_station(revoked);
  auto member = station("m");
  member.member = true;
  store->put_station(member);
  EXPECT_EQ(store->sounding_station_ids(), (std::vector<std::string>{"a", "c"}));
}

TEST_P(StoreTest, CompletingACommandTwiceCountsTheDuplicate) {
  auto store = open_store();
  store->put_station(station("a"));
  store->add_command({"c1", "a", "ping", "x", CommandState::pending, 1, 0, {}, {}, "", 0, ""});
  EXPECT_TRUE(store->complete_command("c1", CommandState::applied, "ok", 10));
  EXPECT_FALSE(store->complete_command("c1", CommandState::applied, "ok", 11));
  auto c = store->find_command("c1");
  EXPECT_EQ(c->state, CommandState::applied);
  EXPECT_EQ(c->completed_ms, 10);
  EXPECT_EQ(c->duplicate_results, 1);
  EXPECT_TRUE(store->pending_commands().empty());
}

// The schedule's plays are written many rows at a time (on PostgreSQL in pipeline mode,
// without waiting for each row's answer): a bad row still fails the whole call, and the
// store goes on serving after it.
TEST_P(StoreTest, ABadRowInABatchFailsTheBatchWholeAndTheStoreGoesOn) {
  auto store = open_store();
  store->put_station(station("a"));
  for (const char* id : {"b1", "b2"}) {
    BroadcastRecord b;
    b.id = id;
    b.clip_sha256 = std::string(64, 'c');
    b.start_local = "2026-12-01T06:00:00";
    b.targets = {"all"};
    store->put_broadcast(b);
  }
  std::vector<CommandRecord> commands;
  std::vector<ScheduledPlay> plays;
  for (int i = 0; i < 1200; ++i) {  // more than one pipeline sync's worth
    const auto id = "p" + std::to_string(i);
    commands.push_back({id, "a", "play", "x", CommandState::pending, i, 0, {}, {}, "", 0, ""});
    plays.push_back({"b1", "a", 1000 + i, id});
  }
  store->add_scheduled(commands, plays);
  EXPECT_EQ(store->pending_commands().size(), 1200u);

  std::vector<CommandRecord> again{{"q1", "a", "play", "x", CommandState::pending, 1, 0, {}, {}, "", 0, ""},
                                   {"p7", "a", "play", "x", CommandState::pending, 1, 0, {}, {}, "", 0, ""}};
  std::vector<ScheduledPlay> again_plays{{"b2", "a", 5, "q1"}, {"b2", "a", 6, "p7"}};
  EXPECT_THROW(store->add_scheduled(again, again_plays), StoreError);  // p7 is there already
  EXPECT_FALSE(store->find_command("q1"));  // nothing of the failed call was kept
  EXPECT_EQ(store->pending_commands().size(), 1200u);
  EXPECT_THROW(store->add_command(again[1]), StoreError);
  store->add_command(again[0]);
  EXPECT_TRUE(store->find_command("q1"));
}

TEST_P(StoreTest, RowsAddedInBulkKeepEveryByteAndAPlayAlreadyThereIsSkipped) {
  auto store = open_store();
  store->put_station(station("a"));
  BroadcastRecord b;
  b.id = "b1";
  b.clip_sha256 = std::string(64, 'c');
  b.start_local = "2026-12-01T06:00:00";
  b.targets = {"all"};
  store->put_broadcast(b);
  std::string every_byte;
  for (int i = 0; i < 256; ++i) every_byte += static_cast<char>(i);
  const std::string odd_text = "tab\there, back\\slash, new\nline, \\N, Trạm 1";
  std::vector<CommandRecord> commands{{"c1", "a", odd_text, every_byte, CommandState::pending, 1, 0, {}, {}, "", 0, ""},
                                      {"c2", "a", "play", "", CommandState::pending, 2, 0, {}, {}, "", 0, ""}};
  store->add_scheduled(commands, std::vector<ScheduledPlay>{{"b1", "a", 1000, "c1"}, {"b1", "a", 2000, "c2"}});
  const auto c1 = store->find_command("c1");
  ASSERT_TRUE(c1);
  EXPECT_EQ(c1->payload, every_byte);
  EXPECT_EQ(c1->kind, odd_text);
  EXPECT_EQ(store->find_command("c2")->payload, "");

  // The same play again (a sync that raced another): skipped, the rest of the batch kept.
  std::vector<CommandRecord> more{{"c3", "a", "play", "x", CommandState::pending, 3, 0, {}, {}, "", 0, ""}};
  store->add_scheduled(more, std::vector<ScheduledPlay>{{"b1", "a", 1000, "c3"}, {"b1", "a", 3000, "c3"}});
  EXPECT_TRUE(store->find_command("c3"));
  const auto plays = store->scheduled_plays(0);
  ASSERT_EQ(plays.size(), 3u);
  for (const auto& p : plays) {
    if (p.planned_start_ms == 1000) {
      EXPECT_EQ(p.command_id, "c1");  // the first one stays
    }
  }
}

TEST_P(StoreTest, RemovingAStationTakesItOutOfZonesAndDropsItsCommandsAndPlays) {
  auto store = open_store();
  store->put_station(station("a"));
  store->put_station(station("b"));
  store->put_zone({"z", "Z", "custom", "", {"a", "b"}, "", {}});
  store->add_command({"c1", "a", "ping", "x", CommandState::pending, 1, 0, {}, {}, "", 0, ""});
  std::vector<CommandRecord> commands{{"p1", "a", "play", "x", CommandState::pending, 2, 0, {}, {}, "", 0, ""},
                                      {"p2", "b", "play", "x", CommandState::pending, 2, 0, {}, {}, "", 0, ""}};
  store->add_scheduled(commands, std::vector<ScheduledPlay>{{"b1", "a", 1000, "p1"}, {"b1", "b", 1000, "p2"}});
  EXPECT_TRUE(store->delete_station("a"));
  EXPECT_FALSE(store->delete_station("a"));
  EXPECT_EQ(store->find_zone("z")->station_ids, (std::vector<std::string>{"b"}));
  EXPECT_FALSE(store->find_command("c1"));
  EXPECT_FALSE(store->find_command("p1"));
  EXPECT_EQ(store->stations_scheduled("b1"), (std::vector<std::string>{"b"}));
}

TEST_P(StoreTest, ZoneWithAnUnknownStationIsRefusedWhole) {
  auto store = open_store();
  store->put_station(station("a"));
  EXPECT_THROW(store->put_zone({"z", "Z", "custom", "", {"a", "ghost"}, "", {}}), StoreError);
  EXPECT_FALSE(store->find_zone("z"));  // nothing half-written
}

TEST_P(StoreTest, CommandListingFiltersAndPages) {
  auto store = open_store();
  store->put_station(station("a"));
  store->put_station(station("b"));
  for (int i = 0; i < 5; ++i) {
    store->add_command({"a" + std::to_string(i), "a", "ping", "x", CommandState::pending, i, 0, {}, {}, "", 0, ""});
  }
  store->add_command({"b0", "b", "ping", "x", CommandState::pending, 9, 0, {}, {}, "", 0, ""});
  (void)store->complete_command("a0", CommandState::applied, "", 1);
  EXPECT_EQ(store->list_commands({"a", std::nullopt, 100, 0}).size(), 5u);
  EXPECT_EQ(store->list_commands({"a", CommandState::pending, 100, 0}).size(), 4u);
  auto page = store->list_commands({"", std::nullopt, 2, 1});
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].id, "a4");  // newest first, after skipping b0
}

TEST(SqliteStore, ACorruptDatabaseFileIsAClearError) {
  test::ScratchDir dir;
  test::write_file(dir.path() + "/controller.db", std::string(4096, 'x'));
  EXPECT_THROW((void)open_sqlite_store(dir.path() + "/controller.db"), StoreError);
}

TEST(PostgresStore, AnUnreachableServerIsAClearError) {
  // Nothing listens on port 1: refused at once, and said so.
  try {
    (void)open_postgres_store("host=127.0.0.1 port=1 dbname=loa connect_timeout=2");
    FAIL() << "opened a store on a closed port";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect"), std::string::npos) << e.what();
  }
}

TEST(PostgresStore, PlaceholdersAreNumberedAsSqliteNumbersThem) {
  EXPECT_EQ(postgres::numbered_placeholders("a = ? AND b = ?"), "a = $1 AND b = $2");
  EXPECT_EQ(postgres::numbered_placeholders("(?1 = '' OR s = ?1) AND (?2 = 0) LIMIT ?3"),
            "($1 = '' OR s = $1) AND ($2 = 0) LIMIT $3");
  EXPECT_EQ(postgres::numbered_placeholders("(? = '' OR \"user\" = ?1) AND x = '?'"),
            "($1 = '' OR \"user\" = $1) AND x = '?'");
}


}  // namespace
}  // namespace loa::store

namespace loa::store {
namespace {

TEST_P(StoreTest, AlarmsOpenCloseAndAreAcknowledged) {
  auto store = open_store();
  store->put_station(station("a"));
  store->record_alarm("a", "amp.hot", "amp", true, "critical", "hot (temperature 88)", "nóng (temperature 88)", 100);
  store->record_alarm("a", "amp.hot", "amp", true, "critical", "again", "", 150);  // still open: ignored
  ASSERT_EQ(store->list_alarms("a", true, 10).size(), 1u);
  EXPECT_TRUE(store->acknowledge_alarm("a", "amp.hot", "tech", 160));
  store->record_alarm("a", "amp.hot", "amp", false, "critical", "cooled", "đã nguội", 200);
  EXPECT_TRUE(store->list_alarms("a", true, 10).empty());
  auto all = store->list_alarms("a", false, 10);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].message, "hot (temperature 88)");
  EXPECT_EQ(all[0].message_vi, "nóng (temperature 88)");
  EXPECT_EQ(all[0].clear_message_vi, "đã nguội");
  EXPECT_EQ(all[0].cleared_ms, 200);
  EXPECT_EQ(all[0].acknowledged_by, "tech");
  EXPECT_FALSE(store->acknowledge_alarm("a", "amp.hot", "tech", 210));  // nothing open
}

TEST_P(StoreTest, TelemetryKeepsFullDetailForADayThenOnePerBucket) {
  auto store = open_store();
  store->put_station(station("a"));
  for (int i = 0; i < 60; ++i) store->add_telemetry({"a", "amp", i * 10'000, "r"});  // every 10 s for 10 min
  store->add_telemetry({"a", "amp", 0, "dup"});                                        // repeated: ignored
  EXPECT_EQ(store->list_telemetry({"a", "", 0, INT64_MAX, 1000}).size(), 60u);
  // Everything before 400 s is old: keep one per 5 minutes there.
  EXPECT_EQ(store->downsample_telemetry(400'000, 300'000), 38u);
  auto left = store->list_telemetry({"a", "amp", 0, INT64_MAX, 1000});
  EXPECT_EQ(left.size(), 22u);
  EXPECT_EQ(left[0].measured_ms, 0);
  EXPECT_EQ(left[1].measured_ms, 300'000);
  EXPECT_EQ(store->latest_telemetry("a")[0].measured_ms, 590'000);
}


TEST_P(StoreTest, BroadcastsAreReplacedWholeCancelledOnceAndTheirPlaysRecordedOnce) {
  auto store = open_store();
  store->put_station(station("a"));
  BroadcastRecord b;
  b.id = "b-1";
  b.title = "Bản tin sáng";
  b.clip_sha256 = std::string(64, 'c');
  b.start_local = "2026-12-01T06:00:00";
  b.rrule = "FREQ=DAILY";
  b.exdates = {"2026-12-25"};
  b.volume = 0.75;
  b.targets = {"all", "zone:cam-binh"};
  b.created_ms = 10;
  store->put_broadcast(b);
  b.title = "Bản tin sáng (sửa)";
  b.targets = {"station:a"};
  store->put_broadcast(b);  // replaced: one broadcast, the new targets only
  auto all = store->list_broadcasts(true);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].title, "Bản tin sáng (sửa)");
  EXPECT_EQ(all[0].targets, std::vector<std::string>{"station:a"});
  EXPECT_EQ(all[0].exdates, std::vector<std::string>{"2026-12-25"});
  EXPECT_DOUBLE_EQ(all[0].volume, 0.75);
  EXPECT_FALSE(all[0].cancelled_ms);
  CommandRecord play{"p-1", "a", "play", std::string("\0\1\2", 3), CommandState::pending, 20, 0, {}, {}, "", 0, ""};
  ScheduledPlay sp{"b-1", "a", 1000, "p-1"};
  store->add_scheduled(std::span(&play, 1), std::span(&sp, 1));
  ScheduledPlay again{"b-1", "a", 1000, "p-2"};
  store->add_scheduled({}, std::span(&again, 1));  // the same occurrence: kept as first sent
  auto plays = store->scheduled_plays(0);
  ASSERT_EQ(plays.size(), 1u);
  EXPECT_EQ(plays[0].command_id, "p-1");
  EXPECT_EQ(store->stations_scheduled("b-1"), std::vector<std::string>{"a"});
  EXPECT_EQ(store->find_command("p-1")->payload, std::string("\0\1\2", 3));
  EXPECT_TRUE(store->cancel_broadcast("b-1", "op", 30));
  EXPECT_FALSE(store->cancel_broadcast("b-1", "op", 31));
  EXPECT_TRUE(store->list_broadcasts(false).empty());
  EXPECT_EQ(store->find_broadcast("b-1")->cancelled_by, "op");
}

TEST_P(StoreTest, AsRunKeepsTheFirstReportOfEachPlayoutAndAnswersQueries) {
  auto store = open_store();
  store->put_station(station("a"));
  store->put_station(station("b"));
  store->add_asrun({"a", "b-1", "clip", 1000, 1005, 9000, "played", "", 1005'000'123, 0, 0, 0});
  store->add_asrun({"a", "b-1", "clip", 1000, 1006, 9000, "failed", "again", 0, 0, 0, 0});  // repeated: ignored
  store->add_asrun({"b", "b-1", "clip", 1000, 0, 0, "missed", "offline", 0, 0, 0, 0});
  store->add_asrun({"b", "b-2", "live", 5000, 5001, 8000, "played", "", 0, 150, 3, 60});
  AsRunQuery q;
  q.broadcast_id = "b-1";
  auto rows = store->query_asrun(q);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].outcome, "played");
  EXPECT_EQ(rows[0].actual_start_ns, 1005'000'123);
  q = {};
  q.station_ids = {"b"};
  q.since_ms = 2000;
  rows = store->query_asrun(q);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].frames_concealed, 3);
  EXPECT_EQ(rows[0].longest_gap_ms, 60);
  EXPECT_EQ(store->list_asrun("a", 0, 10).size(), 1u);
}

TEST_P(StoreTest, UsersTokensAndAnAuditChainThatShowsTampering) {
  auto store = open_store();
  store->put_user({"lan", "$argon2id$hash", {"emergency", "viewer"}, {"cam-binh"}, 5});
  store->put_token({"tok-1", "lan", "nightly", std::string(64, 'a'), 6, 0});
  EXPECT_EQ(store->find_token_by_hash(std::string(64, 'a'))->user, "lan");
  EXPECT_EQ(store->list_tokens("lan").size(), 1u);
  EXPECT_EQ(store->list_tokens("").size(), 1u);
  EXPECT_EQ(store->find_user("lan")->roles, (std::vector<std::string>{"emergency", "viewer"}));
  EXPECT_TRUE(store->delete_user("lan"));
  EXPECT_FALSE(store->find_token_by_hash(std::string(64, 'a')));  // the user's tokens go with them
  for (int i = 0; i < 5; ++i) store->add_audit(audit_entry(100 + i, "lan", "http.post", "/x", "", "10.0.0.1", 200));
  auto check = store->verify_audit();
  EXPECT_EQ(check.entries, 5);
  EXPECT_FALSE(check.broken_at);
  auto newest = store->list_audit("", 2);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].seq, 5);
  EXPECT_EQ(newest[0].address, "10.0.0.1");
}

// A console session nobody logged out of is dropped by the next login after it expires.
TEST_P(StoreTest, ALoginDropsEverySessionPastItsExpiry) {
  auto store = open_store();
  store->put_session({std::string(64, 'a'), "lan", 100}, 50);
  store->put_session({std::string(64, 'b'), "minh", 1000}, 50);
  EXPECT_TRUE(store->find_session(std::string(64, 'a')));
  store->put_session({std::string(64, 'c'), "lan", 2000}, 200);
  EXPECT_FALSE(store->find_session(std::string(64, 'a')));
  EXPECT_EQ(store->find_session(std::string(64, 'b'))->user, "minh");
  store->delete_session(std::string(64, 'c'), 300);
  EXPECT_FALSE(store->find_session(std::string(64, 'c')));
  EXPECT_TRUE(store->find_session(std::string(64, 'b')));
}

TEST_P(StoreTest, AnAlertIsDeliveredAllAtOnceAndACapMessageIsSeenOnce) {
  auto store = open_store();
  store->put_station(station("a"));
  store->put_station(station("b"));
  AlertRecord alert;
  alert.id = "A-1";
  alert.state = "issued";
  alert.definition = R"({"severity":"severe"})";
  alert.created_by = "lan";
  alert.expires_ms = 9000;
  std::vector<CommandRecord> commands{{"c-a", "a", "play", "x", CommandState::pending, 1, 0, {}, {}, "", 0, ""},
                                      {"c-b", "b", "play", "x", CommandState::pending, 1, 0, {}, {}, "", 0, ""}};
  std::vector<AlertDelivery> deliveries{{"A-1", "a", "sent", "", 2, 0, 0, 1}, {"A-1", "b", "sent", "", 2, 0, 0, 1}};
  store->deliver_alert(alert, commands, deliveries, audit_entry(1, "lan", "alert.issue", "A-1"));
  EXPECT_EQ(store->find_alert("A-1")->state, "issued");
  EXPECT_EQ(store->list_deliveries("A-1").size(), 2u);
  EXPECT_EQ(store->alert_commands("A-1").size(), 2u);
  EXPECT_EQ(store->pending_commands().size(), 2u);
  std::vector<std::string> withdraw{"c-b"};
  store->withdraw_commands(withdraw, "alert cancelled", 50);
  EXPECT_EQ(store->find_command("c-b")->state, CommandState::rejected);  // never sent
  EXPECT_TRUE(store->record_cap_message("sender@x", "msg-1", "A-1", 5));
  EXPECT_FALSE(store->record_cap_message("sender@x", "msg-1", "A-1", 6));
  EXPECT_EQ(store->alert_of_cap("sender@x", "msg-1"), "A-1");
  EXPECT_EQ(store->verify_audit().entries, 1);
}

TEST_P(StoreTest, ClipsAndPinsRoundTrip) {
  auto store = open_store();
  store->put_station(station("a"));
  store->put_clip({std::string(64, 'e'), "Còi báo động", 4200, 33000, -18.5, -4.5, "audio/x-wav", 7, std::string(64, 's')});
  auto clip = store->find_clip(std::string(64, 'e'));
  ASSERT_TRUE(clip);
  EXPECT_EQ(clip->source_sha256, std::string(64, 's'));
  // The same upload finds it again; an unknown one, or no source at all, finds nothing.
  ASSERT_TRUE(store->find_clip_by_source(std::string(64, 's')));
  EXPECT_EQ(store->find_clip_by_source(std::string(64, 's'))->sha256, std::string(64, 'e'));
  EXPECT_FALSE(store->find_clip_by_source(std::string(64, 't')));
  EXPECT_FALSE(store->find_clip_by_source(""));
  EXPECT_EQ(clip->name, "Còi báo động");
  EXPECT_DOUBLE_EQ(clip->source_lufs, -18.5);
  CommandRecord pin{"pin-1", "a", "cache_clip", "x", CommandState::pending, 1, 0, {}, {}, "", 0, ""};
  std::pair<std::string, std::string> pinned{"a", std::string(64, 'e')};
  store->add_pins(std::span(&pin, 1), std::span(&pinned, 1));
  store->add_pins({}, std::span(&pinned, 1));  // again: one pin
  EXPECT_EQ(store->list_pins().size(), 1u);
  EXPECT_TRUE(store->delete_clip(std::string(64, 'e')));
  EXPECT_TRUE(store->list_clips().empty());
}

TEST_P(StoreTest, ALicenceIsStoredWithTheCommandThatSendsItAndReplacedByTheNext) {
  auto store = open_store();
  store->put_station(station("a"));
  LicenceRecord licence{"a", 99100, 10, 500, "2027-06-30", "TA-1", true, 10, "lan", "lc-1"};
  CommandRecord send{"lc-1", "a", "set_licence", "x", CommandState::pending, 10, 0, {}, {}, "", 0, ""};
  store->put_licence(licence, send);
  auto found = store->find_licence("a");
  ASSERT_TRUE(found);
  EXPECT_DOUBLE_EQ(found->assigned_khz, 99100);
  EXPECT_DOUBLE_EQ(found->max_power_w, 500);
  EXPECT_EQ(found->expires, "2027-06-30");
  EXPECT_TRUE(found->temporary);
  EXPECT_EQ(found->updated_by, "lan");
  EXPECT_EQ(store->find_command("lc-1")->kind, "set_licence");
  // A second version replaces the first; its command is stored beside the first one's.
  licence.assigned_khz = 99300;
  licence.temporary = false;
  licence.command_id = "lc-2";
  send.id = "lc-2";
  store->put_licence(licence, send);
  EXPECT_DOUBLE_EQ(store->find_licence("a")->assigned_khz, 99300);
  EXPECT_FALSE(store->find_licence("a")->temporary);
  EXPECT_EQ(store->find_licence("a")->command_id, "lc-2");
  EXPECT_EQ(store->list_licences().size(), 1u);
  EXPECT_EQ(store->pending_commands().size(), 2u);
  // A command id already used: the whole change is refused, the licence stays as it was.
  licence.assigned_khz = 1;
  EXPECT_THROW(store->put_licence(licence, send), StoreError);
  EXPECT_DOUBLE_EQ(store->find_licence("a")->assigned_khz, 99300);
  EXPECT_FALSE(store->find_licence("b"));
  EXPECT_TRUE(store->delete_station("a"));
  EXPECT_TRUE(store->list_licences().empty());
}

TEST_P(StoreTest, EveryVersionOfAStationsConfigurationIsKeptWithItsCommand) {
  auto store = open_store();
  store->put_station(station("a"));
  store->put_station(station("b"));
  auto version = [](const std::string& id, std::uint32_t v, const std::string& command) {
    return StationConfigRecord{id, v, "d" + std::to_string(v), "s.yaml", R"({"s.yaml":"kind: ip_cluster"})", "", "lan",
                               10 * v, command};
  };
  auto send = [](const std::string& id, const std::string& station_id) {
    return CommandRecord{id, station_id, "apply_config", "x", CommandState::pending, 10, 0, {}, {}, "", 0, ""};
  };
  store->add_station_config(version("a", 1, "c-1"), send("c-1", "a"));
  store->add_station_config(version("a", 2, "c-2"), send("c-2", "a"));
  store->add_station_config(version("b", 1, "c-3"), send("c-3", "b"));
  const auto history = store->list_station_configs("a", 0);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].version, 2u);  // newest first
  EXPECT_EQ(history[1].digest, "d1");
  EXPECT_EQ(store->list_station_configs("a", 1).size(), 1u);
  EXPECT_EQ(store->find_station_config("a", 1)->command_id, "c-1");
  EXPECT_EQ(store->find_station_config("a", 1)->files, R"({"s.yaml":"kind: ip_cluster"})");
  EXPECT_FALSE(store->find_station_config("a", 3));
  const auto latest = store->latest_station_configs();
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].station_id, "a");
  EXPECT_EQ(latest[0].version, 2u);
  EXPECT_EQ(latest[1].station_id, "b");
  EXPECT_TRUE(latest[0].files.empty());  // the digest is what drift needs
  EXPECT_EQ(latest[0].digest, "d2");
  EXPECT_EQ(store->find_command("c-2")->kind, "apply_config");
  // A version the station already has: refused whole, its command with it.
  EXPECT_THROW(store->add_station_config(version("a", 2, "c-4"), send("c-4", "a")), StoreError);
  EXPECT_FALSE(store->find_command("c-4"));
  EXPECT_TRUE(store->delete_station("a"));
  EXPECT_TRUE(store->list_station_configs("a", 0).empty());
}

TEST_P(StoreTest, ALiveStreamKeepsItsStationsUntilItEnds) {
  auto store = open_store();
  store->put_station(station("a"));
  store->put_station(station("b"));
  LiveStreamRecord l{"s-1", "test:tone", "thu-loa", "live", 0.8, "resume", {"b", "a"}, 100, "lan", {}, ""};
  store->add_live_stream(l);
  EXPECT_THROW(store->add_live_stream(l), StoreError);  // the id is taken
  l.id = "s-2";
  l.station_ids = {"a", "nowhere"};
  EXPECT_THROW(store->add_live_stream(l), StoreError);  // refused whole
  EXPECT_FALSE(store->find_live_stream("s-2"));
  auto running = store->list_live_streams(true, 10);
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].station_ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_DOUBLE_EQ(running[0].volume, 0.8);
  EXPECT_EQ(running[0].on_preempt, "resume");
  EXPECT_FALSE(running[0].ended_ms);
  EXPECT_TRUE(store->end_live_stream("s-1", 200, "minh"));
  EXPECT_FALSE(store->end_live_stream("s-1", 300, "minh"));  // ended once
  EXPECT_TRUE(store->list_live_streams(true, 10).empty());
  auto ended = store->find_live_stream("s-1");
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->ended_ms, 200);
  EXPECT_EQ(ended->ended_by, "minh");
  EXPECT_TRUE(store->delete_station("b"));
  EXPECT_EQ(store->find_live_stream("s-1")->station_ids, std::vector<std::string>{"a"});
}

// Moving a district from SQLite to PostgreSQL keeps every record, and the copy is a
// store the controller opens as it was.
class StoreCopyTest : public StoreTest {};
INSTANTIATE_TEST_SUITE_P(ToPostgres, StoreCopyTest, ::testing::Values("postgresql"),
                         [](const auto& test) { return test.param; });

TEST_P(StoreCopyTest, ASqliteDistrictCopiedToPostgresIsTheSameDistrict) {
  {
    auto sqlite = open_sqlite_store(path);
    sqlite->put_station(station("a"));
    sqlite->put_zone({"cam-binh", "Cẩm Bình", "commune", "", {"a"}, "22:00-05:00", {}});
    sqlite->put_zone({"thon-1", "Thôn 1", "village", "cam-binh", {"a"}, "", {}});
    sqlite->add_command({"c1", "a", "ping", std::string("\0bytes\xff", 7), CommandState::pending, 1, 0, {}, {}, "", 0, ""});
    sqlite->add_telemetry({"a", "amp", 100, std::string("\x08\x00\x10", 3)});
    sqlite->put_user({"lan", "$argon2id$hash", {"emergency"}, {}, 5});
    for (int i = 0; i < 3; ++i) sqlite->add_audit(audit_entry(100 + i, "lan", "login", "lan"));
    sqlite->put_licence({"a", 64500, 10, 30, "2027-01-31", "", false, 9, "lan", "lc-1"},
                        {"lc-1", "a", "set_licence", "x", CommandState::pending, 9, 0, {}, {}, "", 0, ""});
  }
  auto copied = copy_sqlite_to_postgres(path, conninfo());
  std::map<std::string, std::int64_t> rows(copied.begin(), copied.end());
  EXPECT_EQ(rows["stations"], 1);
  EXPECT_EQ(rows["audit_log"], 3);
  auto pg = open_store();
  EXPECT_EQ(pg->find_zone("thon-1")->parent_id, "cam-binh");
  EXPECT_EQ(pg->find_zone("cam-binh")->quiet_hours, "22:00-05:00");
  EXPECT_EQ(pg->find_command("c1")->payload, std::string("\0bytes\xff", 7));
  EXPECT_EQ(pg->latest_telemetry("a")[0].reading, std::string("\x08\x00\x10", 3));
  EXPECT_EQ(pg->find_licence("a")->expires, "2027-01-31");
  auto check = pg->verify_audit();  // the chain survives the move
  EXPECT_EQ(check.entries, 3);
  EXPECT_FALSE(check.broken_at);
  // Into a database that already holds a district: refused, nothing changed.
  EXPECT_THROW((void)copy_sqlite_to_postgres(path, conninfo()), StoreError);
}

// The schema is written once for both databases: the same tables, the same columns
// in the same order, and the same indexes, whichever the district runs on.
TEST_P(StoreCopyTest, BothDatabasesGetTheSameTablesColumnsAndIndexes) {
  (void)open_sqlite_store(path);
  (void)open_store();
  std::map<std::string, std::vector<std::string>> sqlite_columns, postgres_columns;
  std::set<std::string> sqlite_indexes, postgres_indexes;
  {
    sqlite::Database db(path);
    sqlite::Statement columns(db,
                              "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
                              "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid");
    while (columns.step()) sqlite_columns[columns.column_text(0)].push_back(columns.column_text(1));
    sqlite::Statement indexes(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL");
    while (indexes.step()) sqlite_indexes.insert(indexes.column_text(0));
  }
  {
    auto db = postgres::connect(conninfo(), {});
    sql::Statement columns(*db,
                           "SELECT table_name, column_name FROM information_schema.columns "
                           "WHERE table_schema = 'public' AND table_name <> 'loa_schema' "
                           "ORDER BY table_name, ordinal_position");
    while (columns.step()) postgres_columns[columns.column_text(0)].push_back(columns.column_text(1));
    // Indexes the schema names (PostgreSQL's own for primary keys and UNIQUE end in _pkey, _key).
    sql::Statement indexes(*db,
                           "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' "
                           "AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'");
    while (indexes.step()) postgres_indexes.insert(indexes.column_text(0));
  }
  // With controller_lease and console_sessions, not copied: a lease or a login means
  // nothing in a new database.
  EXPECT_EQ(sqlite_columns.size(), 38u);
  EXPECT_EQ(sqlite_columns, postgres_columns);
  EXPECT_FALSE(sqlite_indexes.empty());
  EXPECT_EQ(sqlite_indexes, postgres_indexes);
}

}  // namespace
}  // namespace loa::store
