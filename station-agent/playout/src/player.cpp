// GStreamer lives in this file only.
#include "loa/playout/player.hpp"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>

#include "loa/gst/gst_handles.hpp"
#include "loa/gst/level_meter.hpp"
#include "loa/log/log.hpp"

namespace loa::playout {
namespace {

const log::Logger kLog("playout");
namespace v1 = ::loa::v1;

// How long a play may wait past its start time (link down, clip still arriving) before
// it counts as missed.
constexpr std::int64_t kMissedAfterMs = 60'000;
// A clip's pipeline is built this long before its air time, so that it has decoded its
// first audio and waits for the instant itself (the loop ticks every <= 50 ms).
constexpr std::int64_t kPrerollMs = 150;
// "Now" means this far ahead: the time a pipeline needs to preroll. Without it the first
// samples would be late, and each station late by a different amount.
constexpr std::uint64_t kLeadNs = 40'000'000;
// Proof of play: below this the output counts as silent; a playout silent throughout for
// this long, with sound due, is dead air. A volume at or below kMutedVolume was turned
// down on purpose (a Play's 0 means full scale; SetVolume 0 is sent as 1e-6).
constexpr double kSilenceDbfs = -60.0;
constexpr std::uint64_t kDeadAirAfterMs = 1000;
constexpr double kMutedVolume = 0.001;
// Live frames closer than this to the expected instant count as contiguous.
constexpr std::uint64_t kToleranceNs = 2'000'000;
// A waiting live play starts once its stream was heard this recently.
constexpr auto kHeardRecently = std::chrono::seconds(1);
// Frames held per waiting stream (20 ms each): more than the longest playout latency.
constexpr std::size_t kHeldFrames = 500;

int rank(v1::Priority p) { return p == v1::PRIORITY_UNSPECIFIED ? v1::PRIORITY_NORMAL : p; }
bool is_live(const v1::Play& p) { return !p.stream_id().empty(); }
const std::string& content_of(const v1::Play& p) { return is_live(p) ? p.stream_id() : p.clip_sha256(); }


// Records the shared-clock instant at which the first sample reached the output, and
// once per second of stream time logs (debug) how far the render instant was from the
// station's system clock: on a host whose system clock is right (NTP, or the
// controller's own host) that is the station's true playout error, and comparing the
// same instant across stations gives their skew.
struct RenderProbe {
  std::atomic<std::uint64_t> first_ns{0};
  // How far into the clip the output has come (stream time of the end of the last
  // buffer out): where a preempted clip resumes.
  std::atomic<std::uint64_t> reached_ns{0};
  GstClock* clock = nullptr;
  std::uint64_t base_ns = 0;
  std::uint64_t logged_second = 0;  // streaming thread only

  static GstPadProbeReturn on_buffer(GstPad*, GstPadProbeInfo* info, gpointer data) {
    auto* self = static_cast<RenderProbe*>(data);
    std::uint64_t expected = 0;
    self->first_ns.compare_exchange_strong(expected, gst_clock_get_time(self->clock));
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    if (!buffer || !GST_BUFFER_PTS_IS_VALID(buffer)) return GST_PAD_PROBE_OK;
    const std::uint64_t end = GST_BUFFER_PTS(buffer) + (GST_BUFFER_DURATION_IS_VALID(buffer) ? GST_BUFFER_DURATION(buffer) : 0);
    self->reached_ns.store(end);
    const std::uint64_t due = self->base_ns + GST_BUFFER_PTS(buffer);
    if (due / 1'000'000'000 != self->logged_second) {
      self->logged_second = due / 1'000'000'000;
      const auto host_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
      kLog.debug("render: due_ns={} host_offset_us={:.1f}", due,
                 static_cast<double>(host_ns - static_cast<std::int64_t>(due)) / 1000.0);
    }
    return GST_PAD_PROBE_OK;
  }
};

// Drops the decoded audio before `skip_ns` and moves what follows to the start of the
// stream, so a clip resumed after a preemption goes on from where it stopped (to the
// nearest frame, 20 ms) and its first sample is due at once. Decoding the skipped
// part takes milliseconds; a seek would flush the WAV encoder's header away.
struct SkipProbe {
  std::uint64_t skip_ns = 0;

  static GstPadProbeReturn on_buffer(GstPad*, GstPadProbeInfo* info, gpointer data) {
    const auto* self = static_cast<SkipProbe*>(data);
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    if (!buffer || !GST_BUFFER_PTS_IS_VALID(buffer)) return GST_PAD_PROBE_OK;
    const std::uint64_t pts = GST_BUFFER_PTS(buffer);
    if (pts + kFrameSlackNs < self->skip_ns) return GST_PAD_PROBE_DROP;
    buffer = gst_buffer_make_writable(buffer);
    GST_BUFFER_PTS(buffer) = pts > self->skip_ns ? pts - self->skip_ns : 0;
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    return GST_PAD_PROBE_OK;
  }
  static constexpr std::uint64_t kFrameSlackNs = 10'000'000;  // half a frame
};

}  // namespace

// Every element the pipelines below name, by the plugin that holds it, with only the
// sink plugin of this station's output (a board that sounds through ALSA never maps
// the WAV writer, nor a test's WAV station ALSA). A new element in a pipeline needs its
// plugin here.
std::vector<std::string> load_playout_plugins(const std::string& output, const std::string& registry_file) {
  std::vector<std::string> plugins{"coreelements",  // filesrc filesink identity fakesink capsfilter
                                   "app",           // appsrc (live)
                                   "ogg", "opus",   // oggdemux opusdec (clips), opusdec (live)
                                   "audioconvert", "audioresample", "audiorate", "volume", "level"};
  if (output.rfind("wav:", 0) == 0) plugins.emplace_back("wavenc");
  if (output.rfind("alsa:", 0) == 0) plugins.emplace_back("alsa");
  return gst::use_only_plugins(plugins, registry_file);
}

struct Player::Impl {
  PlayoutSettings settings;
  std::function<std::string(const std::string&)> clip_path;
  IPlayoutReports& reports;
  const time::IClock& clock;
  SharedClock& shared;

  struct Waiting {
    v1::Play play;
    std::int64_t since_ms;  // air time, or when it was enqueued for "now"
    std::uint64_t resume_ns = 0;  // a preempted clip goes on from here
  };
  std::deque<Waiting> waiting;  // ordered by priority, then start time
  // When each wanted stream was last heard (a waiting live play starts once it is).
  std::map<std::string, std::chrono::steady_clock::time_point> heard;
  // Frames of streams waiting their turn, up to a few seconds: frames arrive one latency
  // ahead of their instant, so a play that starts (at its air time, or preempting)
  // finds the frames for the next second already here.
  std::map<std::string, std::deque<v1::AudioFrame>> held;
  LiveCounters counters;

  struct Current {
    v1::Play play;
    gst::PipelinePtr pipeline;
    gst::ElementPtr appsrc;  // live only
    std::unique_ptr<RenderProbe> probe;
    std::unique_ptr<SkipProbe> skip;  // a resumed clip only
    std::uint64_t resumed_from_ns = 0;
    std::int64_t started_ms = 0;
    bool announced = false;  // the report that sound has begun is sent
    bool stopping = false;  // EOS sent; waiting for the file to be finished
    std::int64_t stop_deadline_ms = 0;
    v1::PlaybackReport::Outcome outcome = v1::PlaybackReport::OUTCOME_PLAYED;
    std::string detail;
    // Live only.
    std::uint64_t next_pts_ns = 0;  // where the next frame belongs; 0 before the first
    std::chrono::steady_clock::time_point last_frame{};
    std::uint64_t frames_played = 0;
    std::uint64_t frames_concealed = 0;
    std::uint64_t longest_gap_ns = 0;
    gst::LevelMeter meter{kSilenceDbfs};  // what went to the output (proof of play)
    ~Current() {
      appsrc.reset();
      pipeline.reset();  // before the probe it may still call
    }
    Current() = default;
    Current(Current&&) = default;
    Current& operator=(Current&&) = default;
  };
  std::optional<Current> current;

  Impl(PlayoutSettings s, std::function<std::string(const std::string&)> path, IPlayoutReports& r,
       const time::IClock& c, SharedClock& sc)
      : settings(std::move(s)), clip_path(std::move(path)), reports(r), clock(c), shared(sc) {
    gst::initialize();
  }

  void report(const v1::Play& play, v1::PlaybackReport::Outcome outcome, std::int64_t started, std::int64_t ended,
              const std::string& detail, const Current* run = nullptr) {
    v1::PlaybackReport r;
    r.set_broadcast_id(play.broadcast_id());
    r.set_content_id(content_of(play));
    r.set_planned_start_ms(play.start_at_ms() ? play.start_at_ms() : started);
    r.set_actual_start_ms(started);
    r.set_end_ms(ended);
    r.set_outcome(outcome);
    r.set_detail(detail);
    if (run) {
      if (run->meter.measured()) {
        r.set_loudness_dbfs(static_cast<float>(*run->meter.loudness_dbfs()));
        if (const auto peak = run->meter.peak_dbfs()) r.set_peak_dbfs(static_cast<float>(*peak));
        r.set_longest_silence_ms(static_cast<std::uint32_t>(run->meter.longest_silence_ms()));
        // Sound was due (not turned all the way down) and for a second or more none came out.
        const bool due = run->play.volume() == 0 || run->play.volume() > kMutedVolume;
        r.set_dead_air(due && run->meter.all_silent() && run->meter.measured_ms() >= kDeadAirAfterMs);
      }
      r.set_actual_start_ns(run->probe->first_ns.load());
      r.set_frames_played(run->frames_played);
      r.set_frames_concealed(run->frames_concealed);
      r.set_longest_gap_ms(static_cast<std::uint32_t>(run->longest_gap_ns / 1'000'000));
    }
    kLog.info("playout: broadcast={} content={} outcome={} detail={}", play.broadcast_id(),
              content_of(play).substr(0, 12), v1::PlaybackReport::Outcome_Name(outcome), detail);
    reports.on_playout(r);
  }

  // Every output has an element named "pace" that renders on the clock; the probe on
  // its source pad (sink pad for ALSA) sees the first sample go out. The output is in
  // two parts, the pacing and what follows it, so that the volume can sit right after
  // the pacing: a change then acts on the very next buffer to go out (20 ms at most),
  // not on one already decoded and waiting its turn.
  struct Output {
    std::string pace;  // "" where the sink paces itself
    std::string sink;
  };
  Output output_of(const v1::Play& play) const {
    if (settings.output.rfind("wav:", 0) == 0) {
      const auto dir = settings.output.substr(4);
      std::filesystem::create_directories(dir);
      const auto name = play.broadcast_id().empty() ? content_of(play).substr(0, 12) : play.broadcast_id();
      const auto file = dir + "/" + std::to_string(clock.wall_ms()) + "-" + name + ".wav";
      // identity sync=true paces the file at real time, so preemption and stop act on
      // it as they would on a loudspeaker, and the probe times each sample's render.
      // For a live play, audiorate keeps the file a time line, as a sound card's clock
      // does: a stretch no frame covered (lost, late, not concealed) is written as
      // silence, not skipped.
      return {std::string(is_live(play) ? "audiorate skip-to-first=true ! " : "") + "identity name=pace sync=true",
              "wavenc name=enc ! filesink location=\"" + file + "\""};
    }
    // ALSA's ring buffer (GStreamer's default, 200 ms) is what a volume change waits
    // behind on a loudspeaker.
    if (settings.output.rfind("alsa:", 0) == 0) return {"", "alsasink name=pace device=" + settings.output.substr(5)};
    return {"identity name=pace sync=true", "fakesink sync=false"};
  }

  std::string source_description(const v1::Play& play) const {
    if (is_live(play)) {
      // tolerance: the decoder numbers its output from the frames' own time stamps
      // again whenever they part by more than 10 ms. Without it, a concealed gap that
      // came out a frame longer than the gap shifted every later sample 20 ms late.
      return "appsrc name=live is-live=true format=time min-latency=0 "
             "caps=audio/x-opus,channel-mapping-family=0,channels=1,rate=48000 ! opusdec plc=true tolerance=10000000";
    }
    return "filesrc name=src ! oggdemux ! opusdec name=dec plc=true";
  }

  bool start(const v1::Play& play, std::uint64_t resume_ns = 0) {
    const double volume = play.volume() > 0 ? std::min(play.volume(), 1.0) : 1.0;
    const auto output = output_of(play);
    const std::string description = source_description(play) +
                                    " ! audioconvert ! audioresample ! audioconvert ! "
                                    "audio/x-raw,format=S16LE,rate=48000,channels=1 ! " +
                                    (output.pace.empty() ? "" : output.pace + " ! ") + "volume name=vol volume=" +
                                    std::to_string(volume) +
                                    " ! level name=meter interval=100000000 post-messages=true ! " + output.sink;
    std::string error;
    auto built = gst::parse_pipeline(description, error);
    if (!built) {
      report(play, v1::PlaybackReport::OUTCOME_FAILED, 0, 0, "cannot build the output: " + error);
      return false;
    }
    GstElement* pipeline = built.get();
    Current c;
    c.play = play;
    c.pipeline = std::move(built);
    if (is_live(play)) {
      c.appsrc = gst::child(pipeline, "live");
    } else {
      g_object_set(gst::child(pipeline, "src").get(), "location", clip_path(play.clip_sha256()).c_str(), nullptr);
      if (resume_ns > 0) {
        c.skip = std::make_unique<SkipProbe>();
        c.skip->skip_ns = resume_ns;
        c.resumed_from_ns = resume_ns;
        const auto dec = gst::child(pipeline, "dec");
        if (const auto pad = gst::static_pad(dec.get(), "src")) {
          gst_pad_add_probe(pad.get(), GST_PAD_PROBE_TYPE_BUFFER, &SkipProbe::on_buffer, c.skip.get(), nullptr);
        }
      }
    }
    GstClock* shared_clock = shared.gst_clock();
    c.probe = std::make_unique<RenderProbe>();
    c.probe->clock = shared_clock;
    if (const auto pace = gst::child(pipeline, "pace")) {
      if (const auto pad = gst::static_pad(pace.get(), settings.output.rfind("alsa:", 0) == 0 ? "sink" : "src")) {
        gst_pad_add_probe(pad.get(), GST_PAD_PROBE_TYPE_BUFFER, &RenderProbe::on_buffer, c.probe.get(), nullptr);
      }
    }
    // The pipeline runs on the shared clock with a base time we choose: a live frame's
    // presentation time is already on that clock (base 0); a clip's first sample is due
    // at its air time (base = air time), or just ahead of now when it is late.
    gst_pipeline_use_clock(GST_PIPELINE(pipeline), shared_clock);
    gst_element_set_start_time(pipeline, GST_CLOCK_TIME_NONE);
    std::uint64_t base_ns = 0;
    if (!is_live(play)) {
      const auto air_ns = static_cast<std::uint64_t>(std::max<std::int64_t>(play.start_at_ms(), 0)) * 1'000'000;
      base_ns = std::max(air_ns, gst_clock_get_time(shared_clock) + kLeadNs);
    }
    gst_element_set_base_time(pipeline, base_ns);
    c.probe->base_ns = base_ns;
    if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      report(play, v1::PlaybackReport::OUTCOME_FAILED, 0, 0, "the output would not start (" + settings.output + ")");
      return false;
    }
    c.started_ms = is_live(play) ? clock.wall_ms() : static_cast<std::int64_t>(base_ns / 1'000'000);
    c.last_frame = std::chrono::steady_clock::now();
    current = std::move(c);
    kLog.info("playing: broadcast={} content={} priority={} output={} clock={} from_ms={}", play.broadcast_id(),
              content_of(play).substr(0, 12), v1::Priority_Name(play.priority()), settings.output, shared.source(),
              resume_ns / 1'000'000);
    if (auto it = held.find(play.stream_id()); is_live(play) && it != held.end()) {
      auto frames = std::move(it->second);
      held.erase(it);
      const auto now_ns = shared.now_ns();
      for (const auto& frame : frames) {
        if (frame.presentation_time_ns() >= now_ns) push_frame(*current, frame);  // the past is not late, just gone
      }
    }
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
    if (const auto enc = gst::child(current->pipeline.get(), "enc")) {
      current->stop_deadline_ms += 300;
      if (const auto pad = gst::static_pad(enc.get(), "sink")) gst_pad_send_event(pad.get(), gst_event_new_eos());
    }
    poll_bus();
  }

  void finish_current() {
    const auto ended = clock.wall_ms();
    auto done = std::move(*current);
    current.reset();
    (void)gst::take_bus_news(done.pipeline.get(), false, &done.meter);  // the last intervals measured
    done.appsrc.reset();
    done.pipeline.reset();
    const auto first_ns = done.probe->first_ns.load();
    const auto started = first_ns ? static_cast<std::int64_t>(first_ns / 1'000'000) : 0;
    report(done.play, done.outcome, started, started ? ended : 0, done.detail, &done);
    if (done.outcome == v1::PlaybackReport::OUTCOME_PREEMPTED && done.play.on_preempt() == v1::PREEMPT_RESUME) {
      auto again = done.play;
      again.set_start_at_ms(0);
      // A live stream resumes at its present; a clip where its output had come to.
      insert(again, is_live(again) ? 0 : done.resumed_from_ns + done.probe->reached_ns.load());
    }
  }

  void insert(const v1::Play& play, std::uint64_t resume_ns = 0) {
    const auto since = play.start_at_ms() ? play.start_at_ms() : clock.wall_ms();
    auto pos = std::find_if(waiting.begin(), waiting.end(), [&](const Waiting& w) {
      return rank(w.play.priority()) < rank(play.priority()) ||
             (rank(w.play.priority()) == rank(play.priority()) && w.play.start_at_ms() > play.start_at_ms());
    });
    waiting.insert(pos, Waiting{play, since, resume_ns});
  }

  void poll_bus() {
    if (!current) return;
    const auto news = gst::take_bus_news(current->pipeline.get(), false, &current->meter);
    if (news.any) {
      if (news.error && !current->stopping) {
        current->outcome = v1::PlaybackReport::OUTCOME_FAILED;
        current->detail = *news.error;
      }
      finish_current();
      return;
    }
    if (current->stopping && clock.wall_ms() > current->stop_deadline_ms) finish_current();
  }

  [[nodiscard]] bool ready(const v1::Play& play, std::int64_t now_ms) const {
    if (play.start_at_ms() - kPrerollMs > now_ms) return false;
    if (!is_live(play)) return !clip_path(play.clip_sha256()).empty();
    auto it = heard.find(play.stream_id());
    return it != heard.end() && std::chrono::steady_clock::now() - it->second < kHeardRecently;
  }

  // Tells the controller that sound has begun, as soon as the first sample is out.
  void announce_playing() {
    if (!current || current->announced) return;
    const auto first_ns = current->probe->first_ns.load();
    if (!first_ns) return;
    current->announced = true;
    v1::PlaybackReport r;
    r.set_broadcast_id(current->play.broadcast_id());
    r.set_content_id(content_of(current->play));
    r.set_planned_start_ms(current->play.start_at_ms() ? current->play.start_at_ms() : current->started_ms);
    r.set_actual_start_ms(static_cast<std::int64_t>(first_ns / 1'000'000));
    r.set_actual_start_ns(first_ns);
    r.set_outcome(v1::PlaybackReport::OUTCOME_PLAYING);
    reports.on_playout(r);
  }

  void tick() {
    poll_bus();
    announce_playing();
    const auto now = clock.wall_ms();
    std::erase_if(held, [&](const auto& entry) { return !wants(entry.first); });
    if (current && !current->stopping && is_live(current->play) &&
        std::chrono::steady_clock::now() - current->last_frame > settings.live_silence_limit) {
      end_current(v1::PlaybackReport::OUTCOME_FAILED,
                  "no audio from the stream for " + std::to_string(settings.live_silence_limit.count() / 1000) + " s");
    }
    // Plays whose time passed long ago without their clip or stream are missed, not
    // played late.
    for (auto it = waiting.begin(); it != waiting.end();) {
      const auto& p = it->play;
      const auto limit = is_live(p) ? settings.live_silence_limit.count() : kMissedAfterMs;
      if (now > it->since_ms + limit && !ready(p, now)) {
        report(p, v1::PlaybackReport::OUTCOME_MISSED, 0, 0,
               is_live(p)                            ? "stream never heard"
               : clip_path(p.clip_sha256()).empty() ? "clip never arrived"
                                                    : "air time passed");
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
    // The most important play that is due and whose clip or stream is here.
    auto due = std::find_if(waiting.begin(), waiting.end(), [&](const Waiting& w) { return ready(w.play, now); });
    if (due == waiting.end()) return;
    if (current) {
      if (!current->stopping && rank(due->play.priority()) > rank(current->play.priority()) &&
          (!due->play.at_break() || rank(current->play.priority()) <= v1::PRIORITY_RELAY)) {
        end_current(v1::PlaybackReport::OUTCOME_PREEMPTED, "preempted by " + due->play.broadcast_id());
        if (!current) return tick();  // ended at once: the due play starts now
      }
      return;  // the due play starts once the current one has ended
    }
    auto play = due->play;
    const auto resume_ns = due->resume_ns;
    waiting.erase(due);
    start(play, resume_ns);
  }

  [[nodiscard]] bool wants(const std::string& stream) const {
    if (current && current->play.stream_id() == stream) return true;
    return std::any_of(waiting.begin(), waiting.end(), [&](const Waiting& w) { return w.play.stream_id() == stream; });
  }

  void on_live_frame(const v1::AudioFrame& frame) {
    if (frame.stream_id().empty() || !wants(frame.stream_id())) return;
    ++counters.frames_received;
    heard[frame.stream_id()] = std::chrono::steady_clock::now();
    if (!current || current->stopping || current->play.stream_id() != frame.stream_id()) {
      if (!frame.end_of_stream()) {
        auto& queue = held[frame.stream_id()];
        queue.push_back(frame);
        if (queue.size() > kHeldFrames) queue.pop_front();
        tick();  // its play may be due now that it is heard
        return;
      }
      held.erase(frame.stream_id());
      // Ended before it was our turn: nothing left to wait for.
      std::erase_if(waiting, [&](const Waiting& w) {
        if (w.play.stream_id() != frame.stream_id()) return false;
        report(w.play, v1::PlaybackReport::OUTCOME_MISSED, 0, 0, "stream ended before its turn");
        return true;
      });
      return;
    }
    push_frame(*current, frame);
  }

  void push_frame(Current& run, const v1::AudioFrame& frame) {
    auto* src = GST_APP_SRC(run.appsrc.get());
    run.last_frame = std::chrono::steady_clock::now();
    if (frame.end_of_stream()) {
      gst_app_src_end_of_stream(src);
      return;
    }
    const std::uint64_t pts = frame.presentation_time_ns();
    const std::uint64_t duration = std::uint64_t{frame.duration_us()} * 1000;
    if (duration == 0 || frame.opus_payload().empty()) return;
    const std::uint64_t now = shared.now_ns();
    if (run.next_pts_ns && pts + kToleranceNs < run.next_pts_ns) return;  // a repeat, or overlaps what we have
    // A scheduled relay is opened ahead of its air time: what comes before is not ours.
    if (pts < static_cast<std::uint64_t>(std::max<std::int64_t>(run.play.start_at_ms(), 0)) * 1'000'000) return;
    if (pts < now) {
      ++counters.frames_late;  // its gap is concealed when the next frame comes
      return;
    }
    if (run.next_pts_ns && pts > run.next_pts_ns + kToleranceNs) {
      // Frames missing: the decoder conceals the gap (whatever of it is still ahead).
      const std::uint64_t gap = pts - run.next_pts_ns;
      const std::uint64_t missing = (gap + duration / 2) / duration;
      run.frames_concealed += missing;
      counters.frames_concealed += missing;
      run.longest_gap_ns = std::max(run.longest_gap_ns, gap);
      const std::uint64_t from = std::max(run.next_pts_ns, now);
      if (pts > from) gst_element_send_event(run.appsrc.get(), gst_event_new_gap(from, pts - from));
    }
    GstBuffer* buffer = gst_buffer_new_memdup(frame.opus_payload().data(), frame.opus_payload().size());
    GST_BUFFER_PTS(buffer) = pts;
    GST_BUFFER_DURATION(buffer) = duration;
    if (!run.next_pts_ns) GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DISCONT);
    gst_app_src_push_buffer(src, buffer);  // takes the buffer
    run.next_pts_ns = pts + duration;
    ++run.frames_played;
  }
};

Player::Player(PlayoutSettings settings, std::function<std::string(const std::string&)> clip_path,
               IPlayoutReports& reports, const time::IClock& clock, SharedClock& shared_clock)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(clip_path), reports, clock, shared_clock)) {}

Player::~Player() = default;

std::string Player::enqueue(const v1::Play& play) {
  if (play.stream_id().empty() && play.clip_sha256().size() != 64) return "no clip given";
  if (!play.stream_id().empty() && !play.clip_sha256().empty()) return "a play names a clip or a stream, not both";
  impl_->insert(play);
  impl_->tick();  // an emergency acts now, not at the next tick
  return {};
}

void Player::stop(const std::string& broadcast_id) {
  std::erase_if(impl_->waiting,
                [&](const Impl::Waiting& w) { return broadcast_id.empty() || w.play.broadcast_id() == broadcast_id; });
  if (impl_->current && (broadcast_id.empty() || impl_->current->play.broadcast_id() == broadcast_id)) {
    impl_->end_current(v1::PlaybackReport::OUTCOME_STOPPED, "stopped by command");
  }
}

bool Player::set_volume(const std::string& broadcast_id, double volume) {
  volume = std::clamp(volume, 0.0, 1.0);
  bool found = false;
  for (auto& w : impl_->waiting) {
    if (!broadcast_id.empty() && w.play.broadcast_id() == broadcast_id) {
      w.play.set_volume(volume > 0 ? volume : 1e-6);  // 0 in a Play means full scale
      found = true;
    }
  }
  auto& current = impl_->current;
  if (current && !current->stopping && (broadcast_id.empty() || current->play.broadcast_id() == broadcast_id)) {
    // The volume element sits just after the pacing: the next buffer to go out (at most
    // 20 ms away) is the first at the new volume.
    if (const auto vol = gst::child(current->pipeline.get(), "vol")) g_object_set(vol.get(), "volume", volume, nullptr);
    current->play.set_volume(volume > 0 ? volume : 1e-6);
    found = true;
  }
  return found;
}

void Player::tick() { impl_->tick(); }

void Player::on_live_frame(const v1::AudioFrame& frame) { impl_->on_live_frame(frame); }

std::vector<std::string> Player::wanted_streams() const {
  std::vector<std::string> streams;
  auto add = [&](const v1::Play& p) {
    if (is_live(p) && std::find(streams.begin(), streams.end(), p.stream_id()) == streams.end()) {
      streams.push_back(p.stream_id());
    }
  };
  if (impl_->current) add(impl_->current->play);
  for (const auto& w : impl_->waiting) add(w.play);
  return streams;
}

LiveCounters Player::live_counters() const { return impl_->counters; }

std::optional<Player::NowPlaying> Player::now_playing() const {
  if (!impl_->current) return std::nullopt;
  const auto& c = *impl_->current;
  return NowPlaying{c.play.broadcast_id(), c.play.clip_sha256(), c.play.stream_id(), c.play.priority(), c.started_ms};
}

std::optional<std::int64_t> Player::next_start_ms() const {
  std::optional<std::int64_t> earliest;
  for (const auto& w : impl_->waiting) {
    // A live play for "now" starts on its stream's frames, which wake the loop anyway.
    if (is_live(w.play) && !w.play.start_at_ms()) continue;
    // Woken a preroll ahead, so the pipeline is ready at the instant itself.
    const auto at = w.play.start_at_ms() ? w.play.start_at_ms() - kPrerollMs : impl_->clock.wall_ms();
    if (!earliest || at < *earliest) earliest = at;
  }
  return earliest;
}

bool Player::needs_clip(const std::string& clip_sha256) const {
  if (impl_->current && impl_->current->play.clip_sha256() == clip_sha256) return true;
  return std::any_of(impl_->waiting.begin(), impl_->waiting.end(),
                     [&](const Impl::Waiting& w) { return w.play.clip_sha256() == clip_sha256; });
}

}  // namespace loa::playout
