// The station's clip cache: a fetch that goes quiet on a link that stayed up is asked
// for again from where it stopped, and a late duplicate of a chunk changes nothing.
#include <gtest/gtest.h>

#include "loa/agent/clip_cache.hpp"
#include "loa/digest/sha256.hpp"
#include "support/process.hpp"

namespace loa::agent {
namespace {

using namespace std::chrono_literals;

TEST(ClipCache, AFetchThatGoesQuietIsAskedForAgainFromWhereItStopped) {
  test::ScratchDir dir;
  ClipCache cache(dir.path() + "/clips", 1 << 20);
  const std::string bytes(100'000, 'x');  // two chunks
  const auto sha = digest::sha256_hex(bytes);
  v1::Command command;
  command.set_id("c-1");
  command.mutable_cache_clip()->set_clip_sha256(sha);
  command.mutable_cache_clip()->set_total_bytes(bytes.size());
  const auto first = cache.want(command);
  ASSERT_TRUE(first);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(cache.stalled_requests(start + 5s, 10s).empty());

  // The first chunk arrives; the answer to the request for the second is lost.
  v1::ClipChunk chunk;
  chunk.set_clip_sha256(sha);
  chunk.set_total_bytes(bytes.size());
  chunk.set_offset(0);
  chunk.set_data(bytes.substr(0, first->max_bytes()));
  const auto more = cache.on_chunk(chunk);
  ASSERT_EQ(more.kind, ClipCache::ChunkOutcome::more);
  EXPECT_TRUE(cache.stalled_requests(std::chrono::steady_clock::now() + 5s, 10s).empty());
  const auto again = cache.stalled_requests(std::chrono::steady_clock::now() + 11s, 10s);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].offset(), first->max_bytes());  // from where it stopped
  // Asked once per quiet spell, not at every turn of the loop.
  EXPECT_TRUE(cache.stalled_requests(std::chrono::steady_clock::now() + 12s, 10s).empty());

  // A late copy of the first chunk changes nothing; the rest completes the clip.
  EXPECT_EQ(cache.on_chunk(chunk).kind, ClipCache::ChunkOutcome::ignored);
  chunk.set_offset(first->max_bytes());
  chunk.set_data(bytes.substr(first->max_bytes()));
  const auto done = cache.on_chunk(chunk);
  EXPECT_EQ(done.kind, ClipCache::ChunkOutcome::complete);
  ASSERT_EQ(done.commands.size(), 1u);
  EXPECT_TRUE(cache.has(sha));
  EXPECT_TRUE(cache.stalled_requests(std::chrono::steady_clock::now() + 60s, 10s).empty());
}

}  // namespace
}  // namespace loa::agent
