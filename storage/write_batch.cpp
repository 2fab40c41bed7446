#include "storage/write_batch.hpp"

#include "storage/byte_order.hpp"
#include "storage/keys.hpp"
#include "storage/record_codec.hpp"

namespace plexichat::storage {

void write_batch::put(column_family family, std::string key, std::string value) {
  ops_.push_back(op{family, op_kind::put, std::move(key), std::move(value)});
}

void write_batch::erase(column_family family, std::string key) {
  ops_.push_back(op{family, op_kind::erase, std::move(key), {}});
}

void write_batch::put_user(const user_record& user) {
  put(column_family::users, user.id, encode(user));
  put(column_family::usernames, user.username, user.id);
}

void write_batch::put_channel(const channel_record& channel) {
  put(column_family::channels, channel.id, encode(channel));
}

void write_batch::add_member(const member_record& member) {
  put(column_family::members, member_key(member.channel_id, member.user_id), encode(member));
  put(column_family::user_channels, user_channels_key(member.user_id, member.channel_id), {});
}

void write_batch::remove_member(std::string_view channel_id, std::string_view user_id) {
  erase(column_family::members, member_key(channel_id, user_id));
  erase(column_family::user_channels, user_channels_key(user_id, channel_id));
}

void write_batch::put_message(const message_record& message) {
  put(column_family::messages, message_key(message.channel_id, message.seq), encode(message));
  if (!message.nonce.empty()) {
    put(column_family::nonces, nonce_key(message.channel_id, message.author_id, message.nonce),
        encode(nonce_record{message.seq, message.created_at}));
  }
}

void write_batch::revoke_token(std::string_view jti, int64_t expires_at) {
  put(column_family::revocations, std::string(jti), encode_i64_be(expires_at));
}

void write_batch::delete_nonce(std::string_view channel_id, std::string_view author_id,
                               std::string_view nonce) {
  erase(column_family::nonces, nonce_key(channel_id, author_id, nonce));
}

void write_batch::delete_revocation(std::string_view jti) {
  erase(column_family::revocations, std::string(jti));
}

void write_batch::delete_message(std::string_view channel_id, uint64_t seq) {
  erase(column_family::messages, message_key(channel_id, seq));
}

void write_batch::put_meta(std::string_view key, std::string_view value) {
  put(column_family::meta, std::string(key), std::string(value));
}

void write_batch::put_audit(const audit_record& record) {
  put(column_family::audit, audit_key(record.seq), encode(record));
}

void write_batch::delete_audit(uint64_t seq) {
  erase(column_family::audit, audit_key(seq));
}

void write_batch::put_role(std::string_view user_id, std::string_view role) {
  put(column_family::roles, std::string(user_id), std::string(role));
}

void write_batch::delete_role(std::string_view user_id) {
  erase(column_family::roles, std::string(user_id));
}

void write_batch::put_shard(std::string_view key, std::string_view shard) {
  put(column_family::shards, std::string(key), std::string(shard));
}

void write_batch::delete_shard(std::string_view key) {
  erase(column_family::shards, std::string(key));
}

void write_batch::append(write_batch&& other) {
  for (auto& o : other.ops_) {
    ops_.push_back(std::move(o));
  }
  other.ops_.clear();
}

void write_batch::put_mfa(const mfa_record& record) {
  put(column_family::mfa, record.user_id, encode(record));
}

void write_batch::delete_mfa(std::string_view user_id) {
  erase(column_family::mfa, std::string(user_id));
}

void write_batch::put_session(const session_record& session) {
  put(column_family::sessions, session_key(session.user_id, session.id), encode(session));
}

void write_batch::delete_session(std::string_view user_id, std::string_view session_id) {
  erase(column_family::sessions, session_key(user_id, session_id));
}

}  // namespace plexichat::storage
