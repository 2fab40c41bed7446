#include "actors/backup/shard_holder.hpp"

#include <spdlog/spdlog.h>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/api_error.hpp"
#include "actors/atoms.hpp"
#include "actors/durable_writes.hpp"
#include "runtime/clock.hpp"
#include "storage/backup/shard_codec.hpp"
#include "storage/keys.hpp"

namespace plexichat::actors::backup {

namespace {

namespace sb = storage::backup;

struct holder_state {
  node_context* ctx = nullptr;
  durable_writes writes;
  holder_stats last_scrub;
  static inline const char* name = "shard_holder";
};

using holder_actor = caf::stateful_actor<holder_state>;

caf::result<bool> put(holder_actor* self, const std::string& owner, const std::string& bytes) {
  auto s = sb::decode_shard(bytes);
  if (!s.ok()) {
    return make_error(api_errc::invalid_request, s.error().message);
  }
  if (owner.empty() || owner.find('\0') != std::string::npos ||
      s.value().header.backup_id.find('\0') != std::string::npos) {
    return make_error(api_errc::invalid_request, "bad shard owner or backup id");
  }
  const auto& h = s.value().header;
  storage::write_batch batch;
  batch.put_shard(storage::shard_key(owner, h.backup_id, h.chunk_name, h.index), bytes);
  auto rp = self->make_response_promise<bool>();
  auto* metrics = self->state.ctx->metrics;
  self->state.writes.submit(
      caf::actor_cast<caf::actor>(self), *self->state.ctx->writer, std::move(batch),
      [rp, metrics, size = bytes.size()](bool ok) mutable {
        if (ok) {
          // Counted as new (a repair's rewrite of a held shard too); each scrub recounts.
          metrics->shards_held.Increment();
          metrics->shard_bytes_held.Increment(static_cast<double>(size));
          rp.deliver(true);
        } else {
          rp.deliver(make_error(api_errc::unavailable, "storage write failed"));
        }
      });
  return rp;
}

std::vector<std::string> get(holder_actor* self, const std::string& owner,
                             const std::string& backup_id, const std::string& chunk_name) {
  std::vector<std::string> out;
  auto prefix = storage::shard_key_prefix(owner, backup_id) + chunk_name;
  self->state.ctx->db->scan_shards(prefix, [&](std::string_view key, std::string_view shard) {
    if (key.size() == prefix.size() + 1) {
      out.emplace_back(shard);
    }
    return true;
  });
  return out;
}

std::vector<held_shard> list(holder_actor* self, const std::string& owner) {
  std::vector<held_shard> out;
  self->state.ctx->db->scan_shards(
      storage::key_prefix(owner), [&](std::string_view key, std::string_view shard) {
        if (auto parts = storage::split_shard_key(key)) {
          out.push_back({std::string(parts->backup_id), std::string(parts->chunk_name),
                         parts->index, shard.size(), sb::decode_shard(shard).ok()});
        }
        return true;
      });
  return out;
}

/// The held totals in the metrics.
void show(const node_context* ctx, const holder_stats& s) {
  ctx->metrics->shards_held.Set(static_cast<double>(s.count));
  ctx->metrics->shard_bytes_held.Set(static_cast<double>(s.bytes));
}

holder_stats scrub(holder_actor* self, bool log_each) {
  holder_stats stats;
  auto& metrics = *self->state.ctx->metrics;
  self->state.ctx->db->scan_shards("", [&](std::string_view key, std::string_view shard) {
    ++stats.count;
    metrics.scrub_shards_checked.Increment();
    stats.bytes += shard.size();
    auto decoded = sb::decode_shard(shard);
    auto parts = storage::split_shard_key(key);
    bool matches = decoded.ok() && parts && parts->backup_id == decoded.value().header.backup_id &&
                   parts->chunk_name == decoded.value().header.chunk_name &&
                   parts->index == decoded.value().header.index;
    if (!matches) {
      ++stats.corrupt;
      if (log_each) {
        spdlog::error("shards: corrupt shard of {} backup {} index {}: {}",
                      parts ? std::string(parts->owner) : "?",
                      parts ? std::string(parts->backup_id) : "?", parts ? parts->index : 0,
                      decoded.ok() ? "key does not match its header" : decoded.error().message);
      }
    }
    return true;
  });
  stats.last_scrub_ms = runtime::now_ms();
  self->state.last_scrub = stats;
  metrics.scrubs.Increment();
  metrics.scrub_corrupt.Set(static_cast<double>(stats.corrupt));
  metrics.scrub_last_time.Set(static_cast<double>(stats.last_scrub_ms) / 1000.0);
  show(self->state.ctx, stats);
  if (log_each) {
    spdlog::info("shards: scrubbed {} shards ({} bytes), {} corrupt", stats.count, stats.bytes,
                 stats.corrupt);
  }
  return stats;
}

/// Deletes the shards of backup `backup_id` of `owner`: all of them, or those of item
/// `name` alone when it is given.
caf::result<uint64_t> remove(holder_actor* self, const std::string& owner,
                             const std::string& backup_id, const std::string* name = nullptr) {
  storage::write_batch batch;
  uint64_t n = 0;
  uint64_t bytes = 0;
  auto prefix = storage::shard_key_prefix(owner, backup_id) + (name ? *name : std::string{});
  self->state.ctx->db->scan_shards(prefix, [&](std::string_view key, std::string_view shard) {
    if (name == nullptr || key.size() == prefix.size() + 1) {
      batch.delete_shard(key);
      ++n;
      bytes += shard.size();
    }
    return true;
  });
  if (n == 0) {
    return n;
  }
  auto rp = self->make_response_promise<uint64_t>();
  self->state.writes.submit(
      caf::actor_cast<caf::actor>(self), *self->state.ctx->writer, std::move(batch),
      [rp, n, bytes, metrics = self->state.ctx->metrics](bool ok) mutable {
        if (ok) {
          metrics->shards_held.Decrement(static_cast<double>(n));
          metrics->shard_bytes_held.Decrement(static_cast<double>(bytes));
          rp.deliver(n);
        } else {
          rp.deliver(make_error(api_errc::unavailable, "storage write failed"));
        }
      });
  return rp;
}

/// The last scrub's figures with the held totals counted now (also into the metrics).
holder_stats count_held(holder_actor* self) {
  holder_stats s = self->state.last_scrub;
  s.count = 0;
  s.bytes = 0;
  self->state.ctx->db->scan_shards("", [&s](std::string_view, std::string_view shard) {
    ++s.count;
    s.bytes += shard.size();
    return true;
  });
  show(self->state.ctx, s);
  return s;
}

caf::behavior holder_behavior(holder_actor* self, node_context* ctx) {
  self->state.ctx = ctx;
  auto every = ctx->config->backup.scrub_interval;
  self->delayed_send(self, every, tick_atom::value);
  count_held(self);  // the held totals in the metrics from the start
  return {
      [self](put_atom, const std::string& owner, const std::string& bytes) {
        return put(self, owner, bytes);
      },
      [self](get_atom, const std::string& owner, const std::string& backup_id,
             const std::string& chunk_name) { return get(self, owner, backup_id, chunk_name); },
      [self](list_atom, const std::string& owner) { return list(self, owner); },
      [self](stats_atom) { return count_held(self); },
      [self](delete_atom, const std::string& owner, const std::string& backup_id) {
        return remove(self, owner, backup_id);
      },
      [self](delete_atom, const std::string& owner, const std::string& backup_id,
             const std::string& name) { return remove(self, owner, backup_id, &name); },
      [self](scrub_atom) { return scrub(self, true); },
      [self, every](tick_atom) {
        scrub(self, true);
        self->delayed_send(self, every, tick_atom::value);
      },
      [self](committed_atom, uint64_t id, bool ok) { self->state.writes.on_committed(id, ok); },
  };
}

}  // namespace

caf::actor spawn_shard_holder(caf::actor_system& sys, node_context* ctx) {
  return sys.spawn<caf::detached>(holder_behavior, ctx);
}

void add_backup_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<held_shard>("plexichat::held_shard");
  cfg.add_message_type<std::vector<held_shard>>("std::vector<plexichat::held_shard>");
  cfg.add_message_type<holder_stats>("plexichat::holder_stats");
  cfg.add_message_type<backup_summary>("plexichat::backup_summary");
  cfg.add_message_type<backup_status>("plexichat::backup_status");
  cfg.add_message_type<std::vector<backup_status>>("std::vector<plexichat::backup_status>");
  cfg.add_message_type<verify_report>("plexichat::verify_report");
  cfg.add_message_type<restore_outcome>("plexichat::restore_outcome");
  cfg.add_message_type<key_rotation>("plexichat::key_rotation");
}

}  // namespace plexichat::actors::backup
