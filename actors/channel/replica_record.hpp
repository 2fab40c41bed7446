#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actors/channel/replica_log.hpp"
#include "storage/database.hpp"

/// How a node's replica store keeps a channel's replica_log in RocksDB: the messages in the
/// messages column family, and its promise and epoch starts as one JSON record in the meta
/// column family under "replica/<channel id>". Plain functions: the replica store (replica.hpp)
/// writes and loads the record; the offline `channel dump` reads it from a stopped node.
namespace plexichat::actors::channel {

/// The meta key of a channel's replica record.
std::string replica_meta_key(const std::string& cid);

/// The record of `log`: {"epoch": promised epoch, "owner": promised owner,
/// "epochs": [[epoch, start_seq], ...]}.
std::string encode_replica_meta(const replica_log& log);

/// A channel's replica state as `db` holds it: its record (an unreadable one is logged and
/// read as empty) and its last stored seq. Blocks on disk.
replica_log load_replica_log(const storage::database& db, const std::string& cid);

/// One stored message of a channel with the epoch its replica record says it was written in
/// (0 when the record names none, as on a single node).
struct stored_message {
  storage::message_record message;
  uint64_t epoch = 0;
};

/// What `db` holds of a channel's log: every stored message in ascending seq (gaps, if any,
/// show as missing seqs), with its epoch, and the replica state. Blocks on disk.
struct stored_log {
  replica_log log;
  std::vector<stored_message> messages;
};

stored_log read_stored_log(const storage::database& db, const std::string& cid);

}  // namespace plexichat::actors::channel
