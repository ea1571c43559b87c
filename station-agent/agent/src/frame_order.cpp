#include "loa/agent/frame_order.hpp"

#include <algorithm>
#include <set>

namespace loa::agent {
namespace {

// More held than this (10 s of 20 ms frames) means the stream started over (the
// controller restarted it) or is lost far beyond concealing: start again from here.
constexpr std::size_t kMaxHeld = 500;

}  // namespace

void FrameOrder::add(const loa::v1::AudioFrame& frame, std::vector<loa::v1::AudioFrame>& ready) {
  auto& s = streams_[frame.stream_id()];
  const auto seq = frame.sequence();
  // Behind what was handed on, yet meant for later than any of it: the stream's
  // numbering started over (the controller restarted and opened it again). A copy, or a
  // frame of a gap given up, is never later than what came after it.
  if (s.next_sequence && seq < *s.next_sequence && frame.presentation_time_ns() > s.last_handed_pts) s = Stream{};
  if (!s.next_sequence) s.next_sequence = seq;
  if (seq < *s.next_sequence || s.held.count(seq)) {
    ++duplicates_;
    return;
  }
  s.held.emplace(seq, frame);
  if (s.held.size() > kMaxHeld) {
    gaps_given_up_ += s.held.begin()->first - *s.next_sequence;
    s.next_sequence = s.held.begin()->first;
  }
  hand_on_in_order(s, ready);
}

void FrameOrder::hand_on_in_order(Stream& s, std::vector<loa::v1::AudioFrame>& ready) {
  for (auto it = s.held.begin(); it != s.held.end() && it->first == *s.next_sequence; it = s.held.erase(it)) {
    s.last_handed_pts = std::max(s.last_handed_pts, it->second.presentation_time_ns());
    ready.push_back(std::move(it->second));
    s.next_sequence = it->first + 1;
  }
}

void FrameOrder::release_due(std::uint64_t now_ns, std::vector<loa::v1::AudioFrame>& ready) {
  for (auto& [id, s] : streams_) {
    while (!s.held.empty() && s.held.begin()->second.presentation_time_ns() <= now_ns + margin_ns_) {
      gaps_given_up_ += s.held.begin()->first - *s.next_sequence;
      s.next_sequence = s.held.begin()->first;
      hand_on_in_order(s, ready);
    }
  }
}

std::optional<std::uint64_t> FrameOrder::next_release_ns() const {
  std::optional<std::uint64_t> next;
  for (const auto& [id, s] : streams_) {
    if (s.held.empty()) continue;
    const auto pts = s.held.begin()->second.presentation_time_ns();
    const auto at = pts > margin_ns_ ? pts - margin_ns_ : 0;
    next = next ? std::min(*next, at) : at;
  }
  return next;
}

void FrameOrder::keep_only(const std::vector<std::string>& streams) {
  const std::set<std::string> wanted(streams.begin(), streams.end());
  std::erase_if(streams_, [&](const auto& s) { return !wanted.count(s.first); });
}

}  // namespace loa::agent
