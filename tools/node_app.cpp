#include "tools/node_app.hpp"

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include "actors/access/access.hpp"
#include "actors/access/offline_roles.hpp"
#include "actors/audit/audit_log.hpp"
#include "actors/audit/audit_store.hpp"
#include "actors/backup/backup_jobs.hpp"
#include "actors/backup/caf_holder_link.hpp"
#include "actors/backup/coordinator.hpp"
#include "actors/backup/shard_holder.hpp"
#include "actors/blocking_pool.hpp"
#include "actors/channel/channel.hpp"
#include "actors/channel/post_relay.hpp"
#include "actors/channel/replica.hpp"
#include "actors/cluster/cluster_actor.hpp"
#include "actors/directory/directory.hpp"
#include "actors/directory/user_replication.hpp"
#include "actors/inspector/inspector.hpp"
#include "actors/node_context.hpp"
#include "actors/session/session_clock.hpp"
#include "config/command_line.hpp"
#include "config/config_error.hpp"
#include "net/server.hpp"
#include "runtime/actor_system_config.hpp"
#include "runtime/certs.hpp"
#include "runtime/clock.hpp"
#include "runtime/files.hpp"
#include "runtime/logging.hpp"
#include "runtime/signals.hpp"
#include "runtime/stop_sequence.hpp"
#include "tools/cert_command.hpp"
#include "tools/offline_commands.hpp"

namespace plexichat::tools {

namespace {

namespace fs = std::filesystem;

/// A start-up failure: what to print, and the exit code.
struct start_error {
  std::string message;
};

/// The certificate files of a certs directory (`cert create-node` writes them).
struct cert_files {
  std::string ca, cert, key;
};

cert_files cert_files_in(const std::string& certs_dir) {
  fs::path dir{certs_dir};
  return {(dir / "ca.crt").string(), (dir / "node.crt").string(), (dir / "node.key").string()};
}

/// CAF's network layer when the node has a cluster listener: plain, or with the openssl
/// module's mutual TLS from the certs directory.
caf::actor_system_config& with_cluster(runtime::node_actor_config& cfg,
                                       const config::node_config& c) {
  if (!c.cluster_listen) {
    return cfg;
  }
  cfg.load<caf::io::middleman>();
  actors::cluster::add_cluster_types(cfg);
  actors::channel::add_channel_types(cfg);
  actors::directory::add_directory_types(cfg);
  actors::inspector::add_inspector_types(cfg);
  actors::backup::add_backup_types(cfg);
  if (!c.insecure) {
    auto files = cert_files_in(c.certs_dir);
    cfg.openssl_cafile = files.ca;
    cfg.openssl_certificate = files.cert;
    cfg.openssl_key = files.key;
    cfg.load<caf::openssl::manager>();
  }
  return cfg;
}

/// Everything a running node owns, in the order it starts; members are destroyed in reverse.
struct node {
  explicit node(const config::node_config& c)
      : config(c),
        actor_config(c.threads.effective_scheduler()),
        system(with_cluster(actor_config, c)) {}

  config::node_config config;
  runtime::node_actor_config actor_config;
  runtime::actor_table actor_table;  // before the system: actors leave it as they stop
  caf::actor_system system;
  runtime::node_metrics metrics;
  runtime::request_limits limits{config, metrics};
  runtime::revocation_list revocations;
  runtime::token_keys token_keys;
  std::unique_ptr<storage::database> db;
  std::unique_ptr<storage::group_commit> writer;
  std::optional<runtime::token_signer> signer;
  std::string audit_key;
  storage::backup::master_key backup_master;
  actors::node_context ctx;
  actors::cluster::cluster_view_cell cluster_view;
  std::unique_ptr<net::server> server;
  runtime::stop_sequence stops;
};

/// The peers' token keys learnt before (meta "token_keys"), and this node's own.
void load_token_keys(node& n) {
  if (auto stored = n.db->get_meta(runtime::token_keys_meta_key)) {
    if (auto keys = runtime::decode_token_keys(*stored)) {
      for (const auto& [issuer, key] : *keys) {
        n.token_keys.set(issuer, key);
      }
    } else {
      spdlog::warn("the stored token keys of peers do not decode; they are learnt again");
    }
  }
  n.token_keys.set(n.config.name, n.signer->public_key());
}

std::optional<start_error> open_storage(node& n) {
  std::error_code ec;
  fs::create_directories(n.config.data_dir, ec);
  if (ec) {
    return start_error{"data directory " + n.config.data_dir + ": " + ec.message()};
  }
  storage::database_options options{(fs::path{n.config.data_dir} / "db").string()};
  options.nonce_ttl = n.config.channels.nonce_ttl;
  auto opened = storage::database::open(options);
  if (!opened.ok()) {
    return start_error{"data directory " + n.config.data_dir + ": " + opened.error().message};
  }
  n.db = std::move(opened).value();
  auto key = runtime::load_or_create_signing_key(
      (fs::path{n.config.data_dir} / "token_signing.key").string());
  if (!key.key) {
    return start_error{key.error};
  }
  n.signer.emplace(std::move(*key.key));
  if (n.config.cluster_listen) {
    load_token_keys(n);
  }
  auto mac = runtime::load_or_create_mac_key(
      (fs::path{n.config.data_dir} / actors::audit::audit_key_file).string());
  if (!mac.key) {
    return start_error{mac.error};
  }
  n.audit_key = std::move(*mac.key);
  if (n.config.cluster_listen) {
    // The backup master key: created at first start, never in a backup; losing it loses
    // every backup (`plexichat-node backup recovery-key` prints it for paper).
    auto master = runtime::load_or_create_mac_key(
        (fs::path{n.config.data_dir} / actors::backup::master_key_file).string());
    if (!master.key) {
      return start_error{master.error};
    }
    n.backup_master.bytes = std::move(*master.key);
  }
  // Before any actor runs, so that the first request already sees the configured admins.
  if (auto err = actors::access::apply_config_admins(*n.db, n.audit_key, n.config.auth.admins);
      !err.empty()) {
    return start_error{err};
  }
  auto now = runtime::now_ms();
  for (auto& [jti, expires_at] : n.db->revocations()) {
    if (expires_at >= now) {
      n.revocations.add(jti, expires_at);
    }
  }
  return std::nullopt;
}

void start_actors(node& n) {
  auto& ctx = n.ctx;
  ctx.db = n.db.get();
  ctx.writer = n.writer.get();
  ctx.signer = &*n.signer;
  ctx.revocations = &n.revocations;
  if (n.config.cluster_listen) {
    ctx.token_keys = &n.token_keys;
    // Before any actor runs: the directory reads it when the cluster actor first pokes it.
    ctx.cluster_view = &n.cluster_view;
  }
  ctx.password_cost = runtime::parse_pwhash_cost(n.config.auth.password_hash_cost)
                          .value_or(runtime::pwhash_cost::interactive);
  if (ctx.password_cost == runtime::pwhash_cost::min) {
    spdlog::warn("auth.password_hash_cost is 'min': password hashes are weak (tests only)");
  }
  ctx.blocking = actors::spawn_blocking_pool(n.system, 4);
  ctx.audit =
      actors::audit::spawn_audit_log(n.system, &ctx, n.audit_key, actors::audit::load_head(*n.db));
  ctx.access = actors::access::spawn_access(n.system, &ctx);
  ctx.directory = actors::directory::spawn_directory(n.system, &ctx);
  ctx.channels = actors::channel::spawn_channel_registry(n.system, &ctx);
  if (n.config.cluster_listen) {
    ctx.replica = actors::channel::spawn_replica(n.system, &ctx);
    ctx.posts = actors::channel::spawn_post_relay(n.system, &ctx);
    ctx.shards = actors::backup::spawn_shard_holder(n.system, &ctx);
    ctx.backups = actors::backup::spawn_coordinator(n.system, &ctx, n.backup_master);
  }
  ctx.inspector = actors::inspector::spawn_inspector(n.system, &ctx);
  ctx.session_clock =
      actors::session::spawn_session_clock(n.system, &ctx, n.config.limits.auth_timeout);
  n.stops.push("actors", [&n] {
    for (auto* a : {&n.ctx.session_clock, &n.ctx.inspector, &n.ctx.backups, &n.ctx.shards,
                    &n.ctx.channels, &n.ctx.replica, &n.ctx.posts, &n.ctx.directory, &n.ctx.access,
                    &n.ctx.audit, &n.ctx.blocking}) {
      caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
    }
    n.system.await_all_actors_done();
  });
}

/// Checks the certs directory before CAF reads it, so that a mistake is one clear line.
std::optional<start_error> check_certs(const config::node_config& c) {
  auto files = cert_files_in(c.certs_dir);
  std::string error;
  auto ca = runtime::read_whole_file(files.ca, error);
  auto cert = ca ? runtime::read_whole_file(files.cert, error) : std::nullopt;
  auto key = cert ? runtime::read_whole_file(files.key, error) : std::nullopt;
  if (!key) {
    return start_error{"certs_dir " + c.certs_dir + ": " + error +
                       " (make them with `plexichat-node cert create-node`)"};
  }
  try {
    if (auto why = runtime::verify_certificate(*ca, *cert); !why.empty()) {
      return start_error{files.cert + " is not signed by " + files.ca + ": " + why};
    }
    if (!runtime::key_matches_certificate(*key, *cert)) {
      return start_error{files.key + " is not the key of " + files.cert};
    }
    if (auto cn = runtime::certificate_common_name(*cert); cn != c.name) {
      spdlog::warn("{} is for node '{}', this node is '{}'", files.cert, cn, c.name);
    }
  } catch (const std::exception& e) {
    return start_error{"certs_dir " + c.certs_dir + ": " + e.what()};
  }
  return std::nullopt;
}

constexpr const char* known_members_key = "cluster/members";

/// What the cluster actor needs of the config, for a node and for a restore alike: this
/// member, the seeds (without itself), the connector (TLS unless insecure), the view to
/// publish to and the failure detector's timing.
actors::cluster::cluster_settings base_cluster_settings(const config::node_config& c,
                                                        caf::actor_system& sys,
                                                        actors::cluster::cluster_view_cell* view) {
  actors::cluster::cluster_settings settings;
  settings.self = {c.name, c.cluster_listen->to_string(), c.listen.to_string(),
                   static_cast<uint64_t>(runtime::now_ms()), actors::cluster::member_state::up};
  for (const auto& seed : c.seeds) {
    if (!(seed == *c.cluster_listen)) {
      settings.seeds.push_back(seed);
    }
  }
  settings.connector =
      c.insecure ? sys.middleman().actor_handle() : sys.openssl_manager().actor_handle();
  settings.view = view;
  settings.heartbeat_every = c.cluster.heartbeat_interval;
  // Ticks come every heartbeat; a stall longer than the suspicion window is this node's own.
  // The lease stays a heartbeat interval short of suspect_after: a margin for the two clocks'
  // rates and for the time between a channel's check and its acknowledgement; validation keeps
  // it at least two heartbeat intervals, so that echoes renew it in time.
  settings.timing = {c.cluster.suspect_after, c.cluster.down_after, c.cluster.suspect_after,
                     c.cluster.suspect_after - c.cluster.heartbeat_interval};
  return settings;
}

/// Spawns the cluster actor and publishes it on cluster_listen (mutual TLS unless insecure);
/// when it cannot listen, stops it again and gives the error.
caf::expected<caf::actor> publish_cluster(caf::actor_system& sys, const config::node_config& c,
                                          actors::cluster::cluster_settings settings) {
  auto cluster = actors::cluster::spawn_cluster(sys, std::move(settings));
  const auto& at = *c.cluster_listen;
  auto published = c.insecure ? sys.middleman().publish(cluster, at.port, at.host.c_str(), true)
                              : caf::openssl::publish(cluster, at.port, at.host.c_str(), true);
  if (!published) {
    caf::anon_send_exit(cluster, caf::exit_reason::user_shutdown);
    return published.error();
  }
  return cluster;
}

/// Publishes the cluster actor on cluster_listen and starts gossiping with the seeds.
std::optional<start_error> start_cluster(node& n) {
  const auto& c = n.config;
  auto settings = base_cluster_settings(c, n.system, &n.cluster_view);
  settings.ctx = &n.ctx;
  settings.services.actors = {{"channels", n.ctx.channels},
                              {"replica", n.ctx.replica},
                              {"posts", n.ctx.posts},
                              {"directory", n.ctx.directory},
                              {"shards", n.ctx.shards}};
  // The members known when the node last ran count towards its majority until heard from.
  if (auto known = n.db->get_meta(known_members_key)) {
    settings.remembered = actors::cluster::decode_members(*known);
  }
  settings.persist_members =
      [writer = n.writer.get()](const std::vector<actors::cluster::member_info>& members) {
        storage::write_batch batch;
        batch.put_meta(known_members_key, actors::cluster::encode_members(members));
        writer->submit(std::move(batch), [](const storage::status& s) {
          if (!s.ok()) {
            spdlog::error("cluster: could not store the member list");
          }
        });
      };
  settings.watchers = {n.ctx.channels, n.ctx.directory};
  const auto& at = *c.cluster_listen;
  auto published = publish_cluster(n.system, c, std::move(settings));
  if (!published) {
    return start_error{"cannot listen for peers on " + at.to_string() + ": " +
                       n.system.render(published.error())};
  }
  auto cluster = *published;
  if (c.insecure) {
    spdlog::warn("cluster traffic on {} is NOT encrypted or authenticated (insecure: true)",
                 at.to_string());
  }
  spdlog::info("cluster listener on {} ({}), seeds: {}", at.to_string(),
               c.insecure ? "insecure" : "mutual TLS", c.seeds.size());
  n.ctx.cluster = cluster;
  n.stops.push("cluster",
               [&n] { caf::anon_send_exit(n.ctx.cluster, caf::exit_reason::user_shutdown); });
  return std::nullopt;
}

std::optional<start_error> start(node& n) {
  // The port is taken before anything is written, so that a second node on the same port
  // fails without touching the data directory.
  n.ctx.config = &n.config;
  n.ctx.metrics = &n.metrics;
  n.ctx.actor_table = &n.actor_table;
  n.ctx.started_ms = runtime::now_ms();
  n.metrics.watch_actors(&n.actor_table);
  n.ctx.limits = &n.limits;
  n.server = std::make_unique<net::server>(n.system, n.ctx);
  if (auto err = n.server->load_tls(); !err.empty()) {
    return start_error{err};
  }
  if (auto err = n.server->bind(); !err.empty()) {
    return start_error{"cannot listen on " + err};
  }
  if (n.config.cluster_listen && !n.config.insecure) {
    if (auto err = check_certs(n.config)) {
      return err;
    }
  }
  if (auto err = open_storage(n)) {
    return err;
  }
  n.stops.push("storage", [&n] { n.db.reset(); });
  n.writer = std::make_unique<storage::group_commit>(
      *n.db,
      [&m = n.metrics](std::size_t, std::chrono::nanoseconds took) {
        m.storage_writes.Increment();
        m.storage_write_seconds.Observe(std::chrono::duration<double>(took).count());
      },
      n.config.storage.sync_interval);
  n.stops.push("writer", [&n] { n.writer->stop(); });
  start_actors(n);
  if (n.config.cluster_listen) {
    if (auto err = start_cluster(n)) {
      return err;
    }
  }
  n.server->run();
  // Only stopped here: actors may still hold a reply callback that keeps a connection alive,
  // and that connection's last release needs the listener's io_context. The server is
  // destroyed with the node, after the actors are done.
  n.stops.push("client listener", [&n] { n.server->stop(std::chrono::seconds{3}); });
  n.server->set_ready(true);
  return std::nullopt;
}

std::optional<config::command_line_result> parse(int argc, const char* const* argv) {
  try {
    return config::parse_command_line(argc, argv);
  } catch (const config::config_error& e) {
    std::cerr << "plexichat-node: " << e.what() << "\n";
    return std::nullopt;
  }
}

constexpr const char* backup_usage =
    "usage: plexichat-node backup recovery-key --data-dir DIR\n"
    "       plexichat-node backup restore (--master-key FILE | --recovery-key KEY)\n"
    "           [--backup ID] [--from NODE] --data-dir NEW_DIR --name NAME\n"
    "           --cluster-listen HOST:PORT --seeds HOST:PORT,... (--certs-dir DIR | --insecure)\n"
    "           [--config FILE]\n";

int backup_fail(const std::string& message) {
  std::cerr << "plexichat-node backup: " << message << "\n";
  return 1;
}

/// `backup recovery-key --data-dir DIR`: prints the printable form of the node's master key.
int print_recovery_key(const std::string& data_dir) {
  auto key = runtime::load_mac_key((fs::path{data_dir} / actors::backup::master_key_file).string());
  if (!key.key) {
    return backup_fail(key.error);
  }
  std::cout << storage::backup::recovery_key_text({*key.key}) << "\n";
  return 0;
}

/// `backup restore`: joins the cluster under the node's name just long enough to fetch its
/// backup index, manifest and shards from the peers' shard holders, and writes the data
/// directory (database, token and audit keys, master key). Then `plexichat-node` starts on it.
int restore_from_peers(int argc, const char* const* argv) {
  std::vector<const char*> rest{argv[0]};
  std::string master_file, recovery, backup_id, from;
  for (int i = 3; i < argc; ++i) {
    std::string_view w{argv[i]};
    auto value = [&](std::string& into) {
      if (i + 1 >= argc) {
        return false;
      }
      into = argv[++i];
      return true;
    };
    bool ok = true;
    if (w == "--master-key") {
      ok = value(master_file);
    } else if (w == "--recovery-key") {
      ok = value(recovery);
    } else if (w == "--backup") {
      ok = value(backup_id);
    } else if (w == "--from") {
      ok = value(from);
    } else {
      rest.push_back(argv[i]);
    }
    if (!ok) {
      std::cerr << backup_usage;
      return 2;
    }
  }
  if (master_file.empty() == recovery.empty()) {
    std::cerr << "plexichat-node backup restore: give --master-key FILE or --recovery-key KEY\n"
              << backup_usage;
    return 2;
  }
  auto cli = parse(static_cast<int>(rest.size()), rest.data());
  if (!cli || cli->exit_now) {
    std::cerr << (cli ? cli->output : std::string{}) << backup_usage;
    return 2;
  }
  auto& c = cli->config;
  if (!c.cluster_listen || c.seeds.empty()) {
    std::cerr << "plexichat-node backup restore: needs --cluster-listen and --seeds\n";
    return 2;
  }
  if (from.empty()) {
    from = c.name;
  }
  std::error_code ec;
  if (fs::exists(c.data_dir, ec) && !fs::is_empty(c.data_dir, ec)) {
    return backup_fail("the data directory " + c.data_dir + " is not empty");
  }
  if (!runtime::crypto_init()) {
    return backup_fail("libsodium could not be initialised");
  }
  storage::backup::master_key master;
  if (!master_file.empty()) {
    auto key = runtime::load_mac_key(master_file);
    if (!key.key) {
      return backup_fail(key.error);
    }
    master.bytes = *key.key;
  } else {
    auto key = storage::backup::parse_recovery_key(recovery);
    if (!key.ok()) {
      return backup_fail("--recovery-key: " + key.error().message);
    }
    master = key.value();
  }
  if (!c.insecure) {
    if (auto err = check_certs(c)) {
      return backup_fail(err->message);
    }
  }
  runtime::init_logging(c.name, c.log.level);
  runtime::node_actor_config actor_config(c.threads.effective_scheduler());
  caf::actor_system system(with_cluster(actor_config, c));
  actors::cluster::cluster_view_cell view;
  auto published = publish_cluster(system, c, base_cluster_settings(c, system, &view));
  if (!published) {
    return backup_fail("cannot listen for peers on " + c.cluster_listen->to_string());
  }
  auto cluster = *published;
  auto stop = [&] { caf::anon_send_exit(cluster, caf::exit_reason::user_shutdown); };
  // Wait for the peers' shard holders: until their number has not grown for a few heartbeats.
  auto holders = [&view, &c] {
    std::vector<std::string> peers;
    if (auto v = view.get()) {
      for (const auto& [name, table] : v->peers) {
        if (name != c.name && table.find("shards")) {
          peers.push_back(name);
        }
      }
    }
    return peers;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{60};
  std::size_t seen = 0;
  auto stable_since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    auto n = holders().size();
    if (n != seen) {
      seen = n;
      stable_since = std::chrono::steady_clock::now();
    } else if (n > 0 && std::chrono::steady_clock::now() - stable_since >
                            4 * c.cluster.heartbeat_interval + std::chrono::seconds{2}) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  auto peers = holders();
  std::cerr << "plexichat-node backup: " << peers.size() << " peers with shard holders\n";
  int code = 0;
  {
    caf::scoped_actor self{system};
    actors::backup::caf_holder_link link{self.ptr(), &view};
    actors::backup::job_context job;
    job.self = c.name;
    job.peers = peers;
    job.master = master;
    job.link = &link;
    actors::backup::restored_backup found;
    auto report = actors::backup::restore_backup(job, from, backup_id, c.data_dir, &found);
    if (!report.ok()) {
      code = backup_fail(report.error().message);
    } else if (!report.value().complete()) {
      for (const auto& r : report.value().rejected_shards) {
        std::cerr << "  rejected shard: " << r << "\n";
      }
      code = backup_fail(std::to_string(report.value().lost_chunks.size()) +
                         " chunks could not be rebuilt; files not written: " +
                         std::to_string(report.value().incomplete_files.size()));
    } else if (auto s = actors::backup::finish_restore(c.data_dir, master, found, from == c.name);
               !s.ok()) {
      code = backup_fail(s.message);
    } else {
      std::cout << "restored " << report.value().bytes_written << " bytes of node " << from
                << "'s backup into " << c.data_dir << "\n";
    }
  }
  stop();
  return code;
}

int run_backup_command(int argc, const char* const* argv) {
  std::string verb = argc > 2 ? argv[2] : "";
  if (verb == "recovery-key") {
    if (argc == 5 && std::string_view{argv[3]} == "--data-dir") {
      if (!runtime::crypto_init()) {
        return backup_fail("libsodium could not be initialised");
      }
      return print_recovery_key(argv[4]);
    }
  } else if (verb == "restore") {
    return restore_from_peers(argc, argv);
  }
  std::cerr << backup_usage;
  return 2;
}

}  // namespace

int run_node(int argc, const char* const* argv) {
  if (argc > 1 && std::string_view{argv[1]} == "cert") {
    return run_cert_command(argc - 1, argv + 1, std::cout, std::cerr);
  }
  if (argc > 1 && std::string_view{argv[1]} == "backup") {
    return run_backup_command(argc, argv);
  }
  if (auto code = run_offline_command(argc, argv)) {
    return *code;
  }
  runtime::block_stop_signals();
  auto cli = parse(argc, argv);
  if (!cli) {
    return 2;
  }
  if (cli->exit_now) {
    (cli->exit_code == 0 ? std::cout : std::cerr) << cli->output;
    return cli->exit_code;
  }
  if (!runtime::crypto_init()) {
    std::cerr << "plexichat-node: libsodium could not be initialised\n";
    return 1;
  }
  runtime::init_logging(cli->config.name, cli->config.log.level);
  node n{cli->config};
  if (auto err = start(n)) {
    std::cerr << "plexichat-node: " << err->message << "\n";
    n.stops.run();
    return 1;
  }
  spdlog::info("node {} ready; data in {}", n.config.name, n.config.data_dir);
  int sig = runtime::wait_for_stop_signal();
  spdlog::info("received signal {}; stopping", sig);
  n.stops.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace plexichat::tools
