#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "loa/v1/command.pb.h"
#include "loa/v1/link.pb.h"

namespace loa::agent {

// The station's clips, content-addressed (<dir>/<sha256>.opus), so it can play on time
// with no link. Downloads are written to <sha256>.part and resumed from its size after a
// cut; a finished download is kept only if its SHA-256 matches. Clips are checked
// against their hash before first use in each run, so bytes corrupted on disk are found
// and fetched again. The cache has a size limit; pinned clips, clips being fetched and
// clips a scheduled play needs are never evicted to make room.
class ClipCache {
 public:
  // `extension`: of the finished files (agent packages are fetched the same way, as .deb).
  ClipCache(std::string dir, std::uint64_t max_bytes, std::string extension = ".opus");

  // True when the clip is here and its bytes hash to its name (a corrupt file is deleted).
  [[nodiscard]] bool has(const std::string& sha256);
  [[nodiscard]] std::string path_of(const std::string& sha256) const;
  void pin(const std::string& sha256, bool pinned);
  [[nodiscard]] bool pinned(const std::string& sha256) const;
  // Clips for which `needed` is true (those of scheduled plays) are never evicted either.
  void keep_while(std::function<bool(const std::string&)> needed) { needed_ = std::move(needed); }

  // Starts (or keeps) fetching a clip for `command`. Returns the request to send, or
  // nullopt when this clip is already being fetched (its request is in flight).
  [[nodiscard]] std::optional<loa::v1::ClipRequest> want(const loa::v1::Command& command);
  // The same for a file named by a command of another kind (an agent package).
  [[nodiscard]] std::optional<loa::v1::ClipRequest> want(const std::string& sha256, std::uint64_t total_bytes,
                                                         const loa::v1::Command& command);
  // Stops fetching it (its .part stays, to resume from).
  void forget(const std::string& sha256) { fetching_.erase(sha256); }
  // Requests to send again after a reconnect: one per clip still being fetched.
  [[nodiscard]] std::vector<loa::v1::ClipRequest> resume_requests() const;
  // Requests again, from where they stopped, the fetches that have heard nothing for
  // `quiet` (a request or a chunk lost on a link that stayed up would otherwise stall
  // a clip, and the play waiting for it, until the next reconnection).
  [[nodiscard]] std::vector<loa::v1::ClipRequest> stalled_requests(std::chrono::steady_clock::time_point now,
                                                                   std::chrono::milliseconds quiet);

  struct ChunkOutcome {
    enum Kind { more, complete, failed, ignored } kind = ignored;
    std::optional<loa::v1::ClipRequest> next;  // with `more`
    std::vector<loa::v1::Command> commands;    // with `complete`/`failed`: the commands that wanted it
    std::string reason;                        // with `failed`
  };
  [[nodiscard]] ChunkOutcome on_chunk(const loa::v1::ClipChunk& chunk);

  [[nodiscard]] std::uint64_t used_bytes() const;

 private:
  [[nodiscard]] std::uint64_t part_size(const std::string& sha256) const;
  void make_room(std::uint64_t incoming);

  struct Fetch {
    std::uint64_t total = 0;
    int attempts = 1;
    std::vector<loa::v1::Command> commands;
    std::chrono::steady_clock::time_point last_heard = std::chrono::steady_clock::now();  // request or chunk
  };
  std::string dir_;
  std::uint64_t max_bytes_;
  std::string extension_;
  std::map<std::string, Fetch> fetching_;
  std::set<std::string> verified_;
  std::function<bool(const std::string&)> needed_;
};

}  // namespace loa::agent
