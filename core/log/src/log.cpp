#include "loa/log/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>

namespace loa::log {
namespace {

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::trace: return spdlog::level::trace;
    case Level::debug: return spdlog::level::debug;
    case Level::info: return spdlog::level::info;
    case Level::warn: return spdlog::level::warn;
    case Level::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

std::optional<Level> parse_level(std::string_view text) {
  if (text == "trace") return Level::trace;
  if (text == "debug") return Level::debug;
  if (text == "info") return Level::info;
  if (text == "warn" || text == "warning") return Level::warn;
  if (text == "error") return Level::error;
  return std::nullopt;
}

std::optional<Target> parse_target(std::string_view text) {
  if (text == "stderr") return Target::stderr_stream;
  if (text == "journald") return Target::journald;
  return std::nullopt;
}

void init(std::string_view program, Level level, Target target) {
  std::shared_ptr<spdlog::logger> logger;
  if (target == Target::journald) {
    // journald stamps time and priority itself.
    auto sink = std::make_shared<spdlog::sinks::systemd_sink_mt>(std::string(program));
    logger = std::make_shared<spdlog::logger>(std::string(program), sink);
    logger->set_pattern("%v");
  } else {
    logger = spdlog::stderr_color_mt(std::string(program));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ " + std::string(program) + "[%P] %v");
  }
  logger->set_level(to_spdlog(level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

void set_level(Level level) { spdlog::default_logger()->set_level(to_spdlog(level)); }

void Logger::write(spdlog::level::level_enum level, const std::string& text) const {
  spdlog::default_logger_raw()->log(level, "{}: {}", component_, text);
}

}  // namespace loa::log
