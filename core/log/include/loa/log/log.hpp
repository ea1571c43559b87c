#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

namespace loa::log {

enum class Level { trace, debug, info, warn, error };
enum class Target { stderr_stream, journald };

[[nodiscard]] std::optional<Level> parse_level(std::string_view text);
[[nodiscard]] std::optional<Target> parse_target(std::string_view text);

// Sets up the process-wide log output. Call once from main(); until then messages go to
// stderr at info level.
void init(std::string_view program, Level level, Target target = Target::stderr_stream);
void set_level(Level level);

// A component's handle on the log. Every line reads "component: event: key=value ...":
// the caller writes the event and its key=value pairs, the logger adds the component.
class Logger {
 public:
  explicit Logger(std::string component) : component_(std::move(component)) {}

  template <typename... Args>
  void trace(fmt::format_string<Args...> f, Args&&... a) const {
    if (enabled(spdlog::level::trace)) write(spdlog::level::trace, fmt::format(f, std::forward<Args>(a)...));
  }
  template <typename... Args>
  void debug(fmt::format_string<Args...> f, Args&&... a) const {
    if (enabled(spdlog::level::debug)) write(spdlog::level::debug, fmt::format(f, std::forward<Args>(a)...));
  }
  template <typename... Args>
  void info(fmt::format_string<Args...> f, Args&&... a) const {
    if (enabled(spdlog::level::info)) write(spdlog::level::info, fmt::format(f, std::forward<Args>(a)...));
  }
  template <typename... Args>
  void warn(fmt::format_string<Args...> f, Args&&... a) const {
    if (enabled(spdlog::level::warn)) write(spdlog::level::warn, fmt::format(f, std::forward<Args>(a)...));
  }
  template <typename... Args>
  void error(fmt::format_string<Args...> f, Args&&... a) const {
    if (enabled(spdlog::level::err)) write(spdlog::level::err, fmt::format(f, std::forward<Args>(a)...));
  }

 private:
  // Formatting costs more than the check: a debug line on a hot path is free when off.
  static bool enabled(spdlog::level::level_enum level) { return spdlog::default_logger_raw()->should_log(level); }
  void write(spdlog::level::level_enum level, const std::string& text) const;
  std::string component_;
};

}  // namespace loa::log
