#include <gtest/gtest.h>

#include <filesystem>

#include "loa/agent/agent_state.hpp"
#include "loa/agent/clip_cache.hpp"
#include "loa/agent/command_applier.hpp"
#include "support/process.hpp"

namespace loa::agent {
namespace {

namespace v1 = ::loa::v1;

v1::Command ping(const std::string& id, const std::string& text) {
  v1::Command c;
  c.set_id(id);
  c.mutable_ping()->set_text(text);
  return c;
}

TEST(CommandApplier, AppliesARepeatedIdOnceAndAnswersItAgain) {
  test::ScratchDir dir;
  time::ManualClock clock;
  AgentState state(dir.path() + "/agent.db");
  CommandApplier applier(state, clock);
  auto first = applier.apply(ping("c1", "hello"));
  EXPECT_EQ(first.outcome(), v1::CommandResult::OUTCOME_APPLIED);
  EXPECT_EQ(first.detail(), "hello");
  EXPECT_FALSE(first.duplicate());
  auto again = applier.apply(ping("c1", "hello"));
  EXPECT_TRUE(again.duplicate());
  EXPECT_EQ(again.outcome(), v1::CommandResult::OUTCOME_APPLIED);
  EXPECT_NE(again.report_seq(), first.report_seq());  // answered again through the outbox
  ASSERT_EQ(state.journal(10).size(), 1u);            // but done once
}

TEST(CommandApplier, RemembersAppliedIdsAcrossARestart) {
  test::ScratchDir dir;
  time::ManualClock clock;
  {
    AgentState state(dir.path() + "/agent.db");
    CommandApplier applier(state, clock);
    (void)applier.apply(ping("c1", "x"));
  }
  AgentState state(dir.path() + "/agent.db");
  CommandApplier applier(state, clock);
  EXPECT_TRUE(applier.apply(ping("c1", "x")).duplicate());
  EXPECT_EQ(state.journal(10).size(), 1u);
}

TEST(CommandApplier, ExpiredAndUnknownCommandsAreRejectedNotGuessed) {
  test::ScratchDir dir;
  time::ManualClock clock;
  AgentState state(dir.path() + "/agent.db");
  CommandApplier applier(state, clock);
  auto expired = ping("c1", "late");
  expired.set_expires_at_ms(clock.wall_ms() - 1);
  EXPECT_EQ(applier.apply(expired).outcome(), v1::CommandResult::OUTCOME_REJECTED);
  v1::Command empty;
  empty.set_id("c2");
  auto r = applier.apply(empty);
  EXPECT_EQ(r.outcome(), v1::CommandResult::OUTCOME_REJECTED);
  EXPECT_EQ(r.detail(), "command not supported by this agent version");
}

// Whatever the controller (or anyone who took its place) sends, no field becomes a
// path or pipeline text unchecked.
TEST(CommandApplier, FieldsThatWouldBecomePathsOrPipelineTextAreCheckedFirst) {
  test::ScratchDir dir;
  time::ManualClock clock;
  AgentState state(dir.path() + "/agent.db");
  ClipCache clips(dir.path() + "/clips", 1 << 20);
  CommandApplier applier(state, clock, nullptr, &clips);
  v1::Command escape;
  escape.set_id("c1");
  escape.mutable_cache_clip()->set_clip_sha256("../../escape");
  escape.mutable_cache_clip()->set_total_bytes(10);
  EXPECT_NE(CommandApplier::invalid_field(escape), "");
  EXPECT_FALSE(clips.want(escape));  // the cache will not fetch it either
  auto r = applier.apply(escape);
  EXPECT_EQ(r.outcome(), v1::CommandResult::OUTCOME_REJECTED);
  EXPECT_NE(r.detail().find("64"), std::string::npos) << r.detail();
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/escape.part"));

  v1::Command inject;
  inject.set_id("c2");
  inject.mutable_play()->set_clip_sha256(std::string(64, 'a'));
  inject.mutable_play()->set_broadcast_id("x\" ! filesink location=\"/tmp/owned");
  EXPECT_EQ(applier.apply(inject).outcome(), v1::CommandResult::OUTCOME_REJECTED);
  inject.mutable_play()->set_broadcast_id("A-68c34c10-u1");
  EXPECT_EQ(CommandApplier::invalid_field(inject), "");
  inject.mutable_play()->set_volume(7);
  EXPECT_NE(CommandApplier::invalid_field(inject), "");

  v1::Command huge;
  huge.set_id("c3");
  huge.mutable_cache_clip()->set_clip_sha256(std::string(64, 'b'));
  huge.mutable_cache_clip()->set_total_bytes(1ULL << 40);
  EXPECT_NE(CommandApplier::invalid_field(huge), "");
  v1::Command no_id;
  no_id.mutable_ping()->set_text("x");
  EXPECT_NE(CommandApplier::invalid_field(no_id), "");
}

TEST(AgentState, OutboxKeepsReportsUntilAcknowledged) {
  test::ScratchDir dir;
  time::ManualClock clock;
  std::uint64_t second = 0;
  {
    AgentState state(dir.path() + "/agent.db");
    CommandApplier applier(state, clock);
    (void)applier.apply(ping("c1", "a"));
    second = applier.apply(ping("c2", "b")).report_seq();
    EXPECT_EQ(state.outbox_size(), 2u);
  }
  AgentState state(dir.path() + "/agent.db");  // after a restart
  auto all = state.outbox_after(0, 100);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].envelope.command_result().report_seq(), second);
  state.acknowledge(all[0].seq);
  EXPECT_EQ(state.outbox_size(), 1u);
  EXPECT_EQ(state.outbox_after(0, 100)[0].envelope.command_result().command_id(), "c2");
}

}  // namespace
}  // namespace loa::agent
