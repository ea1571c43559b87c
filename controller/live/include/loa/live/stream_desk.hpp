#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "loa/live/live_streams.hpp"
#include "loa/orders/priority.hpp"
#include "loa/server/command_dispatcher.hpp"
#include "loa/store/live_stream_store.hpp"
#include "loa/time/clock.hpp"

namespace loa::live {

// What an operator asks for: a source, and the stations (resolved, and within the
// operator's scope) that are to play it, and how.
struct StreamRequest {
  std::string source;
  std::vector<std::string> stations;
  orders::Priority priority = orders::Priority::live;
  double volume = 1.0;  // 0 (exclusive) to 1
  orders::OnPreempt on_preempt = orders::OnPreempt::drop;
  std::string broadcast_id;  // empty: the stream's own id
  std::string started_by;
};

// A stream and the stations told to play it.
struct DeskStream {
  StreamStatus status;
  std::vector<std::string> stations;
};

// Live streams operators start and stop, from start to end: it opens the source
// (LiveStreams), records the stream and its stations (ILiveStreamStore), and tells each
// station to play it and, at the end, to stop (CommandDispatcher). A stream outlives
// the controller: once restarted, resume() opens it again and tells its stations
// again. Thread-safe (it keeps nothing of its own).
class StreamDesk {
 public:
  StreamDesk(LiveStreams& streams, store::ILiveStreamStore& store, server::CommandDispatcher& commands,
             const time::IClock& clock);

  // Throws SourceError for a source it cannot read and store::StoreError when the
  // stream cannot be recorded (the source is closed again then: no stream runs that a
  // restart would forget).
  DeskStream start(const StreamRequest& request);
  // Ends the stream: an end of stream on the audio socket and, as that socket may drop
  // it, a Stop order that reaches each station now or when it is back. nullopt when no
  // stream has that id.
  std::optional<DeskStream> stop(const std::string& id, const std::string& by);
  [[nodiscard]] std::optional<DeskStream> find(const std::string& id) const;
  [[nodiscard]] std::vector<StreamStatus> list() const;
  [[nodiscard]] const LiveSettings& settings() const;

  // Opens again, under its own id, every stream that ran when the controller stopped,
  // and tells its stations to play it again (one still playing it from before takes the
  // frames as they come back). A source that cannot be read any more ends its stream's
  // record. Returns how many streams run again.
  std::size_t resume();

 private:
  void tell_to_play(const store::LiveStreamRecord& stream);

  LiveStreams& streams_;
  store::ILiveStreamStore& store_;
  server::CommandDispatcher& commands_;
  const time::IClock& clock_;
};

}  // namespace loa::live
