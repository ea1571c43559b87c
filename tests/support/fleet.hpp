#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace loa::test {

struct FleetOptions {
  int heartbeat_ms = 200;        // short, so liveness tests run in seconds
  std::string bind_host = "127.0.0.1";     // where the controller listens
  std::string connect_host = "127.0.0.1";  // where agents reach it
  int reconnect_max_ms = 1000;
  std::string controller_live;  // extra lines of the controller's live section (indented by two spaces)
  std::string controller_control;  // extra lines of the controller's control section (indented by two spaces)
  std::string agent_audio;      // extra lines of each agent's audio section (indented by two spaces)
  std::string agent_controller;  // extra lines of each agent's controller section (indented by two spaces)
  std::string controller_extra;  // extra top-level sections of the controller's config
  std::string agent_extra;       // extra top-level sections of each agent's config
  std::string controller_http;   // extra lines of the controller's http section (indented by two spaces)
  // Alert tones and standard messages rendered and pinned on every station (6 clips and
  // 6 commands per station); off unless a test is about alerts.
  bool standard_clips = false;
  std::string controller_alerts;  // extra lines of the alerts section (indented by two spaces)
  std::vector<std::string> controller_wrapper;  // put before the controller's command line (a profiler)
  std::string controller_log_level = "debug";  // benchmarks use warn: a line per station is not what they measure
};

struct ApiReply {
  int status = 0;
  nlohmann::json body;  // discarded when the reply is not JSON
  std::string text;     // the reply as it came
};

// A controller and its agents as real processes, configured in one scratch folder.
// Ports are chosen once, so restarts keep them (agents find the controller again).
class Fleet {
 public:
  explicit Fleet(FleetOptions options = {});
  ~Fleet();

  void start_controller();
  void stop_controller(int sig = 9);
  // Writes the agent's config (if new) and starts it. `wrapper` is prepended to the
  // command line (e.g. {"ip", "netns", "exec", "ns1"}).
  void start_agent(const std::string& id, const std::vector<std::string>& wrapper = {});
  // Gives an agent (before its first start) a station hardware file to watch.
  // `extra` is added to its hardware section (YAML lines indented by two spaces).
  void set_agent_hardware(const std::string& id, const std::string& station_file, const std::string& extra = "");
  // Plays go to WAV files in `dir` (one per playout) instead of a sound card.
  void set_agent_audio_dir(const std::string& id, const std::string& dir);
  void stop_agent(const std::string& id, int sig = 9);
  [[nodiscard]] bool agent_running(const std::string& id) const;
  [[nodiscard]] pid_t agent_pid(const std::string& id) const;

  // Approves through the API every station given, waiting until each is pending first.
  void enroll(const std::vector<std::string>& ids);

  [[nodiscard]] ApiReply api(const std::string& method, const std::string& path,
                             const nlohmann::json& body = nullptr) const;
  // As a console user: logs in with the password, then calls with that session.
  [[nodiscard]] ApiReply api_as(const std::string& user, const std::string& password, const std::string& method,
                                const std::string& path, const nlohmann::json& body = nullptr) const;
  // Logs a console user in; the session cookie ("loa_session=..."), or "" when refused.
  [[nodiscard]] std::string login(const std::string& user, const std::string& password) const;
  // A call with a session cookie (empty: with no credentials at all).
  [[nodiscard]] ApiReply api_session(const std::string& cookie, const std::string& method, const std::string& path,
                                     const std::string& body = "{}") const;
  // A call with a bearer token of one's own (a user's API token).
  [[nodiscard]] ApiReply api_bearer(const std::string& token, const std::string& method, const std::string& path,
                                    const std::string& body = "{}") const;
  // A body that is not JSON (a CAP message), with the API token.
  [[nodiscard]] ApiReply post_text(const std::string& path, const std::string& body,
                                   const std::string& content_type) const;
  // The same with another bearer token (a CAP source's, a user's).
  [[nodiscard]] ApiReply post_text_as(const std::string& token, const std::string& path, const std::string& body,
                                      const std::string& content_type) const;
  [[nodiscard]] CommandResult loactl(const std::string& args) const;
  // Renders a tone of `seconds` to FLAC, adds it to the library as `name`; its id.
  [[nodiscard]] std::string add_tone_clip(const std::string& name, int seconds) const;
  // /metrics as a scraper with the API token gets it.
  [[nodiscard]] std::string metrics() const;
  [[nodiscard]] std::string state_of(const std::string& station) const;
  bool wait_for_state(const std::string& station, const std::string& state, int timeout_ms) const;
  [[nodiscard]] nlohmann::json counters() const;

  [[nodiscard]] std::string agent_journal(const std::string& id) const;
  [[nodiscard]] std::string agent_log(const std::string& id) const;
  [[nodiscard]] std::string controller_log() const;
  [[nodiscard]] std::string controller_public_key() const;
  [[nodiscard]] std::string agent_config_path(const std::string& id) const;
  // The agent's key fingerprint, as `loa-agent fingerprint` prints it on the station.
  [[nodiscard]] std::string agent_fingerprint(const std::string& id) const;

  [[nodiscard]] pid_t controller_pid() const;
  [[nodiscard]] bool controller_running() const;
  // Extra lines of the controller section of agents started from now on.
  void set_agent_controller(std::string lines) { options_.agent_controller = std::move(lines); }
  void set_agent_extra(std::string sections) { options_.agent_extra = std::move(sections); }

  [[nodiscard]] const std::string& dir() const { return scratch_.path(); }
  [[nodiscard]] int control_port() const { return control_port_; }
  [[nodiscard]] int enroll_port() const { return enroll_port_; }
  [[nodiscard]] int http_port() const { return http_port_; }
  [[nodiscard]] int audio_port() const { return audio_port_; }
  [[nodiscard]] const std::string& token() const { return token_; }
  [[nodiscard]] const FleetOptions& options() const { return options_; }

 private:
  void write_controller_config();

  FleetOptions options_;
  ScratchDir scratch_;
  bool ever_started_ = false;
  int control_port_;
  int enroll_port_;
  int http_port_;
  int audio_port_;
  int clock_port_;
  std::string token_ = "test-token-0123456789abcdef";
  std::unique_ptr<ChildProcess> controller_;
  std::map<std::string, std::unique_ptr<ChildProcess>> agents_;
  std::map<std::string, std::string> hardware_files_;
  std::map<std::string, std::string> hardware_extra_;
  std::map<std::string, std::string> audio_dirs_;
};

[[nodiscard]] std::string bin(const std::string& program);

}  // namespace loa::test
