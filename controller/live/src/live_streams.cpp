// GStreamer sources of live streams live in this file only.
#include "loa/live/live_streams.hpp"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "loa/gst/gst_handles.hpp"
#include "loa/log/log.hpp"
#include "loa/v1/audio.pb.h"
#include "loa/wire/audio_topic.hpp"

namespace loa::live {
namespace {

const log::Logger kLog("live");
constexpr std::uint32_t kFrameUs = 20'000;
constexpr std::size_t kKeepEnded = 50;  // ended streams kept for their status

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Quotes a value for gst_parse_launch.
std::string quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}


}  // namespace

std::string source_description(const std::string& source) {
  if (starts_with(source, "http://") || starts_with(source, "https://") || starts_with(source, "rtsp://") ||
      starts_with(source, "srt://") || starts_with(source, "file://")) {
    if (source.find_first_of(" \t\r\n\"") != std::string::npos) throw SourceError("a source URL has no spaces or quotes");
    return "uridecodebin uri=" + quoted(source) + " ! queue max-size-time=2000000000";
  }
  if (source == "capture:" || source == "capture") return "autoaudiosrc";
  if (starts_with(source, "capture:")) return "alsasrc device=" + quoted(source.substr(8));
  if (starts_with(source, "rtp:")) {
    const auto port_text = source.substr(4);
    int port = 0;
    try {
      port = std::stoi(port_text);
    } catch (const std::exception&) {
    }
    if (port < 1 || port > 65535 || port_text.find_first_not_of("0123456789") != std::string::npos) {
      throw SourceError("rtp:PORT needs a UDP port (1-65535)");
    }
    return "udpsrc port=" + std::to_string(port) +
           " caps=\"application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=96\" ! "
           "rtpjitterbuffer latency=60 ! rtpopusdepay ! opusdec plc=true";
  }
  if (source == "test:tone") return "audiotestsrc is-live=true wave=sine freq=440 volume=0.3";
  if (source == "test:noise") return "audiotestsrc is-live=true wave=pink-noise volume=0.3";
  // Silence that is sent as audio: checks that stations notice dead air.
  if (source == "test:silence") return "audiotestsrc is-live=true wave=silence";
  throw SourceError("unknown source '" + source +
                    "': use an http(s)://, rtsp://, srt:// or file:// URL, capture:[DEVICE], rtp:PORT, test:tone, "
                    "test:noise or test:silence");
}

bool source_reconnects(const std::string& source) {
  return !starts_with(source, "file://") && !starts_with(source, "test:");
}

namespace {

// One stream: its thread opens the source, pulls encoded frames and publishes them,
// and reopens the source when it fails, ends or stalls.
class Stream {
 public:
  Stream(StreamStatus status, const LiveSettings& settings, ClockServer& clock, IFramePublisher& publisher,
         std::string description)
      : status_(std::move(status)),
        settings_(settings),
        clock_(clock),
        publisher_(publisher),
        description_(std::move(description)) {
    thread_ = std::thread([this] { run(); });
  }
  ~Stream() {
    stop_requested_ = true;
    if (thread_.joinable()) thread_.join();
  }

  void stop() { stop_requested_ = true; }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] StreamStatus status() const {
    std::lock_guard lock(mutex_);
    return status_;
  }
  [[nodiscard]] bool over() const {
    std::lock_guard lock(mutex_);
    return status_.state == "ended" || status_.state == "stopped";
  }

 private:
  void set_state(const std::string& state, const std::string& error = {}) {
    std::lock_guard lock(mutex_);
    if (status_.state != state) kLog.info("stream {}: state={} error={}", status_.id, state, error);
    status_.state = state;
    if (!error.empty()) status_.last_error = error;
  }

  gst::PipelinePtr open() {
    const std::string description = description_ +
                                    " ! audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=48000,channels=1"
                                    " ! clocksync ! opusenc bitrate=" +
                                    std::to_string(settings_.bitrate) +
                                    " frame-size=20 audio-type=voice ! appsink name=out sync=false max-buffers=200 drop=true";
    std::string error;
    gst::PipelinePtr p = gst::parse_pipeline(description, error);
    if (!p) {
      set_state("reconnecting", "cannot build the source: " + error);
      return nullptr;
    }
    GstElement* pipeline = p.get();
    // On the station clock: a frame's running time plus the base time is the instant it
    // was made on the clock every station follows.
    gst_pipeline_use_clock(GST_PIPELINE(pipeline), clock_.gst_clock());
    if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      set_state("reconnecting", "the source would not start");
      return nullptr;
    }
    return p;
  }

  // What the bus says: empty while all is well, else why the source must be reopened.
  std::string bus_trouble(GstElement* pipeline, bool& ended) {
    const auto news = gst::take_bus_news(pipeline);
    if (news.error) return *news.error;
    if (news.end_of_stream) {
      ended = true;
      return "the source ended";
    }
    return {};
  }

  void publish(GstSample* sample, GstElement* pipeline) {
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    const GstSegment* segment = gst_sample_get_segment(sample);
    if (!buffer || !GST_BUFFER_PTS_IS_VALID(buffer)) return;
    const auto running = gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
    if (running == GST_CLOCK_TIME_NONE) return;
    const std::uint64_t latency_ns = static_cast<std::uint64_t>(settings_.latency.count()) * 1'000'000;
    std::uint64_t pts = gst_element_get_base_time(pipeline) + running + latency_ns;
    // Never backwards, even across a reopened source: stations drop what overlaps.
    if (pts < next_pts_) pts = next_pts_;
    next_pts_ = pts + kFrameUs * 1000ull;

    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return;
    auto* frame = batch_.add_frames();
    frame->set_stream_id(status_.id);
    frame->set_sequence(sequence_++);
    frame->set_presentation_time_ns(pts);
    frame->set_duration_us(kFrameUs);
    frame->set_opus_payload(map.data, map.size);
    gst_buffer_unmap(buffer, &map);
    if (batch_.frames_size() >= settings_.frames_per_message()) flush();
    std::lock_guard lock(mutex_);
    ++status_.frames;
    if (status_.state != "live") {
      kLog.info("stream {}: state=live", status_.id);
      status_.state = "live";
    }
  }

  void flush() {
    if (batch_.frames_size() == 0) return;
    publisher_.publish(wire::audio_message(status_.id, batch_.SerializeAsString()));
    batch_.Clear();
  }

  void send_end_of_stream() {
    flush();
    // The audio socket may drop a message: say it a few times (stations act once).
    for (int i = 0; i < 3; ++i) {
      auto* frame = batch_.add_frames();
      frame->set_stream_id(status_.id);
      frame->set_end_of_stream(true);
      frame->set_sequence(sequence_++);
      flush();
    }
  }

  void run() {
    auto backoff = settings_.reconnect_min;
    const bool reconnects = source_reconnects(status_.source);
    while (!stop_requested_) {
      gst::PipelinePtr pipeline = open();
      if (!pipeline) {
        if (!reconnects) break;
        wait(backoff);
        backoff = std::min(backoff * 2, settings_.reconnect_max);
        std::lock_guard lock(mutex_);
        ++status_.reconnects;
        continue;
      }
      const auto sink_element = gst::child(pipeline.get(), "out");
      auto* sink = GST_APP_SINK(sink_element.get());
      auto last_frame = std::chrono::steady_clock::now();
      bool ended = false;
      std::string trouble;
      while (!stop_requested_) {
        if (gst::SamplePtr sample{gst_app_sink_try_pull_sample(sink, 100 * GST_MSECOND)}) {
          publish(sample.get(), pipeline.get());
          last_frame = std::chrono::steady_clock::now();
          backoff = settings_.reconnect_min;
        }
        trouble = bus_trouble(pipeline.get(), ended);
        if (!trouble.empty()) break;
        if (std::chrono::steady_clock::now() - last_frame > settings_.stall_timeout) {
          trouble = "no audio from the source for " + std::to_string(settings_.stall_timeout.count()) + " ms";
          std::lock_guard lock(mutex_);
          ++status_.stalls;
          break;
        }
      }
      pipeline.reset();
      if (stop_requested_) break;
      if (ended && !reconnects) {
        set_state("ended");
        break;
      }
      set_state("reconnecting", trouble);
      wait(backoff);
      backoff = std::min(backoff * 2, settings_.reconnect_max);
      std::lock_guard lock(mutex_);
      ++status_.reconnects;
    }
    send_end_of_stream();
    std::lock_guard lock(mutex_);
    if (status_.state != "ended") status_.state = stop_requested_ ? "stopped" : "ended";
    status_.ended_ms = wall_ms();
    kLog.info("stream {}: state={} frames={} reconnects={}", status_.id, status_.state, status_.frames,
              status_.reconnects);
  }

  void wait(std::chrono::milliseconds how_long) {
    const auto until = std::chrono::steady_clock::now() + how_long;
    while (!stop_requested_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  mutable std::mutex mutex_;
  StreamStatus status_;
  const LiveSettings& settings_;
  ClockServer& clock_;
  IFramePublisher& publisher_;
  const std::string description_;
  loa::v1::AudioBatch batch_;  // frames not yet published
  std::uint64_t sequence_ = 0;
  std::uint64_t next_pts_ = 0;
  std::atomic<bool> stop_requested_{false};
  std::thread thread_;
};

}  // namespace

struct LiveStreams::Impl {
  Impl(LiveSettings s, ClockServer& c, IFramePublisher& p) : settings(s), clock(c), publisher(p) {}
  LiveSettings settings;
  ClockServer& clock;
  IFramePublisher& publisher;
  mutable std::mutex mutex;
  std::map<std::string, std::unique_ptr<Stream>> streams;

  void forget_old_locked() {
    std::vector<std::pair<std::int64_t, std::string>> ended;
    for (const auto& [id, s] : streams) {
      if (s->over()) ended.emplace_back(s->status().ended_ms, id);
    }
    if (ended.size() <= kKeepEnded) return;
    std::sort(ended.begin(), ended.end());
    for (std::size_t i = 0; i + kKeepEnded < ended.size(); ++i) streams.erase(ended[i].second);
  }
};

LiveStreams::LiveStreams(LiveSettings settings, ClockServer& clock, IFramePublisher& publisher)
    : impl_(std::make_unique<Impl>(settings, clock, publisher)) {
  gst::initialize();
}

LiveStreams::~LiveStreams() {
  std::lock_guard lock(impl_->mutex);
  for (auto& [id, s] : impl_->streams) s->stop();
  impl_->streams.clear();  // joins each
}

void LiveStreams::start(const std::string& id, const std::string& source, const std::string& broadcast_id) {
  auto description = source_description(source);
  std::lock_guard lock(impl_->mutex);
  if (impl_->streams.count(id)) throw std::invalid_argument("stream " + id + " exists");
  impl_->forget_old_locked();
  StreamStatus status;
  status.id = id;
  status.source = source;
  status.broadcast_id = broadcast_id;
  status.state = "starting";
  status.started_ms = wall_ms();
  kLog.info("stream {}: source={} broadcast={}", id, source, broadcast_id);
  impl_->streams.emplace(id, std::make_unique<Stream>(status, impl_->settings, impl_->clock, impl_->publisher,
                                                      std::move(description)));
}

bool LiveStreams::stop(const std::string& id) {
  Stream* stream = nullptr;
  {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->streams.find(id);
    if (it == impl_->streams.end() || it->second->over()) return false;
    stream = it->second.get();
    stream->stop();
  }
  // Joined outside the lock (streams are only erased once over, which this one is not
  // until its thread ends).
  stream->join();
  return true;
}

std::vector<StreamStatus> LiveStreams::list() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<StreamStatus> out;
  for (const auto& [id, s] : impl_->streams) out.push_back(s->status());
  return out;
}

std::optional<StreamStatus> LiveStreams::find(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->streams.find(id);
  if (it == impl_->streams.end()) return std::nullopt;
  return it->second->status();
}

const LiveSettings& LiveStreams::settings() const { return impl_->settings; }

}  // namespace loa::live
