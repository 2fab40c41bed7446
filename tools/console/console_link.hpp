#pragma once

#include <chrono>
#include <map>
#include <string>
#include <variant>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <nlohmann/json.hpp>

#include "actors/inspector/inspector_query.hpp"

namespace plexichat::tools::console {

/// An answer, or one line saying why there is none.
using answer_or_error = std::variant<nlohmann::json, std::string>;

/// The console's connections to the nodes' inspectors, by cluster address. Blocking calls:
/// the console is a command-line program, not an actor of a node.
class console_link {
 public:
  console_link(caf::actor_system& sys, bool tls) : sys_(sys), tls_(tls) {}

  /// The inspector of the node whose cluster listener is `address` (host:port), connecting
  /// first if needed; or why it cannot be reached.
  std::variant<caf::actor, std::string> inspector_at(const std::string& address);

  /// Asks the inspector at `address`; an answer with "error" comes back as the error line.
  /// A query is asked again once after a timeout; a `job` (a backup's verify, repair,
  /// restore or key rotation, which may run for minutes and must not run twice) is asked
  /// once and waited for up to job_timeout.
  answer_or_error ask(const std::string& address, actors::inspector::inspector_query q,
                      bool job = false);

  static constexpr std::chrono::minutes job_timeout{30};

 private:
  answer_or_error ask_once(const std::string& address, actors::inspector::inspector_query q,
                           caf::timespan timeout);
  std::string connect_error(const std::string& address, const caf::error& err);

  caf::actor_system& sys_;
  bool tls_;
  std::map<std::string, caf::actor> inspectors_;
  bool timed_out_ = false;  ///< the last ask_once ended in a request timeout
};

}  // namespace plexichat::tools::console
