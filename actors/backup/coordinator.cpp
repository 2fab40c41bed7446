#include "actors/backup/coordinator.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>

#include <spdlog/spdlog.h>
#include <caf/blocking_actor.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/api_error.hpp"
#include "actors/atoms.hpp"
#include "actors/backup/backup_jobs.hpp"
#include "actors/backup/caf_holder_link.hpp"
#include "actors/backup/repair_watch.hpp"
#include "runtime/clock.hpp"
#include "runtime/files.hpp"
#include "storage/backup/manifest.hpp"

namespace plexichat::actors::backup {

namespace {

namespace fs = std::filesystem;
namespace sb = storage::backup;

fs::path backups_dir(const node_context* ctx) {
  return fs::path{ctx->config->data_dir} / "backups";
}

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool write_file(const fs::path& p, const std::string& bytes) {
  auto tmp = p;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out.flush()) {
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, p, ec);
  return !ec;
}

/// The peers with a shard holder, this node excluded.
std::vector<std::string> holder_peers(const node_context* ctx) {
  std::vector<std::string> peers;
  if (ctx->cluster_view == nullptr) {
    return peers;
  }
  auto view = ctx->cluster_view->get();
  if (!view) {
    return peers;
  }
  for (const auto& name : view->live_members()) {
    if (name != view->self && view->service(name, "shards", {})) {
      peers.push_back(name);
    }
  }
  return peers;
}

/// A job's view of the cluster: its peers, the master key, the holders through `link`.
job_context make_job(const node_context* ctx, const sb::master_key& master,
                     std::vector<std::string> peers, holder_link* link) {
  job_context c;
  c.self = ctx->config->name;
  c.peers = std::move(peers);
  c.master = master;
  c.k = static_cast<int>(ctx->config->backup.data_shards);
  c.m = static_cast<int>(ctx->config->backup.parity_shards);
  c.link = link;
  return c;
}

struct job_input {
  node_context* ctx = nullptr;
  sb::master_key master;
  std::string id;
  std::vector<backup_summary> catalog;  ///< done backups before this one
  std::vector<std::string> peers;
  caf::actor coordinator;
};

/// One backup, start to end, on a detached thread. Answers (finished_atom, backup_status).
backup_status run_backup(caf::blocking_actor* self, const job_input& in) {
  backup_status st;
  st.summary.id = in.id;
  st.summary.created_ms = runtime::now_ms();
  st.state = "failed";
  const auto& cfg = in.ctx->config->backup;
  auto data = fs::path{in.ctx->config->data_dir};
  auto staging = data / "backup-tmp" / in.id;
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) {
    st.error = "cannot create " + staging.string() + ": " + ec.message();
    return st;
  }
  struct cleanup {
    fs::path dir;
    ~cleanup() {
      std::error_code e;
      fs::remove_all(dir, e);
    }
  } clean{staging};
  if (auto s = in.ctx->db->checkpoint_without_shards((staging / "db").string()); !s.ok()) {
    st.error = s.message;
    return st;
  }
  for (const char* key : {"token_signing.key", "audit.key"}) {
    if (fs::exists(data / key)) {
      fs::copy_file(data / key, staging / key, ec);
      if (ec) {
        st.error = "cannot copy " + std::string(key) + ": " + ec.message();
        return st;
      }
    }
  }
  std::optional<sb::manifest> previous;
  if (!in.catalog.empty()) {
    if (auto sealed = read_file(backups_dir(in.ctx) / (in.catalog.back().id + ".manifest"))) {
      if (auto m = sb::open_manifest(*sealed, in.master); m.ok()) {
        previous = std::move(m.value());
      }
    }
  }
  sb::backup_options options;
  options.backup_id = in.id;
  options.node = in.ctx->config->name;
  options.created_ms = st.summary.created_ms;
  options.k = static_cast<int>(cfg.data_shards);
  options.m = static_cast<int>(cfg.parity_shards);
  auto out = sb::back_up_directory(staging, in.master, options, previous ? &*previous : nullptr);
  if (!out.ok()) {
    st.error = out.error().message;
    return st;
  }
  st.summary.size = out.value().bytes_read;
  st.summary.chunks = out.value().contents.chunks.size();
  st.summary.new_bytes = out.value().new_bytes;
  st.summary.shard_bytes = out.value().shard_bytes;
  caf_holder_link link{self, in.ctx->cluster_view};
  auto c = make_job(in.ctx, in.master, in.peers, &link);
  c.progress = [&](uint64_t done, uint64_t total) {
    caf::anon_send(in.coordinator, progress_atom::value, in.id, done, total);
  };
  auto index = in.catalog;
  index.push_back(st.summary);
  if (auto s = store_backup(c, out.value(), index); !s.ok()) {
    st.error = s.message;
    return st;
  }
  fs::create_directories(backups_dir(in.ctx), ec);
  if (!write_file(backups_dir(in.ctx) / (in.id + ".manifest"), out.value().sealed_manifest) ||
      !write_file(backups_dir(in.ctx) / "catalog.json", summaries_json(index))) {
    st.error = "cannot write the backup catalog under " + backups_dir(in.ctx).string();
    return st;
  }
  // Retention: the oldest backups beyond the limit leave the catalog; their shards go only
  // when no kept backup lists a chunk they stored (and every kept manifest could be read).
  if (index.size() > in.ctx->config->backup.retention) {
    auto drop = index.size() - in.ctx->config->backup.retention;
    std::set<std::string> referenced;
    bool all_read = true;
    for (std::size_t i = drop; i < index.size(); ++i) {
      auto sealed = read_file(backups_dir(in.ctx) / (index[i].id + ".manifest"));
      auto kept = sealed ? sb::open_manifest(*sealed, in.master)
                         : storage::result<sb::manifest>(
                               storage::status{storage::errc::io_error, "unreadable"});
      if (!kept.ok()) {
        all_read = false;
        break;
      }
      for (const auto& chunk : kept.value().chunks) {
        referenced.insert(chunk.backup_id);
      }
    }
    for (std::size_t i = 0; i < drop; ++i) {
      const auto& old = index[i].id;
      if (all_read && referenced.count(old) == 0) {
        for (const auto& peer : in.peers) {
          link.remove(peer, c.self, old);
        }
      }
      fs::remove(backups_dir(in.ctx) / (old + ".manifest"), ec);
    }
    index.erase(index.begin(), index.begin() + static_cast<std::ptrdiff_t>(drop));
    write_file(backups_dir(in.ctx) / "catalog.json", summaries_json(index));
  }
  st.state = "done";
  return st;
}

/// Restores this node's backup `id` (the newest when empty) into `target` on this machine:
/// an absolute path, absent or empty, outside the data directory. A node can then start on it.
restore_outcome run_restore(caf::blocking_actor* self, const node_context* ctx,
                            const sb::master_key& master, std::vector<std::string> peers,
                            const std::string& id, const std::string& target) {
  restore_outcome out;
  out.owner = ctx->config->name;
  out.target = target;
  fs::path t{target};
  std::error_code ec;
  auto data = fs::weakly_canonical(fs::path{ctx->config->data_dir}, ec);
  auto into = fs::weakly_canonical(t, ec);
  auto rel = into.lexically_relative(data);
  if (!t.is_absolute()) {
    out.error = "the target directory must be an absolute path, not '" + target + "'";
  } else if (!rel.empty() && *rel.begin() != "..") {
    out.error = "the target directory " + target + " is inside the node's data directory";
  } else if (fs::exists(t, ec) && !fs::is_empty(t, ec)) {
    out.error = "the target directory " + target + " is not empty";
  }
  if (!out.error.empty()) {
    return out;
  }
  caf_holder_link link{self, ctx->cluster_view};
  auto c = make_job(ctx, master, std::move(peers), &link);
  restored_backup found;
  auto report = restore_backup(c, c.self, id, t, &found);
  out.backup_id = found.id.empty() ? id : found.id;
  if (!report.ok()) {
    out.error = report.error().message;
    return out;
  }
  out.bytes = report.value().bytes_written;
  out.lost_chunks = report.value().lost_chunks;
  out.rejected_shards = report.value().rejected_shards;
  if (!report.value().complete()) {
    out.error = std::to_string(out.lost_chunks.size()) + " chunks could not be rebuilt; " +
                std::to_string(report.value().incomplete_files.size()) + " files not written";
  } else if (auto s = finish_restore(t, master, found, true); !s.ok()) {
    out.error = s.message;
  }
  return out;
}

/// Master-key rotation: a new key; every backup's manifest and the index sealed again under
/// it on the holders; the new key kept (the coordinator is told before the old items go);
/// the local manifests rewritten; the old key's manifests and index deleted from the peers.
key_rotation run_rotation(caf::blocking_actor* self, const node_context* ctx,
                          const sb::master_key& old_key, std::vector<std::string> peers,
                          const std::vector<backup_summary>& index, const caf::actor& coordinator) {
  key_rotation out;
  caf_holder_link link{self, ctx->cluster_view};
  auto c = make_job(ctx, old_key, std::move(peers), &link);
  auto next = sb::generate_master_key();
  auto rotated = rotate_backups(c, next, index);
  if (!rotated.ok()) {
    out.error = rotated.error().message;
    return out;
  }
  auto key_path = (fs::path{ctx->config->data_dir} / master_key_file).string();
  if (auto err = runtime::replace_file(key_path, next.bytes, 0600); !err.empty()) {
    out.error = "the new master key could not be written (the old one stays): " + err;
    return out;
  }
  caf::anon_send(coordinator, rotate_atom::value, next.bytes);
  for (const auto& [id, sealed] : rotated.value()) {
    if (!write_file(backups_dir(ctx) / (id + ".manifest"), sealed)) {
      spdlog::warn("backup {}: the rotated manifest could not be written locally", id);
    }
    out.rotated.push_back(id);
  }
  out.old_items_deleted = delete_old_key_items(c, index);
  return out;
}

struct coordinator_state {
  node_context* ctx = nullptr;
  sb::master_key master;
  std::vector<backup_status> backups;  ///< the catalog's, then this run's
  bool busy = false;
  bool checking = false;  ///< the job running is the node's own check (watch_holders)
  /// Operators' requests that came while the node's own check ran (after_check).
  std::vector<std::function<void()>> after_check;
  std::optional<caf::response_promise> pending;  ///< the verify, repair, restore or rotation
  std::optional<repair_watch> watch;             ///< lost holders -> repair (set at start)
  std::chrono::steady_clock::time_point no_repair_before;  ///< back-off after a failed one
  std::vector<std::string> backed_off_for;                 ///< the live peers of the failed one
  std::chrono::steady_clock::time_point next_check;        ///< backup.check_interval
  static inline const char* name = "backup_coordinator";
};

using coordinator_actor = caf::stateful_actor<coordinator_state>;

std::string newest_done(const coordinator_state& st) {
  for (auto i = st.backups.rbegin(); i != st.backups.rend(); ++i) {
    if (i->state == "done") {
      return i->summary.id;
    }
  }
  return {};
}

caf::result<backup_status> create(coordinator_actor* self) {
  auto& st = self->state;
  if (st.busy) {
    return make_error(api_errc::conflict, "a backup job is already running on this node");
  }
  auto peers = holder_peers(st.ctx);
  int k = static_cast<int>(st.ctx->config->backup.data_shards);
  int m = static_cast<int>(st.ctx->config->backup.parity_shards);
  if (static_cast<int>(peers.size()) < k + m) {
    return make_error(api_errc::unavailable, "backup needs k + m = " + std::to_string(k + m) +
                                                 " peers other than this node, " +
                                                 std::to_string(peers.size()) + " are up");
  }
  job_input in;
  in.ctx = st.ctx;
  in.master = st.master;
  in.id = new_backup_id(runtime::now_ms());
  for (const auto& b : st.backups) {
    if (b.state == "done") {
      in.catalog.push_back(b.summary);
    }
  }
  in.peers = std::move(peers);
  in.coordinator = caf::actor_cast<caf::actor>(self);
  backup_status started;
  started.summary.id = in.id;
  started.summary.created_ms = runtime::now_ms();
  started.state = "running";
  st.backups.push_back(started);
  st.busy = true;
  st.ctx->metrics->backup_running.Set(1);
  st.ctx->metrics->backup_items_done.Set(0);
  st.ctx->metrics->backup_items_total.Set(0);
  spdlog::info("backup {}: started, {} peers", in.id, in.peers.size());
  // The job travels as a spawn argument: CAF 0.17 dereferences a null argument tuple for
  // argument-less function actors (see blocking_pool.cpp).
  self->spawn<caf::detached>(
      [](caf::blocking_actor* worker, const job_input& job) {
        auto result = run_backup(worker, job);
        caf::anon_send(job.coordinator, finished_atom::value, result);
      },
      std::move(in));
  return started;
}

/// A verify, repair, restore or rotation ended: its request gets the answer.
template <class Result>
void finish(coordinator_actor* self, const Result& result) {
  self->state.busy = false;
  if (self->state.pending) {
    self->state.pending->deliver(result);
    self->state.pending.reset();
  }
}

/// Runs `job` on a detached thread as the one job of this node; its result answers the
/// request (through (finished_atom, result)).
template <class Result, class Job>
caf::result<Result> run_job(coordinator_actor* self, Job job) {
  auto& st = self->state;
  if (st.busy) {
    return make_error(api_errc::conflict, "a backup job is already running on this node");
  }
  st.busy = true;
  st.pending = self->make_response_promise<Result>();
  auto me = caf::actor_cast<caf::actor>(self);
  self->spawn<caf::detached>(
      [](caf::blocking_actor* worker, const Job& j, const caf::actor& coordinator) {
        caf::anon_send(coordinator, finished_atom::value, j(worker));
      },
      std::move(job), me);
  return *st.pending;
}

/// `id`, or the newest done backup's for an empty one; not_found when there is none.
caf::expected<std::string> backup_to_use(const coordinator_state& st, std::string id) {
  if (id.empty()) {
    id = newest_done(st);
  }
  if (id.empty()) {
    return make_error(api_errc::not_found, "this node has no backup yet");
  }
  return id;
}

caf::result<verify_report> check(coordinator_actor* self, const std::string& wanted, bool repair) {
  auto& st = self->state;
  auto id = backup_to_use(st, wanted);
  if (!id) {
    return id.error();
  }
  auto* ctx = st.ctx;
  return run_job<verify_report>(self, [ctx, master = st.master, peers = holder_peers(ctx), id = *id,
                                       repair](caf::blocking_actor* worker) {
    caf_holder_link link{worker, ctx->cluster_view};
    auto c = make_job(ctx, master, peers, &link);
    return verify_backup(c, id, repair);
  });
}

caf::result<restore_outcome> restore(coordinator_actor* self, const std::string& wanted,
                                     const std::string& target) {
  auto& st = self->state;
  auto id = backup_to_use(st, wanted);
  if (!id) {
    return id.error();
  }
  auto* ctx = st.ctx;
  return run_job<restore_outcome>(self, [ctx, master = st.master, peers = holder_peers(ctx),
                                         id = *id, target](caf::blocking_actor* worker) {
    return run_restore(worker, ctx, master, peers, id, target);
  });
}

caf::result<key_rotation> rotate(coordinator_actor* self) {
  auto& st = self->state;
  std::vector<backup_summary> index;
  for (const auto& b : st.backups) {
    if (b.state == "done") {
      index.push_back(b.summary);
    }
  }
  auto peers = holder_peers(st.ctx);
  const auto& cfg = st.ctx->config->backup;
  if (peers.size() < cfg.data_shards + cfg.parity_shards) {
    return make_error(api_errc::unavailable,
                      "key rotation stores every manifest again: it needs k + m peers up, " +
                          std::to_string(peers.size()) + " are");
  }
  auto* ctx = st.ctx;
  auto me = caf::actor_cast<caf::actor>(self);
  return run_job<key_rotation>(
      self, [ctx, master = st.master, peers, index, me](caf::blocking_actor* worker) {
        return run_rotation(worker, ctx, master, peers, index, me);
      });
}

/// While the node's own check of its backups runs (watch_holders), an operator's request
/// waits for it and is handled once it ends, instead of being refused as a job already
/// running: with a check every backup.check_interval, operators would be refused at random.
/// Returns the promise to answer it with, or none when no check runs.
template <class... Ts>
std::optional<caf::response_promise> after_check(coordinator_actor* self, Ts... xs) {
  auto& st = self->state;
  if (!st.checking) {
    return std::nullopt;
  }
  auto rp = self->make_response_promise();
  st.after_check.push_back(
      [self, rp, xs...]() mutable { rp.delegate(caf::actor_cast<caf::actor>(self), xs...); });
  return rp;
}

/// How often the coordinator looks at membership for lost holders.
constexpr std::chrono::seconds watch_interval{2};

std::vector<std::string> done_ids(const coordinator_state& st) {
  std::vector<std::string> ids;
  for (const auto& b : st.backups) {
    if (b.state == "done") {
      ids.push_back(b.summary.id);
    }
  }
  return ids;
}

/// Every backup verified and repaired onto the live peers, on a detached thread, answering
/// (finished_atom, reports, live peers): when a holder of this node's backups is gone (and
/// k + m peers are live), and every backup.check_interval.
void watch_holders(coordinator_actor* self) {
  auto& st = self->state;
  auto ids = done_ids(st);
  if (st.busy || ids.empty()) {
    return;
  }
  auto live = holder_peers(st.ctx);
  if (!st.watch->watching()) {
    st.watch->whole(live);  // after a start: the peers as they are now
    return;
  }
  auto now = std::chrono::steady_clock::now();
  auto lost = st.watch->lost(live);
  auto every = st.ctx->config->backup.check_interval;
  bool due = every.count() > 0 && now >= st.next_check;
  const auto& cfg = st.ctx->config->backup;
  if (due && live.size() < cfg.data_shards + cfg.parity_shards) {
    due = false;  // nowhere to put what is missing: the next look tries again
  }
  // After a failed repair, wait before trying again onto the same peers; a change of the
  // live peers (a holder lost while it ran, the usual reason it failed) is looked at now.
  bool backing_off = now < st.no_repair_before && live == st.backed_off_for;
  if ((lost.empty() && !due) || backing_off) {
    return;
  }
  if (!lost.empty()) {
    std::string names;
    for (const auto& n : lost) {
      names += (names.empty() ? "" : ", ") + n;
    }
    spdlog::warn("backup: holders lost ({}); repairing {} backups onto the {} live peers", names,
                 ids.size(), live.size());
  } else {
    spdlog::info("backup: checking {} backups on the {} live peers", ids.size(), live.size());
  }
  st.next_check = now + every;
  st.busy = true;
  st.checking = true;
  auto* ctx = st.ctx;
  self->spawn<caf::detached>(
      [ctx, master = st.master, ids, live](caf::blocking_actor* worker,
                                           const caf::actor& coordinator) {
        caf_holder_link link{worker, ctx->cluster_view};
        auto c = make_job(ctx, master, live, &link);
        std::vector<verify_report> reports;
        for (const auto& id : ids) {
          reports.push_back(verify_backup(c, id, true));
        }
        caf::anon_send(coordinator, finished_atom::value, reports, live);
      },
      caf::actor_cast<caf::actor>(self));
}

caf::behavior coordinator_behavior(coordinator_actor* self, node_context* ctx,
                                   sb::master_key master, std::vector<backup_summary> catalog) {
  self->state.ctx = ctx;
  self->state.master = std::move(master);
  for (auto& b : catalog) {
    self->state.backups.push_back({std::move(b), "done", {}, 0, 0});
  }
  auto every = ctx->config->backup.interval;
  if (every.count() > 0) {
    self->delayed_send(self, every, tick_atom::value);
  }
  const auto& cfg = ctx->config->backup;
  self->state.watch.emplace(cfg.data_shards + cfg.parity_shards);
  self->state.next_check = std::chrono::steady_clock::now() + cfg.check_interval;
  self->delayed_send(self, watch_interval, heartbeat_atom::value);
  return {
      [self](create_atom) -> caf::result<backup_status> {
        if (auto later = after_check(self, create_atom::value)) {
          return *later;
        }
        return create(self);
      },
      [self](list_atom) { return self->state.backups; },
      [self](verify_atom, const std::string& id) -> caf::result<verify_report> {
        if (auto later = after_check(self, verify_atom::value, id)) {
          return *later;
        }
        return check(self, id, false);
      },
      [self](repair_atom, const std::string& id) -> caf::result<verify_report> {
        if (auto later = after_check(self, repair_atom::value, id)) {
          return *later;
        }
        return check(self, id, true);
      },
      [self](restore_atom, const std::string& id,
             const std::string& target) -> caf::result<restore_outcome> {
        if (auto later = after_check(self, restore_atom::value, id, target)) {
          return *later;
        }
        return restore(self, id, target);
      },
      [self](rotate_atom) -> caf::result<key_rotation> {
        if (auto later = after_check(self, rotate_atom::value)) {
          return *later;
        }
        return rotate(self);
      },
      // From the rotation job, once the new key is on disk: later jobs use it.
      [self](rotate_atom, const std::string& new_key) {
        self->state.master.bytes = new_key;
        spdlog::warn("backup: the master key was rotated; print the new recovery key");
      },
      [self](progress_atom, const std::string& id, uint64_t done, uint64_t total) {
        self->state.ctx->metrics->backup_items_done.Set(static_cast<double>(done));
        self->state.ctx->metrics->backup_items_total.Set(static_cast<double>(total));
        for (auto& b : self->state.backups) {
          if (b.summary.id == id) {
            b.chunks_done = done;
            b.chunks_total = total;
          }
        }
      },
      [self](finished_atom, const backup_status& result) {
        self->state.busy = false;
        auto& metrics = *self->state.ctx->metrics;
        metrics.backup_running.Set(0);
        metrics.backups.Add({{"result", result.state == "done" ? "done" : "failed"}}).Increment();
        if (result.state == "done") {
          metrics.backup_last_success.Set(static_cast<double>(runtime::now_ms()) / 1000.0);
          metrics.backup_shard_bytes.Increment(static_cast<double>(result.summary.shard_bytes));
        }
        auto& list = self->state.backups;
        for (auto& b : list) {
          if (b.summary.id == result.summary.id) {
            auto done = b.chunks_done;
            auto total = b.chunks_total;
            b = result;
            b.chunks_done = done;
            b.chunks_total = total;
          }
        }
        if (result.state == "done") {
          self->state.watch->whole(holder_peers(self->state.ctx));
          spdlog::info("backup {}: done, {} bytes, {} chunks, {} new bytes", result.summary.id,
                       result.summary.size, result.summary.chunks, result.summary.new_bytes);
          // Retention as run_backup applied it: drop the oldest done ones beyond the limit.
          std::size_t done_count = 0;
          for (const auto& b : list) {
            done_count += b.state == "done" ? 1 : 0;
          }
          auto keep = self->state.ctx->config->backup.retention;
          for (auto i = list.begin(); i != list.end() && done_count > keep;) {
            if (i->state == "done") {
              i = list.erase(i);
              --done_count;
            } else {
              ++i;
            }
          }
        } else {
          spdlog::error("backup {}: failed: {}", result.summary.id, result.error);
        }
      },
      [self](finished_atom, const verify_report& report) { finish(self, report); },
      [self](finished_atom, const restore_outcome& outcome) { finish(self, outcome); },
      [self](finished_atom, const key_rotation& outcome) { finish(self, outcome); },
      [self](heartbeat_atom) {
        watch_holders(self);
        self->delayed_send(self, watch_interval, heartbeat_atom::value);
      },
      [self](finished_atom, const std::vector<verify_report>& reports,
             const std::vector<std::string>& live) {
        self->state.busy = false;
        self->state.checking = false;
        // What operators asked meanwhile, in the order they asked.
        auto waiting = std::move(self->state.after_check);
        self->state.after_check.clear();
        for (auto& ask_again : waiting) {
          ask_again();
        }
        bool whole = true;
        for (const auto& r : reports) {
          auto bad = r.missing.size() + r.corrupt.size();
          whole = whole && r.error.empty() && r.repaired == bad;
          spdlog::info("backup {}: {} shards checked, {} missing or corrupt, {} put back{}{}",
                       r.backup_id, r.checked, bad, r.repaired, r.error.empty() ? "" : ": ",
                       r.error);
        }
        if (whole) {
          self->state.watch->whole(live);
        } else {
          self->state.no_repair_before = std::chrono::steady_clock::now() + std::chrono::minutes{1};
          self->state.backed_off_for = live;
        }
      },
      [self, every](tick_atom) {
        if (!self->state.busy) {
          if (auto r = create(self); r.flag == caf::rt_error) {
            spdlog::warn("scheduled backup not started: {}", self->system().render(r.err));
          }
        }
        self->delayed_send(self, every, tick_atom::value);
      },
  };
}

}  // namespace

caf::actor spawn_coordinator(caf::actor_system& sys, node_context* ctx, sb::master_key master) {
  std::vector<backup_summary> catalog;
  if (auto text = read_file(backups_dir(ctx) / "catalog.json")) {
    catalog = summaries_from_json(*text);
  }
  return sys.spawn(coordinator_behavior, ctx, std::move(master), std::move(catalog));
}

}  // namespace plexichat::actors::backup
