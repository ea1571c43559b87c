#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "loa/v1/audio.pb.h"

namespace loa::agent {

// Puts the live frames that reach a station back in order, once each. They come twice
// or more (over TCP and in several datagrams), and a datagram that carries a missing
// frame may come after newer ones. A frame is handed on as soon as the ones before it
// have been; one that follows a gap is held until the gap fills, or until its instant
// is `margin_ns` away, when the gap is given up (and the player conceals it). Holding
// costs nothing: a frame is due a whole playout latency after it was made.
class FrameOrder {
 public:
  explicit FrameOrder(std::uint64_t margin_ns = 100'000'000) : margin_ns_(margin_ns) {}

  // Adds a frame; appends to `ready` what may now be played, in order (held frames
  // whose instant is near are release_due()'s, called once per batch read).
  void add(const loa::v1::AudioFrame& frame, std::vector<loa::v1::AudioFrame>& ready);
  // Appends held frames whose instant is near, giving up the gaps before them.
  void release_due(std::uint64_t now_ns, std::vector<loa::v1::AudioFrame>& ready);
  // When release_due() next has something to do (shared-clock ns), if ever.
  [[nodiscard]] std::optional<std::uint64_t> next_release_ns() const;
  // Forgets every stream not listed (no longer played or waited for).
  void keep_only(const std::vector<std::string>& streams);

  [[nodiscard]] std::uint64_t duplicates() const { return duplicates_; }
  [[nodiscard]] std::uint64_t gaps_given_up() const { return gaps_given_up_; }

 private:
  struct Stream {
    std::optional<std::uint64_t> next_sequence;
    std::map<std::uint64_t, loa::v1::AudioFrame> held;  // by sequence, after a gap
    std::uint64_t last_handed_pts = 0;
  };
  void hand_on_in_order(Stream& s, std::vector<loa::v1::AudioFrame>& ready);

  std::uint64_t margin_ns_;
  std::map<std::string, Stream> streams_;
  std::uint64_t duplicates_ = 0;
  std::uint64_t gaps_given_up_ = 0;
};

}  // namespace loa::agent
