#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <optional>

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>

#include "storage/records.hpp"

// inspect() for the records that travel in actor messages; they live beside the records'
// namespace so that CAF finds them by argument-dependent lookup.
namespace plexichat::storage {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_record& x) {
  return f(caf::meta::type_name("user_record"), x.id, x.username, x.password_hash, x.created_at,
           x.version);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, channel_record& x) {
  return f(caf::meta::type_name("channel_record"), x.id, x.name, x.topic, x.is_private, x.owner_id,
           x.created_at);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, message_record& x) {
  return f(caf::meta::type_name("message_record"), x.id, x.channel_id, x.seq, x.author_id, x.author,
           x.content, x.created_at, x.nonce);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, nonce_record& x) {
  return f(caf::meta::type_name("nonce_record"), x.seq, x.created_at);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, message_page& x) {
  return f(caf::meta::type_name("message_page"), x.messages, x.has_more);
}

}  // namespace plexichat::storage

namespace plexichat::actors {

/// A channel as a client sees it: the record and its last durable seq.
struct channel_view {
  storage::channel_record record;
  uint64_t last_seq = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, channel_view& x) {
  return f(caf::meta::type_name("channel_view"), x.record, x.last_seq);
}

/// What a successful login returns.
struct login_result {
  std::string token;
  int64_t expires_at = 0;  ///< ms
  storage::user_record user;
  std::string token_id;   ///< the token's "jti", the session's id
  int64_t issued_at = 0;  ///< the token's "iat", seconds
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, login_result& x) {
  return f(caf::meta::type_name("login_result"), x.token, x.expires_at, x.user, x.token_id,
           x.issued_at);
}

/// A send to a channel: who, what, and the client's idempotency key (may be empty).
struct post_request {
  std::string author_id;
  std::string author;
  std::string content;
  std::string nonce;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, post_request& x) {
  return f(caf::meta::type_name("post_request"), x.author_id, x.author, x.content, x.nonce);
}

/// A history read: bounds are exclusive; with neither, the newest `limit`.
struct history_query {
  std::optional<uint64_t> after;
  std::optional<uint64_t> before;
  uint32_t limit = 50;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, history_query& x) {
  // CAF 0.17 has no std::optional: each bound travels as a flag and a value.
  bool has_after = x.after.has_value();
  bool has_before = x.before.has_value();
  uint64_t after = x.after.value_or(0);
  uint64_t before = x.before.value_or(0);
  auto loaded = caf::meta::load_callback([&]() -> caf::error {
    x.after = has_after ? std::optional<uint64_t>{after} : std::nullopt;
    x.before = has_before ? std::optional<uint64_t>{before} : std::nullopt;
    return caf::none;
  });
  return f(caf::meta::type_name("history_query"), has_after, after, has_before, before, x.limit,
           loaded);
}

}  // namespace plexichat::actors
