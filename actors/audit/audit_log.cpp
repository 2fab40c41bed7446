#include "actors/audit/audit_log.hpp"

#include <optional>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/actor_probe.hpp"
#include "actors/audit/audit_store.hpp"
#include "actors/durable_writes.hpp"
#include "actors/run_blocking.hpp"
#include "runtime/clock.hpp"

namespace plexichat::actors::audit {

namespace {

struct queued_append {
  audit_entry entry;
  shared_batch batch;  // may be null
  caf::typed_response_promise<uint64_t> promise;
};

struct audit_state {
  node_context* ctx = nullptr;
  std::optional<audit_chain> chain;
  durable_writes writes;
  std::vector<queued_append> queue;
  bool writing = false;
  static inline const char* name = "audit_log";
};

using audit_actor = caf::stateful_actor<audit_state>;

void flush(audit_actor* self);

void on_written(audit_actor* self, bool ok, const chain_head& before,
                std::vector<std::pair<uint64_t, caf::typed_response_promise<uint64_t>>>& sent) {
  auto& st = self->state;
  st.writing = false;
  if (!ok) {
    spdlog::error("audit: writing {} record(s) failed", sent.size());
    st.chain->rewind(before);
  }
  for (auto& [seq, rp] : sent) {
    if (ok) {
      rp.deliver(seq);
    } else {
      rp.deliver(make_error(api_errc::unavailable, "could not write the audit log"));
    }
  }
  flush(self);
}

/// Seals everything queued into one write, with the head, and submits it.
void flush(audit_actor* self) {
  auto& st = self->state;
  if (st.writing || st.queue.empty()) {
    return;
  }
  auto queue = std::move(st.queue);
  st.queue.clear();
  auto before = st.chain->head();
  storage::write_batch batch;
  std::vector<std::pair<uint64_t, caf::typed_response_promise<uint64_t>>> sent;
  auto now = runtime::now_ms();
  for (auto& q : queue) {
    auto rec = st.chain->seal(q.entry, now);
    if (q.batch) {
      batch.append(std::move(*q.batch));
    }
    batch.put_audit(rec);
    sent.emplace_back(rec.seq, std::move(q.promise));
  }
  batch.put_meta(storage::audit_head_key, encode_head(st.chain->head()));
  st.writing = true;
  st.writes.submit(caf::actor_cast<caf::actor>(self), *st.ctx->writer, std::move(batch),
                   [self, before, sent = std::move(sent)](bool ok) mutable {
                     on_written(self, ok, before, sent);
                   });
}

caf::result<uint64_t> append(audit_actor* self, audit_entry entry, shared_batch batch) {
  auto rp = self->make_response_promise<uint64_t>();
  self->state.queue.push_back({std::move(entry), std::move(batch), rp});
  flush(self);
  return rp;
}

caf::result<storage::audit_page> read(audit_actor* self, uint64_t after, uint32_t limit) {
  auto rp = self->make_response_promise<storage::audit_page>();
  auto* db = self->state.ctx->db;
  run_blocking(
      self, self->state.ctx->blocking, [db, after, limit] { return db->read_audit(after, limit); },
      [rp](storage::audit_page page) mutable { rp.deliver(std::move(page)); },
      [rp](api_error e) mutable { rp.deliver(make_error(e.code, e.message)); });
  return rp;
}

caf::result<verify_result> verify(audit_actor* self, const std::string& key) {
  auto rp = self->make_response_promise<verify_result>();
  auto* db = self->state.ctx->db;
  run_blocking(
      self, self->state.ctx->blocking, [db, key] { return verify_log(*db, key); },
      [rp](verify_result r) mutable { rp.deliver(std::move(r)); },
      [rp](api_error e) mutable { rp.deliver(make_error(e.code, e.message)); });
  return rp;
}

caf::behavior audit_behavior(audit_actor* self, node_context* ctx, std::string key,
                             chain_head head) {
  self->state.ctx = ctx;
  self->state.chain.emplace(key, std::move(head));
  caf::behavior handlers{
      [self](append_atom, audit_entry& e) { return append(self, std::move(e), nullptr); },
      [self](append_atom, audit_entry& e, shared_batch& b) {
        return append(self, std::move(e), std::move(b));
      },
      [self](read_atom, uint64_t after, uint32_t limit) { return read(self, after, limit); },
      [self, key](verify_atom) { return verify(self, key); },
      [self](committed_atom, uint64_t id, bool ok) { self->state.writes.on_committed(id, ok); },
  };
  return probed(self, ctx, "audit", std::move(handlers));
}

}  // namespace

caf::actor spawn_audit_log(caf::actor_system& sys, node_context* ctx, std::string key,
                           chain_head head) {
  return sys.spawn(audit_behavior, ctx, std::move(key), std::move(head));
}

}  // namespace plexichat::actors::audit
