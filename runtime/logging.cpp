#include "runtime/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>

namespace plexichat::runtime {

void init_logging(std::string_view node_name, std::string_view level) {
  auto logger = spdlog::stderr_logger_mt("plexichat");
  // ISO-8601 time, level, node name, then the event; one line per event.
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ node=" + std::string{node_name} + " %v");
  spdlog::set_default_logger(logger);
  set_log_level(level);
  spdlog::flush_on(spdlog::level::warn);
}

void set_log_level(std::string_view level) {
  spdlog::set_level(spdlog::level::from_str(std::string{level}));
}

}  // namespace plexichat::runtime
