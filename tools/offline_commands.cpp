#include "tools/offline_commands.hpp"

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "actors/access/offline_roles.hpp"
#include "actors/audit/audit_store.hpp"
#include "actors/channel/replica_record.hpp"
#include "runtime/crypto.hpp"
#include "runtime/text.hpp"
#include "storage/database.hpp"

namespace plexichat::tools {

namespace {

namespace fs = std::filesystem;

constexpr const char* usage =
    "usage: plexichat-node admin grant|revoke USERNAME --data-dir DIR\n"
    "       plexichat-node audit verify --data-dir DIR\n"
    "       plexichat-node channel dump CHANNEL_ID --data-dir DIR [--json]\n";

struct offline_args {
  std::string group;     ///< "admin", "audit" or "channel"
  std::string verb;      ///< grant, revoke, verify, dump
  std::string username;  ///< admin only
  std::string channel;   ///< channel only
  std::string data_dir;
  bool json = false;  ///< channel dump: JSON lines
};

bool is_offline_group(const std::string& word) {
  return word == "admin" || word == "audit" || word == "channel";
}

std::optional<offline_args> parse(int argc, const char* const* argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  offline_args a;
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "--data-dir" && i + 1 < words.size()) {
      a.data_dir = words[++i];
    } else if (words[i].rfind("--data-dir=", 0) == 0) {
      a.data_dir = words[i].substr(11);
    } else if (words[i] == "--json") {
      a.json = true;
    } else if (words[i].rfind("-", 0) == 0) {
      return std::nullopt;
    } else {
      positional.push_back(words[i]);
    }
  }
  if (a.data_dir.empty() || positional.size() < 2) {
    return std::nullopt;
  }
  a.group = positional[0];
  a.verb = positional[1];
  bool admin = a.group == "admin" && (a.verb == "grant" || a.verb == "revoke");
  bool audit = a.group == "audit" && a.verb == "verify";
  bool channel = a.group == "channel" && a.verb == "dump";
  std::size_t words_wanted = audit ? 2 : 3;
  if (!(admin || audit || channel) || positional.size() != words_wanted || (a.json && !channel)) {
    return std::nullopt;
  }
  a.username = admin ? positional[2] : "";
  a.channel = channel ? positional[2] : "";
  return a;
}

int fail(const std::string& message) {
  std::cerr << "plexichat-node: " << message << "\n";
  return 1;
}

std::unique_ptr<storage::database> open_db(const std::string& data_dir, std::string& error) {
  storage::database_options options{(fs::path{data_dir} / "db").string()};
  options.create_if_missing = false;
  auto opened = storage::database::open(options);
  if (!opened.ok()) {
    error = "data directory " + data_dir + ": " + opened.error().message +
            (opened.error().code == storage::errc::locked ? " (stop the node first)" : "");
    return nullptr;
  }
  return std::move(opened).value();
}

int change_role(storage::database& db, const offline_args& a) {
  auto name = runtime::normalize_username(a.username);
  auto id = name ? db.find_user_id(*name) : std::nullopt;
  if (!id) {
    return fail("no user named '" + a.username + "'");
  }
  auto key = runtime::load_or_create_mac_key(
      (fs::path{a.data_dir} / actors::audit::audit_key_file).string());
  if (!key.key) {
    return fail(key.error);
  }
  const bool to_admin = a.verb == "grant";
  auto change = actors::access::change_role_offline(db, *key.key, *id, to_admin, "operator");
  if (!change.error.empty()) {
    return fail(change.error);
  }
  const char* role = to_admin ? "admin" : "user";
  if (!change.changed) {
    std::cout << *name << " (" << *id << ") is already " << role << "\n";
    return 0;
  }
  std::cout << *name << " (" << *id << ") is now " << role << " (audit seq " << change.seq << ")\n";
  return 0;
}

int verify(storage::database& db, const offline_args& a) {
  auto key = runtime::load_mac_key((fs::path{a.data_dir} / actors::audit::audit_key_file).string());
  if (!key.key) {
    if (!db.last_audit() && !db.get_meta(storage::audit_head_key)) {
      std::cout << "audit log intact: 0 records\n";
      return 0;
    }
    return fail(key.error);
  }
  auto result = actors::audit::verify_log(db, *key.key);
  if (!result.ok) {
    return fail(actors::audit::describe(result));
  }
  std::cout << actors::audit::describe(result) << "\n";
  return 0;
}

/// Prints what the data directory holds of a channel's log, one message a line.
int dump(storage::database& db, const offline_args& a) {
  auto stored = actors::channel::read_stored_log(db, a.channel);
  if (stored.messages.empty() && !db.get_channel(a.channel)) {
    return fail("no channel " + a.channel + " in data directory " + a.data_dir);
  }
  if (!a.json) {
    const auto& promised = stored.log.promised();
    std::cout << "channel " << a.channel << ": " << stored.messages.size() << " messages, last seq "
              << stored.log.last_seq() << ", promised epoch " << promised.epoch << " to "
              << (promised.owner.empty() ? "-" : promised.owner) << "\n";
  }
  for (const auto& s : stored.messages) {
    const auto& m = s.message;
    if (a.json) {
      std::cout << nlohmann::json{{"seq", m.seq},
                                  {"id", m.id},
                                  {"nonce", m.nonce},
                                  {"epoch", s.epoch},
                                  {"author_id", m.author_id},
                                  {"created_at", m.created_at}}
                       .dump()
                << "\n";
    } else {
      std::cout << "seq " << m.seq << " epoch " << s.epoch << " id " << m.id << " nonce "
                << (m.nonce.empty() ? "-" : m.nonce) << "\n";
    }
  }
  return 0;
}

}  // namespace

std::optional<int> run_offline_command(int argc, const char* const* argv) {
  if (argc < 2 || !is_offline_group(argv[1])) {
    return std::nullopt;
  }
  auto args = parse(argc, argv);
  if (!args) {
    std::cerr << usage;
    return 2;
  }
  if (!runtime::crypto_init()) {
    return fail("libsodium could not be initialised");
  }
  std::string error;
  auto db = open_db(args->data_dir, error);
  if (!db) {
    return fail(error);
  }
  if (args->group == "channel") {
    return dump(*db, *args);
  }
  return args->group == "admin" ? change_role(*db, *args) : verify(*db, *args);
}

}  // namespace plexichat::tools
