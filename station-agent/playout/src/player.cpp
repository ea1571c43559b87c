// GStreamer lives in this file only.
#include "loa/playout/player.hpp"

#include <gst/gst.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <mutex>

#include "loa/log/log.hpp"

namespace loa::playout {
namespace {

const log::Logger kLog("playout");
namespace v1 = ::loa::v1;

// How long a play may wait past its start time (link down, clip still arriving) before
// it counts as missed.
constexpr std::int64_t kMissedAfterMs = 60'000;

int rank(v1::Priority p) { return p == v1::PRIORITY_UNSPECIFIED ? v1::PRIORITY_NORMAL : p; }

struct PipelineDeleter {
  void operator()(GstElement* p) const {
    gst_element_set_state(p, GST_STATE_NULL);
    gst_object_unref(p);
  }
};

}  // namespace

struct Player::Impl {
  PlayoutSettings settings;
  std::function<std::string(const std::string&)> clip_path;
  IPlayoutReports& reports;
  const time::IClock& clock;

  std::deque<v1::Play> waiting;  // ordered by priority, then start time
  struct Current {
    v1::Play play;
    std::unique_ptr<GstElement, PipelineDeleter> pipeline;
    std::int64_t started_ms = 0;
    bool stopping = false;  // EOS sent; waiting for the file to be finished
    std::int64_t stop_deadline_ms = 0;
    v1::PlaybackReport::Outcome outcome = v1::PlaybackReport::OUTCOME_PLAYED;
    std::string detail;
  };
  std::optional<Current> current;

  Impl(PlayoutSettings s, std::function<std::string(const std::string&)> path, IPlayoutReports& r,
       const time::IClock& c)
      : settings(std::move(s)), clip_path(std::move(path)), reports(r), clock(c) {
    static std::once_flag once;
    std::call_once(once, [] { gst_init(nullptr, nullptr); });
  }

  void report(const v1::Play& play, v1::PlaybackReport::Outcome outcome, std::int64_t started, std::int64_t ended,
              const std::string& detail) {
    v1::PlaybackReport r;
    r.set_broadcast_id(play.broadcast_id());
    r.set_content_id(play.clip_sha256());
    r.set_planned_start_ms(play.start_at_ms() ? play.start_at_ms() : started);
    r.set_actual_start_ms(started);
    r.set_end_ms(ended);
    r.set_outcome(outcome);
    r.set_detail(detail);
    kLog.info("playout: broadcast={} clip={} outcome={} detail={}", play.broadcast_id(), play.clip_sha256().substr(0, 12),
              v1::PlaybackReport::Outcome_Name(outcome), detail);
    reports.on_playout(r);
  }

  std::string sink_description(const v1::Play& play) const {
    if (settings.output.rfind("wav:", 0) == 0) {
      const auto dir = settings.output.substr(4);
      std::filesystem::create_directories(dir);
      const auto file = dir + "/" + std::to_string(clock.wall_ms()) + "-" +
                        (play.broadcast_id().empty() ? play.clip_sha256().substr(0, 12) : play.broadcast_id()) + ".wav";
      // identity sync=true paces the file at real time, so preemption and stop act on
      // it as they would on a loudspeaker.
      return "identity sync=true ! wavenc name=enc ! filesink location=\"" + file + "\"";
    }
    if (settings.output.rfind("alsa:", 0) == 0) return "alsasink device=" + settings.output.substr(5);
    return "fakesink sync=true";
  }

  bool start(const v1::Play& play) {
    const auto path = clip_path(play.clip_sha256());
    const double volume = play.volume() > 0 ? std::min(play.volume(), 1.0) : 1.0;
    const std::string description = "filesrc name=src ! oggdemux ! opusdec plc=true ! audioconvert ! audioresample ! "
                                    "volume volume=" + std::to_string(volume) +
                                    " ! audioconvert ! audio/x-raw,format=S16LE,rate=48000,channels=1 ! " +
                                    sink_description(play);
    GError* error = nullptr;
    GstElement* pipeline = gst_parse_launch(description.c_str(), &error);
    if (error) {
      const std::string what = error->message;
      g_error_free(error);
      if (pipeline) gst_object_unref(pipeline);
      report(play, v1::PlaybackReport::OUTCOME_FAILED, 0, 0, "cannot build the output: " + what);
      return false;
    }
    GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
    g_object_set(src, "location", path.c_str(), nullptr);
    gst_object_unref(src);
    Current c;
    c.play = play;
    c.pipeline.reset(pipeline);
    if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      report(play, v1::PlaybackReport::OUTCOME_FAILED, 0, 0, "the output would not start (" + settings.output + ")");
      return false;
    }
    c.started_ms = clock.wall_ms();
    current = std::move(c);
    kLog.info("playing: broadcast={} clip={} priority={} output={}", play.broadcast_id(),
              play.clip_sha256().substr(0, 12), v1::Priority_Name(play.priority()), settings.output);
    return true;
  }

  // Ends the current playout at once. A WAV file needs its header written, so EOS goes
  // straight into the encoder: sent from the source it would queue behind the audio
  // already decoded and waiting for its time (up to a second). Other outputs just stop.
  void end_current(v1::PlaybackReport::Outcome outcome, const std::string& detail) {
    if (!current || current->stopping) return;
    current->stopping = true;
    current->outcome = outcome;
    current->detail = detail;
    current->stop_deadline_ms = clock.wall_ms();
    if (GstElement* enc = gst_bin_get_by_name(GST_BIN(current->pipeline.get()), "enc")) {
      current->stop_deadline_ms += 300;
      GstPad* pad = gst_element_get_static_pad(enc, "sink");
      gst_pad_send_event(pad, gst_event_new_eos());
      gst_object_unref(pad);
      gst_object_unref(enc);
    }
    poll_bus();
  }

  void finish_current() {
    const auto ended = clock.wall_ms();
    auto done = std::move(*current);
    current.reset();
    done.pipeline.reset();
    report(done.play, done.outcome, done.started_ms, ended, done.detail);
    if (done.outcome == v1::PlaybackReport::OUTCOME_PREEMPTED && done.play.on_preempt() == v1::PREEMPT_RESUME) {
      auto again = done.play;
      again.set_start_at_ms(0);
      insert(again);
    }
  }

  void insert(const v1::Play& play) {
    auto pos = std::find_if(waiting.begin(), waiting.end(), [&](const v1::Play& w) {
      return rank(w.priority()) < rank(play.priority()) ||
             (rank(w.priority()) == rank(play.priority()) && w.start_at_ms() > play.start_at_ms());
    });
    waiting.insert(pos, play);
  }

  void poll_bus() {
    if (!current) return;
    auto* bus = gst_element_get_bus(current->pipeline.get());
    while (GstMessage* msg = gst_bus_pop_filtered(bus, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR))) {
      if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR && !current->stopping) {
        GError* err = nullptr;
        gst_message_parse_error(msg, &err, nullptr);
        current->outcome = v1::PlaybackReport::OUTCOME_FAILED;
        current->detail = err ? err->message : "playback error";
        if (err) g_error_free(err);
      }
      gst_message_unref(msg);
      gst_object_unref(bus);
      finish_current();
      return;
    }
    gst_object_unref(bus);
    if (current->stopping && clock.wall_ms() > current->stop_deadline_ms) finish_current();
  }

  void tick() {
    poll_bus();
    const auto now = clock.wall_ms();
    // Plays whose time passed long ago without their clip are missed, not played late.
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (it->start_at_ms() && now > it->start_at_ms() + kMissedAfterMs) {
        report(*it, v1::PlaybackReport::OUTCOME_MISSED, 0, 0,
               clip_path(it->clip_sha256()).empty() ? "clip never arrived" : "air time passed");
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
    // The most important play that is due and whose clip is here.
    auto due = std::find_if(waiting.begin(), waiting.end(), [&](const v1::Play& p) {
      return p.start_at_ms() <= now && !clip_path(p.clip_sha256()).empty();
    });
    if (due == waiting.end()) return;
    if (current) {
      if (!current->stopping && rank(due->priority()) > rank(current->play.priority())) {
        end_current(v1::PlaybackReport::OUTCOME_PREEMPTED, "preempted by " + due->broadcast_id());
        if (!current) return tick();  // ended at once: the due play starts now
      }
      return;  // the due play starts once the current one has ended
    }
    auto play = *due;
    waiting.erase(due);
    start(play);
  }
};

Player::Player(PlayoutSettings settings, std::function<std::string(const std::string&)> clip_path,
               IPlayoutReports& reports, const time::IClock& clock)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(clip_path), reports, clock)) {}

Player::~Player() = default;

std::string Player::enqueue(const v1::Play& play) {
  if (play.clip_sha256().size() != 64) return "no clip given";
  impl_->insert(play);
  impl_->tick();  // an emergency acts now, not at the next tick
  return {};
}

void Player::stop(const std::string& broadcast_id) {
  std::erase_if(impl_->waiting, [&](const v1::Play& p) { return broadcast_id.empty() || p.broadcast_id() == broadcast_id; });
  if (impl_->current && (broadcast_id.empty() || impl_->current->play.broadcast_id() == broadcast_id)) {
    impl_->end_current(v1::PlaybackReport::OUTCOME_STOPPED, "stopped by command");
  }
}

void Player::tick() { impl_->tick(); }

std::optional<Player::NowPlaying> Player::now_playing() const {
  if (!impl_->current) return std::nullopt;
  const auto& c = *impl_->current;
  return NowPlaying{c.play.broadcast_id(), c.play.clip_sha256(), c.play.priority(), c.started_ms};
}

std::optional<std::int64_t> Player::next_start_ms() const {
  std::optional<std::int64_t> earliest;
  for (const auto& p : impl_->waiting) {
    const auto at = p.start_at_ms() ? p.start_at_ms() : impl_->clock.wall_ms();
    if (!earliest || at < *earliest) earliest = at;
  }
  return earliest;
}

bool Player::needs_clip(const std::string& clip_sha256) const {
  if (impl_->current && impl_->current->play.clip_sha256() == clip_sha256) return true;
  return std::any_of(impl_->waiting.begin(), impl_->waiting.end(),
                     [&](const v1::Play& p) { return p.clip_sha256() == clip_sha256; });
}

}  // namespace loa::playout
