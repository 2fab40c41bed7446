#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/channel/replica_log.hpp"
#include "actors/message_types.hpp"
#include "actors/node_context.hpp"

/// The node's replica store: this node's copies of the channel logs it replicates, for the
/// channels' owners on any node (DESIGN.md "The cluster"). Owners reach it as the service
/// "replica". A detached actor (it reads RocksDB on its own thread); writes go through the
/// node's group commit and are answered once durable. Per channel the decisions are
/// replica_log's.
///
/// Messages:
/// - (claim_atom, channel_id, epoch_claim) -> replica_position   promise persisted if granted
/// - (append_atom, channel_id, epoch_claim, prev_seq, replica_write) -> append_reply
/// - (append_atom, std::vector<replica_append>) -> std::vector<append_result>: several
///   channels' appends, in order, in one write, answered once it is durable (post_relay.hpp)
/// - (fetch_atom, channel_id, their_last_epoch, their_last_seq, limit) -> log_page: what a
///   replica at that position must cut and copy to agree with this one
/// - (sync_atom, channel_id, epoch_claim, log_page) -> replica_position: cut back to the
///   page's agreement point, then take its messages, epochs and members
namespace plexichat::actors::channel {

/// One replicated change of a channel: messages (consecutive seqs), member changes, and the
/// channel's record when it was created or renamed.
struct replica_write {
  std::vector<storage::message_record> messages;
  std::vector<std::string> add_members;
  std::vector<std::string> remove_members;
  std::vector<storage::channel_record> record;  ///< at most one
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, replica_write& x) {
  return f(caf::meta::type_name("replica_write"), x.messages, x.add_members, x.remove_members,
           x.record);
}

struct append_reply {
  append_verdict verdict = append_verdict::ok;
  epoch_claim promised;
  uint64_t last_epoch = 0;
  uint64_t last_seq = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, append_reply& x) {
  return f(caf::meta::type_name("append_reply"), x.verdict, x.promised, x.last_epoch, x.last_seq);
}

/// How long an owner waits for a replica's answer to an append before it counts the replica
/// out of step.
inline constexpr std::chrono::seconds replica_append_timeout{5};

/// One append among several that a node's post relay sends a replica at once.
struct replica_append {
  std::string channel_id;
  epoch_claim claim;
  uint64_t prev_seq = 0;
  replica_write write;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, replica_append& x) {
  return f(caf::meta::type_name("replica_append"), x.channel_id, x.claim, x.prev_seq, x.write);
}

/// An append's answer within a batch: the reply, or the error.
struct append_result {
  append_reply reply;
  caf::error error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, append_result& x) {
  return f(caf::meta::type_name("append_result"), x.reply, x.error);
}

/// A page of one replica's log for another to copy.
struct log_page {
  uint64_t cut_to = 0;  ///< the copier deletes its messages after this seq first
  std::vector<storage::message_record> messages;  ///< cut_to + 1 onwards
  std::vector<epoch_start> epochs;                ///< the source's, whole
  std::vector<std::string> members;               ///< the source's, whole
  std::vector<storage::channel_record> record;    ///< the source's, if it has one
  uint64_t source_last_seq = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, log_page& x) {
  return f(caf::meta::type_name("log_page"), x.cut_to, x.messages, x.epochs, x.members, x.record,
           x.source_last_seq);
}

/// Adds the writes of `w` to `batch` (members are added as of now).
void add_to_batch(storage::write_batch& batch, const replica_write& w, const std::string& cid);

caf::actor spawn_replica(caf::actor_system& sys, node_context* ctx);

/// Registers the types that channel messages carry between nodes: the replication
/// protocol's, those of every channel and registry message (channel.hpp), and the post relay's.
void add_channel_types(caf::actor_system_config& cfg);

}  // namespace plexichat::actors::channel
