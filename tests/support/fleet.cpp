#include "support/fleet.hpp"

#include <iostream>

#include <httplib.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

namespace loa::test {

std::string bin(const std::string& program) { return std::string(LOA_BIN_DIR) + "/" + program; }

Fleet::Fleet(FleetOptions options)
    : options_(std::move(options)), control_port_(free_port()), enroll_port_(free_port()), http_port_(free_port()),
      audio_port_(free_port()), clock_port_(free_port()) {
  write_controller_config();
}

void Fleet::write_controller_config() {
  write_file(dir() + "/controller.yaml",
             "data_dir: " + dir() + "/controller\n"
             "control:\n"
             "  bind: tcp://" + options_.bind_host + ":" + std::to_string(control_port_) + "\n"
             "  enroll_bind: tcp://" + options_.bind_host + ":" + std::to_string(enroll_port_) + "\n"
             "  audio_bind: tcp://" + options_.bind_host + ":" + std::to_string(audio_port_) + "\n"
             "  heartbeat_interval_ms: " + std::to_string(options_.heartbeat_ms) + "\n"
             "  command_resend_ms: 1000\n" + options_.controller_control +
             "live:\n"
             "  clock_port: " + std::to_string(clock_port_) + "\n" + options_.controller_live +
             "http:\n"
             "  port: " + std::to_string(http_port_) + "\n"
             "  api_token: " + token_ + "\n"
             "  admin_password: test-password\n" + options_.controller_http +
             "clips:\n"
             "  max_upload_mib: 1\n"
             "log:\n"
             "  level: " + options_.controller_log_level + "\n" +
             "alerts:\n"
             "  standard_clips: " + (options_.standard_clips ? "true" : "false") + "\n" + options_.controller_alerts +
             options_.controller_extra);
}

Fleet::~Fleet() {
  for (auto& [id, agent] : agents_) agent.reset();
  controller_.reset();
}

void Fleet::start_controller() {
  auto launch = [&] {
    controller_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{bin("loa-controller"), "--config", dir() + "/controller.yaml"},
        dir() + "/controller.log", options_.controller_wrapper);
  };
  launch();
  bool up = eventually([&] { return api("GET", "/api/v1/health").status == 200 || !controller_->running(); },
                       std::chrono::seconds(20)) &&
            controller_->running();
  if (!up && !ever_started_ && agents_.empty()) {
    // Another test process took one of our ports between the check and the bind (tests
    // run in parallel): on a first start, with no agent told the ports yet, take new ones.
    controller_.reset();
    control_port_ = free_port();
    enroll_port_ = free_port();
    http_port_ = free_port();
    audio_port_ = free_port();
    clock_port_ = free_port();
    write_controller_config();
    launch();
    up = eventually([&] { return api("GET", "/api/v1/health").status == 200 || !controller_->running(); },
                    std::chrono::seconds(20)) &&
         controller_->running();
  }
  if (!up) throw std::runtime_error("controller did not start:\n" + controller_log());
  ever_started_ = true;
}

pid_t Fleet::controller_pid() const { return controller_ ? controller_->pid() : -1; }
bool Fleet::controller_running() const { return controller_ && controller_->running(); }

void Fleet::stop_controller(int sig) {
  if (controller_) controller_->stop(sig);
  controller_.reset();
}

std::string Fleet::agent_config_path(const std::string& id) const { return dir() + "/agent-" + id + ".yaml"; }

void Fleet::start_agent(const std::string& id, const std::vector<std::string>& wrapper) {
  const auto config = agent_config_path(id);
  if (!std::filesystem::exists(config)) {
    write_file(config, "station_id: " + id + "\n"
                       "state_dir: " + dir() + "/agent-" + id + "\n"
                       "controller:\n"
                       "  endpoint: tcp://" + options_.connect_host + ":" + std::to_string(control_port_) + "\n"
                       "  enroll_endpoint: tcp://" + options_.connect_host + ":" + std::to_string(enroll_port_) + "\n"
                       "  public_key_file: " + dir() + "/controller/controller.pub\n" + options_.agent_controller +
                       "link:\n"
                       "  heartbeat_interval_ms: " + std::to_string(options_.heartbeat_ms) + "\n"
                       "  reconnect_min_ms: 100\n"
                       "  reconnect_max_ms: " + std::to_string(options_.reconnect_max_ms) + "\n"
                       "log:\n"
                       "  level: debug\n" +
                       (hardware_files_.contains(id) ? "hardware:\n  station_file: " + hardware_files_[id] +
                                                           "\n  telemetry_interval_ms: 500\n" +
                                                           hardware_extra_[id]
                                                     : std::string()) +
                       "audio:\n  output: " + (audio_dirs_.contains(id) ? "wav:" + audio_dirs_[id] : std::string("fake")) +
                       "\n" + options_.agent_audio + options_.agent_extra);
  }
  agents_[id] = std::make_unique<ChildProcess>(std::vector<std::string>{bin("loa-agent"), "--config", config},
                                               dir() + "/agent-" + id + ".log", wrapper);
}

void Fleet::set_agent_hardware(const std::string& id, const std::string& station_file, const std::string& extra) {
  hardware_files_[id] = station_file;
  hardware_extra_[id] = extra;
}

void Fleet::set_agent_audio_dir(const std::string& id, const std::string& dir) { audio_dirs_[id] = dir; }

void Fleet::stop_agent(const std::string& id, int sig) {
  auto it = agents_.find(id);
  if (it == agents_.end()) return;
  it->second->stop(sig);
  agents_.erase(it);
}

bool Fleet::agent_running(const std::string& id) const {
  auto it = agents_.find(id);
  return it != agents_.end() && it->second->running();
}

void Fleet::enroll(const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    // Where every controller thread stands, when gdb is there to say, taken while the
    // station is still waiting (10 s): a controller that stopped answering shows what
    // it waits for.
    std::string stacks;
    if (!wait_for_state(id, "pending", 10000) && controller_ && controller_->running() &&
        run_command("command -v gdb").exit_code == 0) {
      stacks = run_command("gdb -batch -p " + std::to_string(controller_->pid()) +
                           " -ex 'thread apply all bt 25' 2>/dev/null | grep -E '^(Thread|#)'").out;
    }
    if (!wait_for_state(id, "pending", 10000)) {
      const auto log = agent_log(id);
      throw std::runtime_error(id + " never became pending; its log ends:\n" +
                               log.substr(log.size() > 3000 ? log.size() - 3000 : 0) + "\ncontroller log ends:\n" +
                               controller_log().substr(controller_log().size() > 3000 ? controller_log().size() - 3000 : 0) +
                               (stacks.empty() ? "" : "\ncontroller threads:\n" + stacks));
    }
    if (!stacks.empty()) std::cerr << id << " was late becoming pending; controller threads then:\n" << stacks;
    // As an operator does: the fingerprint read on the station, named in the approval.
    auto reply = api("POST", "/api/v1/stations/" + id + "/approve", {{"fingerprint", agent_fingerprint(id)}});
    if (reply.status != 200) throw std::runtime_error("approve " + id + ": " + reply.body.dump());
  }
}

std::string Fleet::agent_fingerprint(const std::string& id) const {
  auto r = run_command(bin("loa-agent") + " fingerprint --config " + agent_config_path(id));
  if (r.exit_code != 0) throw std::runtime_error("loa-agent fingerprint " + id + ": " + r.out);
  return r.out.substr(0, r.out.find('\n'));
}

namespace {

// One API call: the same client settings and reply parsing for every kind of caller.
ApiReply request(int port, const httplib::Headers& headers, const std::string& method, const std::string& path,
                 const std::string& body, const std::string& content_type = "application/json") {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(30);
  auto res = method == "POST"     ? client.Post(path, headers, body, content_type)
             : method == "PUT"    ? client.Put(path, headers, body, content_type)
             : method == "DELETE" ? client.Delete(path, headers)
                                  : client.Get(path, headers);
  if (!res) return {};
  return {res->status, nlohmann::json::parse(res->body, nullptr, false), res->body};
}

}  // namespace

ApiReply Fleet::api(const std::string& method, const std::string& path, const nlohmann::json& body) const {
  return request(http_port_, {{"Authorization", "Bearer " + token_}}, method, path, body.is_null() ? "{}" : body.dump());
}

ApiReply Fleet::api_as(const std::string& user, const std::string& password, const std::string& method,
                       const std::string& path, const nlohmann::json& body) const {
  const auto cookie = login(user, password);
  if (cookie.empty()) {
    return request(http_port_, {}, "POST", "/api/v1/login", nlohmann::json{{"user", user}, {"password", password}}.dump());
  }
  return api_session(cookie, method, path, body.is_null() ? "{}" : body.dump());
}

std::string Fleet::login(const std::string& user, const std::string& password) const {
  httplib::Client client("127.0.0.1", http_port_);
  client.set_connection_timeout(2);
  client.set_read_timeout(10);
  auto res = client.Post("/api/v1/login", nlohmann::json{{"user", user}, {"password", password}}.dump(),
                         "application/json");
  if (!res || res->status != 200) return {};
  const auto cookie = res->get_header_value("Set-Cookie");
  return cookie.substr(0, cookie.find(';'));
}

ApiReply Fleet::api_session(const std::string& cookie, const std::string& method, const std::string& path,
                            const std::string& body) const {
  httplib::Headers headers;
  if (!cookie.empty()) headers.emplace("Cookie", cookie);
  return request(http_port_, headers, method, path, body);
}

ApiReply Fleet::api_bearer(const std::string& token, const std::string& method, const std::string& path,
                           const std::string& body) const {
  return request(http_port_, {{"Authorization", "Bearer " + token}}, method, path, body);
}

ApiReply Fleet::post_text(const std::string& path, const std::string& body, const std::string& content_type) const {
  return request(http_port_, {{"Authorization", "Bearer " + token_}}, "POST", path, body, content_type);
}

ApiReply Fleet::post_text_as(const std::string& token, const std::string& path, const std::string& body,
                             const std::string& content_type) const {
  return request(http_port_, {{"Authorization", "Bearer " + token}}, "POST", path, body, content_type);
}

std::string Fleet::metrics() const {
  return run_command("curl -sS -H 'Authorization: Bearer " + token_ + "' http://127.0.0.1:" + std::to_string(http_port_) +
                     "/metrics").out;
}

CommandResult Fleet::loactl(const std::string& args) const {
  return run_command(bin("loactl") + " --url http://127.0.0.1:" + std::to_string(http_port_) + " --token " + token_ +
                     " " + args);
}

std::string Fleet::add_tone_clip(const std::string& name, int seconds) const {
  const auto path = dir() + "/" + name + ".flac";
  (void)run_command("gst-launch-1.0 -q audiotestsrc num-buffers=" + std::to_string(seconds * 43) +
                    " volume=0.3 ! audioconvert ! flacenc ! filesink location=" + path);
  const auto added = loactl("--json clips add " + path + " --name " + name);
  const auto reply = nlohmann::json::parse(added.out, nullptr, false);
  if (!reply.is_array() || reply.empty()) throw std::runtime_error("clips add " + name + ": " + added.out);
  return reply[0]["id"];
}

std::string Fleet::state_of(const std::string& station) const {
  auto reply = api("GET", "/api/v1/stations/" + station);
  if (reply.status != 200) return "";
  return reply.body.value("state", "");
}

bool Fleet::wait_for_state(const std::string& station, const std::string& state, int timeout_ms) const {
  return eventually([&] { return state_of(station) == state; }, std::chrono::milliseconds(timeout_ms));
}

nlohmann::json Fleet::counters() const { return api("GET", "/api/v1/link/stats").body["counters"]; }

std::string Fleet::agent_journal(const std::string& id) const {
  return run_command(bin("loa-agent") + " journal --config " + agent_config_path(id)).out;
}

pid_t Fleet::agent_pid(const std::string& id) const {
  auto it = agents_.find(id);
  return it == agents_.end() || !it->second ? -1 : it->second->pid();
}

std::string Fleet::agent_log(const std::string& id) const { return read_file(dir() + "/agent-" + id + ".log"); }
std::string Fleet::controller_log() const { return read_file(dir() + "/controller.log"); }

std::string Fleet::controller_public_key() const {
  auto text = read_file(dir() + "/controller/controller.pub");
  return text.substr(0, text.find('\n'));
}

}  // namespace loa::test
