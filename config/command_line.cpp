#include "config/command_line.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#ifndef PLEXICHAT_VERSION
#define PLEXICHAT_VERSION "unknown"
#endif

namespace plexichat::config {
namespace {

/// The raw text of every flag, and which of them were given.
struct flag_values {
  std::string config_file;
  std::string name;
  std::string data_dir;
  std::string listen;
  std::string cluster_listen;
  std::string seeds;
  std::string certs_dir;
  std::string log_level;
  bool insecure = false;
  std::set<std::string> given;  // config keys whose value came from a flag

  bool has(const std::string& key) const { return given.count(key) != 0; }
};

// Each flag and the config key it overrides.
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> flag_keys{{
    {"--name", "name"},
    {"--data-dir", "data_dir"},
    {"--listen", "listen"},
    {"--cluster-listen", "cluster_listen"},
    {"--seeds", "seeds"},
    {"--certs-dir", "certs_dir"},
    {"--insecure", "insecure"},
    {"--log-level", "log.level"},
}};

void add_flags(CLI::App& app, flag_values& v) {
  app.add_option("--config", v.config_file, "YAML config file (see config/node.yaml)")
      ->type_name("FILE");
  app.add_option("--name", v.name, "Node name, unique in the cluster")->type_name("NAME");
  app.add_option("--data-dir", v.data_dir, "Data directory")->type_name("DIR");
  app.add_option("--listen", v.listen, "Client listener")->type_name("HOST:PORT");
  app.add_option("--cluster-listen", v.cluster_listen, "Peer and console listener")
      ->type_name("HOST:PORT");
  app.add_option("--seeds", v.seeds, "Nodes to join through, comma-separated")
      ->type_name("HOST:PORT,...");
  auto* certs =
      app.add_option("--certs-dir", v.certs_dir, "ca.crt, node.crt and node.key for mutual TLS")
          ->type_name("DIR");
  auto* insecure = app.add_flag("--insecure", v.insecure, "Run the cluster without TLS");
  certs->excludes(insecure);
  app.add_option("--log-level", v.log_level, "trace, debug, info, warn, error, critical or off")
      ->type_name("LEVEL");
  app.set_version_flag("--version", "plexichat-node " PLEXICHAT_VERSION);
}

std::vector<host_port> split_seeds(const std::string& text) {
  std::vector<host_port> seeds;
  if (text.empty()) {
    return seeds;  // an empty --seeds clears the file's list
  }
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view entry(text.data() + start, comma - start);
    if (entry.empty()) {
      throw config_error("--seeds", "empty entry in '" + text + "'");
    }
    seeds.push_back(parse_host_port(entry, "--seeds"));
    start = comma + 1;
  }
  return seeds;
}

void apply_flags(const flag_values& v, node_config& cfg) {
  if (v.has("name")) {
    cfg.name = v.name;
  }
  if (v.has("data_dir")) {
    cfg.data_dir = v.data_dir;
  }
  if (v.has("listen")) {
    cfg.listen = parse_host_port(v.listen, "--listen");
  }
  if (v.has("cluster_listen")) {
    cfg.cluster_listen = parse_host_port(v.cluster_listen, "--cluster-listen");
  }
  if (v.has("seeds")) {
    cfg.seeds = split_seeds(v.seeds);
  }
  if (v.has("certs_dir")) {
    if (v.certs_dir.empty()) {
      throw config_error("--certs-dir", "must not be empty");
    }
    cfg.certs_dir = v.certs_dir;
    cfg.insecure = false;
  }
  if (v.has("insecure") && v.insecure) {
    cfg.insecure = true;
    cfg.certs_dir.clear();
  }
  if (v.has("log.level")) {
    cfg.log.level = v.log_level;
  }
}

/// validate(), with errors about a flag-set key renamed to the flag.
void validate_naming_flags(const node_config& cfg, const flag_values& v) {
  try {
    validate(cfg);
  } catch (const config_error& e) {
    const std::string root = e.key().substr(0, e.key().find('['));
    for (const auto& [flag, key] : flag_keys) {
      if (root == key && v.has(std::string(key))) {
        throw config_error(std::string(flag), e.reason());
      }
    }
    throw config_error(e.key(), e.reason(), v.config_file);
  }
}

command_line_result exit_with(const CLI::App& app, const CLI::ParseError& e) {
  command_line_result result;
  result.exit_now = true;
  std::ostringstream out;
  const int code = app.exit(e, out, out);
  if (code == 0) {
    result.output = out.str();
    return result;
  }
  result.exit_code = 2;
  result.output =
      "plexichat-node: " + std::string(e.what()) + "\nRun with --help for more information.\n";
  return result;
}

}  // namespace

command_line_result parse_command_line(int argc, const char* const* argv) {
  CLI::App app("PlexiChat node: a self-hosted chat server. Flags override the config file.",
               "plexichat-node");
  flag_values values;
  add_flags(app, values);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return exit_with(app, e);
  }
  for (const auto& [flag, key] : flag_keys) {
    if (app.count(std::string(flag)) > 0) {
      values.given.insert(std::string(key));
    }
  }
  command_line_result result;
  if (app.count("--config") > 0) {
    result.config = load_yaml_file(values.config_file);
  }
  apply_flags(values, result.config);
  validate_naming_flags(result.config, values);
  return result;
}

}  // namespace plexichat::config
