#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace loa::test {

// A program started by a test, with its output in a log file. Killed (SIGKILL) when the
// handle goes away, so a failing test leaves no process behind.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(std::vector<std::string> argv, const std::string& log_path,
               const std::vector<std::string>& wrapper = {});
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  void signal(int sig) const;
  // Sends `sig` and waits for the exit; returns the wait status.
  int stop(int sig = 15, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  [[nodiscard]] bool running() const;
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] std::string log() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

// Output and exit code of a finished command.
struct CommandResult {
  int exit_code = -1;
  std::string out;
};
[[nodiscard]] CommandResult run_command(const std::string& shell_command);

// A fresh folder under the system temp dir, removed with everything in it at the end.
class ScratchDir {
 public:
  ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir();
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A TCP port that was free on 127.0.0.1 a moment ago, outside the ephemeral range.
[[nodiscard]] int free_port();
// A number of /proc/PID/status ("VmRSS", "RssAnon", "Threads"; memory in KiB), -1 when
// the process or the field is not there.
[[nodiscard]] long proc_status(pid_t pid, const std::string& field);
// CPU time (user + system) a process has used so far, in seconds; 0 if it is gone.
[[nodiscard]] double cpu_seconds(pid_t pid);
// Raises this process's open-file limit to its hard limit (a benchmark holding thousands
// of sockets needs it).
void raise_open_file_limit();

// Polls `condition` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds every = std::chrono::milliseconds(50));

// The wall clock now, ms since the epoch.
[[nodiscard]] std::int64_t now_ms();
// "YYYY-MM-DDTHH:MM:SS" of an instant in UTC (broadcasts in tests are written in tz UTC).
[[nodiscard]] std::string utc_local(std::int64_t ms);
// A whole second at least `ahead_ms` from now: a start time a test can wait for.
[[nodiscard]] std::int64_t second_ahead(std::int64_t ahead_ms);
void sleep_until_ms(std::int64_t at_ms);

void write_file(const std::string& path, const std::string& text);
[[nodiscard]] std::string read_file(const std::string& path);

}  // namespace loa::test
