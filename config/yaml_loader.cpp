// parse_yaml and load_yaml_file: YAML text to node_config, key by key.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>
#include <utility>

#include "config/node_config.hpp"
#include "config/units.hpp"

namespace plexichat::config {
namespace {

using field_reader = std::function<void(const YAML::Node& value, const std::string& key)>;
using field_table = std::vector<std::pair<std::string_view, field_reader>>;

std::string line_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? std::string() : " (line " + std::to_string(mark.line + 1) + ")";
}

[[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& why) {
  throw config_error(key, why + line_of(node));
}

/// Runs a value parser, adding the YAML line to any config_error it throws.
template <typename Parse>
auto at_line(const YAML::Node& node, Parse&& parse) {
  try {
    return parse();
  } catch (const config_error& e) {
    throw config_error(e.key(), e.reason() + line_of(node));
  }
}

std::string scalar(const YAML::Node& node, const std::string& key) {
  if (node.IsNull()) {
    fail(node, key, "has no value");
  }
  if (!node.IsScalar()) {
    fail(node, key, "must be a single value, not a list or mapping");
  }
  return node.Scalar();
}

std::string read_string(const YAML::Node& node, const std::string& key) {
  return scalar(node, key);
}

bool read_bool(const YAML::Node& node, const std::string& key) {
  const std::string text = scalar(node, key);
  if (text == "true" || text == "True" || text == "TRUE") {
    return true;
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    return false;
  }
  fail(node, key, "must be true or false, got '" + text + "'");
}

/// A whole number without sign or unit that fits in T.
template <typename T>
T read_whole(const YAML::Node& node, const std::string& key) {
  const std::string text = scalar(node, key);
  std::uint64_t value = 0;
  const bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) {
    fail(node, key, "must be a whole number, got '" + text + "'");
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value > std::numeric_limits<T>::max()) {
    fail(node, key, "value too large, got '" + text + "'");
  }
  return static_cast<T>(value);
}

std::size_t read_size(const YAML::Node& node, const std::string& key) {
  const std::string text = scalar(node, key);
  return at_line(node, [&] { return parse_size(text, key); });
}

std::chrono::milliseconds read_millis(const YAML::Node& node, const std::string& key) {
  const std::string text = scalar(node, key);
  return at_line(node, [&] { return parse_duration(text, key); });
}

std::chrono::seconds read_seconds(const YAML::Node& node, const std::string& key) {
  const auto ms = read_millis(node, key);
  if (ms.count() % 1000 != 0) {
    fail(node, key, "must be a whole number of seconds, got '" + node.Scalar() + "'");
  }
  return std::chrono::duration_cast<std::chrono::seconds>(ms);
}

host_port read_host_port(const YAML::Node& node, const std::string& key) {
  const std::string text = scalar(node, key);
  return at_line(node, [&] { return parse_host_port(text, key); });
}

std::optional<host_port> read_optional_host_port(const YAML::Node& node, const std::string& key) {
  if (node.IsNull()) {
    return std::nullopt;  // "no cluster listener", which is also the default
  }
  return read_host_port(node, key);
}

std::vector<host_port> read_seeds(const YAML::Node& node, const std::string& key) {
  if (!node.IsSequence()) {
    fail(node, key, "must be a list of HOST:PORT strings, e.g. [\"10.0.0.2:7000\"]");
  }
  std::vector<host_port> seeds;
  for (std::size_t i = 0; i < node.size(); ++i) {
    seeds.push_back(read_host_port(node[i], key + "[" + std::to_string(i) + "]"));
  }
  return seeds;
}

std::vector<std::string> read_string_list(const YAML::Node& node, const std::string& key) {
  if (node.IsNull()) {
    return {};
  }
  if (!node.IsSequence()) {
    fail(node, key, "must be a list of strings, e.g. [\"a\", \"b\"]");
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    out.push_back(scalar(node[i], key + "[" + std::to_string(i) + "]"));
  }
  return out;
}

/// Reads every entry of a mapping through `fields`; unknown and repeated keys are errors.
void read_map(const YAML::Node& map, const std::string& prefix, const field_table& fields) {
  if (map.IsNull()) {
    return;  // "limits:" with every entry commented out keeps the defaults
  }
  if (!map.IsMap()) {
    if (prefix.empty()) {
      fail(map, {}, "the document must be a mapping of keys to values");
    }
    fail(map, prefix.substr(0, prefix.size() - 1), "must be a mapping of keys to values");
  }
  std::set<std::string> seen;
  for (const auto& entry : map) {
    const std::string name = entry.first.IsScalar() ? entry.first.Scalar() : std::string("?");
    const std::string key = prefix + name;
    const auto field =
        std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == name; });
    if (field == fields.end()) {
      fail(entry.first, key, "unknown key");
    }
    if (!seen.insert(name).second) {
      fail(entry.first, key, "repeated key");
    }
    field->second(entry.second, key);
  }
}

/// A field reader that stores `read`'s result in `out`.
template <typename T>
field_reader into(T& out, T (*read)(const YAML::Node&, const std::string&)) {
  return [&out, read](const YAML::Node& value, const std::string& key) { out = read(value, key); };
}

/// A field reader for a nested mapping whose keys are read through `fields`.
field_reader section(field_table fields, std::string prefix) {
  return [fields = std::move(fields), prefix = std::move(prefix)](
             const YAML::Node& value, const std::string&) { read_map(value, prefix, fields); };
}

field_table limits_fields(limits_config& c) {
  return {{"max_body_bytes", into(c.max_body_bytes, read_size)},
          {"max_header_bytes", into(c.max_header_bytes, read_size)},
          {"max_frame_bytes", into(c.max_frame_bytes, read_size)},
          {"max_json_depth", into(c.max_json_depth, read_whole<unsigned>)},
          {"auth_timeout", into(c.auth_timeout, read_millis)},
          {"http_idle_timeout", into(c.http_idle_timeout, read_millis)},
          {"ws_idle_timeout", into(c.ws_idle_timeout, read_millis)},
          {"outbound_queue_frames", into(c.outbound_queue_frames, read_whole<std::size_t>)},
          {"max_connections", into(c.max_connections, read_whole<std::size_t>)},
          {"max_message_chars", into(c.max_message_chars, read_whole<std::size_t>)},
          {"max_channel_name_chars", into(c.max_channel_name_chars, read_whole<std::size_t>)},
          {"max_topic_chars", into(c.max_topic_chars, read_whole<std::size_t>)},
          {"min_password_chars", into(c.min_password_chars, read_whole<std::size_t>)},
          {"max_password_bytes", into(c.max_password_bytes, read_size)},
          {"history_max_limit", into(c.history_max_limit, read_whole<unsigned>)},
          {"history_default_limit", into(c.history_default_limit, read_whole<unsigned>)}};
}

field_table rate_fields(rate_config& r) {
  return {{"rate", into(r.rate, read_whole<unsigned>)},
          {"burst", into(r.burst, read_whole<unsigned>)}};
}

field_table login_key_fields(login_key_config& k) {
  return {{"free_failures", into(k.free_failures, read_whole<unsigned>)},
          {"lock_after", into(k.lock_after, read_whole<unsigned>)}};
}

/// The sections of security_config.hpp: tls, net, rate_limits, login_throttle.
field_table security_fields(node_config& c) {
  auto& r = c.rate_limits;
  auto& l = c.login_throttle;
  return {{"tls", section({{"certificate", into(c.tls.certificate, read_string)},
                           {"key", into(c.tls.key, read_string)}},
                          "tls.")},
          {"net", section({{"allow", into(c.net.allow, read_string_list)},
                           {"deny", into(c.net.deny, read_string_list)}},
                          "net.")},
          {"rate_limits",
           section({{"address", section(rate_fields(r.address), "rate_limits.address.")},
                    {"user", section(rate_fields(r.user), "rate_limits.user.")},
                    {"ws_frames", section(rate_fields(r.ws_frames), "rate_limits.ws_frames.")},
                    {"max_tracked", into(r.max_tracked, read_whole<std::size_t>)}},
                   "rate_limits.")},
          {"login_throttle",
           section({{"account", section(login_key_fields(l.account), "login_throttle.account.")},
                    {"address", section(login_key_fields(l.address), "login_throttle.address.")},
                    {"max_delay", into(l.max_delay, read_millis)},
                    {"lock", into(l.lock, read_millis)},
                    {"window", into(l.window, read_millis)}},
                   "login_throttle.")}};
}

field_table top_level_fields(node_config& c) {
  return {
      {"name", into(c.name, read_string)},
      {"data_dir", into(c.data_dir, read_string)},
      {"listen", into(c.listen, read_host_port)},
      {"cluster_listen", into(c.cluster_listen, read_optional_host_port)},
      {"seeds", into(c.seeds, read_seeds)},
      {"certs_dir", into(c.certs_dir, read_string)},
      {"insecure", into(c.insecure, read_bool)},
      {"cluster",
       section({{"heartbeat_interval", into(c.cluster.heartbeat_interval, read_millis)},
                {"suspect_after", into(c.cluster.suspect_after, read_millis)},
                {"down_after", into(c.cluster.down_after, read_millis)},
                {"replication_factor", into(c.cluster.replication_factor, read_whole<std::size_t>)},
                {"write_quorum", into(c.cluster.write_quorum, read_whole<std::size_t>)}},
               "cluster.")},
      {"log", section({{"level", into(c.log.level, read_string)}}, "log.")},
      {"threads", section({{"scheduler", into(c.threads.scheduler, read_whole<unsigned>)},
                           {"io", into(c.threads.io, read_whole<unsigned>)}},
                          "threads.")},
      {"limits", section(limits_fields(c.limits), "limits.")},
      {"auth",
       section({{"token_ttl", into(c.auth.token_ttl, read_seconds)},
                {"password_hash_cost", into(c.auth.password_hash_cost, read_string)},
                {"admins", into(c.auth.admins, read_string_list)},
                {"password_min_score", into(c.auth.password_min_score, read_whole<unsigned>)}},
               "auth.")},
      {"channels",
       section({{"idle_stop", into(c.channels.idle_stop, read_millis)},
                {"nonce_ttl", into(c.channels.nonce_ttl, read_seconds)},
                {"fan_out_max_hold", into(c.channels.fan_out_max_hold, read_millis)},
                {"fan_out_turns", into(c.channels.fan_out_turns, read_whole<unsigned>)}},
               "channels.")},
      {"storage",
       section({{"sync_interval", into(c.storage.sync_interval, read_millis)}}, "storage.")},
      {"backup", section({{"data_shards", into(c.backup.data_shards, read_whole<unsigned>)},
                          {"parity_shards", into(c.backup.parity_shards, read_whole<unsigned>)},
                          {"interval", into(c.backup.interval, read_seconds)},
                          {"retention", into(c.backup.retention, read_whole<std::size_t>)},
                          {"scrub_interval", into(c.backup.scrub_interval, read_seconds)},
                          {"check_interval", into(c.backup.check_interval, read_seconds)}},
                         "backup.")}};
}

std::vector<YAML::Node> load_documents(std::string_view text) {
  try {
    return YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    const std::string where = e.mark.is_null()
                                  ? std::string()
                                  : "line " + std::to_string(e.mark.line + 1) + ", column " +
                                        std::to_string(e.mark.column + 1) + ": ";
    throw config_error({}, "invalid YAML: " + where + e.msg);
  }
}

}  // namespace

node_config parse_yaml(std::string_view text) {
  const std::vector<YAML::Node> documents = load_documents(text);
  if (documents.size() > 1) {
    throw config_error({}, "holds " + std::to_string(documents.size()) +
                               " YAML documents; a node's config is one");
  }
  node_config cfg;
  if (!documents.empty()) {
    auto fields = top_level_fields(cfg);
    auto security = security_fields(cfg);
    fields.insert(fields.end(), security.begin(), security.end());
    read_map(documents.front(), "", fields);
  }
  return cfg;
}

node_config load_yaml_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw config_error({}, "cannot read: is a directory", path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw config_error({}, std::string("cannot read: ") + std::strerror(errno), path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    throw config_error({}, "cannot read: I/O error", path);
  }
  try {
    return parse_yaml(text.str());
  } catch (const config_error& e) {
    throw config_error(e.key(), e.reason(), path);
  }
}

}  // namespace plexichat::config
