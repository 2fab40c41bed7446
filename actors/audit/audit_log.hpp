#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>

#include "actors/atoms.hpp"
#include "actors/audit/audit_chain.hpp"
#include "actors/node_context.hpp"
#include "storage/database.hpp"
#include "storage/write_batch.hpp"

/// The audit log actor: one per node, the only appender of the audit column family. It holds
/// the chain head and seals entries in arrival order; everything queued while a write is in
/// flight goes out as the next single write, so appends stay gapless and in order.
///
/// Messages (errors are api errors):
/// - (append_atom, audit_entry) -> uint64_t seq, once the record is durable; unavailable if
///   the write failed (the head is rewound, so the chain stays gapless)
/// - (append_atom, audit_entry, shared_batch) -> uint64_t seq: the batch's writes go in the
///   SAME atomic write as the record (an action and its record commit together or not at all)
/// - (read_atom, after_seq, limit) -> storage::audit_page            (blocking pool)
/// - (verify_atom) -> verify_result, the whole log checked            (blocking pool)
namespace plexichat::actors::audit {

/// A batch handed to the audit actor; it moves the batch's operations out.
using shared_batch = std::shared_ptr<storage::write_batch>;

caf::actor spawn_audit_log(caf::actor_system& sys, node_context* ctx, std::string key,
                           chain_head head);

/// Appends `entry` through ctx->audit and then runs `done(ok)` in `self` once the record is
/// durable (ok) or failed. For events whose action another actor already wrote: call it after
/// that write and answer the client from `done`, so that no acknowledged action lacks its
/// record.
template <class Self>
void record(Self* self, node_context* ctx, audit_entry entry, std::function<void(bool)> done) {
  self->request(ctx->audit, caf::infinite, append_atom::value, std::move(entry))
      .then([done](uint64_t) { done(true); }, [done](caf::error&) { done(false); });
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_entry& x) {
  return f(caf::meta::type_name("audit_entry"), x.type, x.actor_id, x.subject, x.address, x.detail);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, verify_result& x) {
  return f(caf::meta::type_name("verify_result"), x.ok, x.records, x.first_bad_seq, x.reason);
}

}  // namespace plexichat::actors::audit

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plexichat::actors::audit::shared_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plexichat::storage::audit_page)
