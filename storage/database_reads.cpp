// The read side of database: point lookups and bounded range scans.

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <limits>

#include "storage/byte_order.hpp"
#include "storage/database.hpp"
#include "storage/database_impl.hpp"
#include "storage/keys.hpp"
#include "storage/record_codec.hpp"

namespace plexichat::storage {
namespace {

std::string_view view(const rocksdb::Slice& slice) {
  return {slice.data(), slice.size()};
}

// An iterator confined to [lower, upper); an empty `upper` means no upper bound. It owns the
// bound strings that RocksDB's ReadOptions point at, so it can neither move nor copy.
class range_iterator {
 public:
  range_iterator(const database::impl& state, column_family family, std::string lower,
                 std::string upper)
      : lower_(std::move(lower)),
        upper_(std::move(upper)),
        lower_slice_(lower_),
        upper_slice_(upper_) {
    rocksdb::ReadOptions options;
    options.iterate_lower_bound = &lower_slice_;
    options.iterate_upper_bound = upper_.empty() ? nullptr : &upper_slice_;
    it_.reset(state.db->NewIterator(options, state.handle(family)));
  }
  range_iterator(const range_iterator&) = delete;
  range_iterator& operator=(const range_iterator&) = delete;

  rocksdb::Iterator* operator->() const { return it_.get(); }
  std::string_view key() const { return view(it_->key()); }
  std::string_view value() const { return view(it_->value()); }

 private:
  std::string lower_;
  std::string upper_;
  rocksdb::Slice lower_slice_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// Visits the keys of one entity (those starting with key_prefix(first)) in key order.
template <class Visit>
void scan_prefix(const database::impl& state, column_family family, std::string_view first,
                 Visit&& visit) {
  range_iterator it(state, family, key_prefix(first), key_prefix_end(first));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    visit(it.key(), it.value());
  }
}

// Visits every key of the family in key order.
template <class Visit>
void scan_all(const database::impl& state, column_family family, Visit&& visit) {
  range_iterator it(state, family, {}, {});
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    visit(it.key(), it.value());
  }
}

// Messages with seq in [first, before) ascending, at most `limit` of them.
message_page read_forward(const database::impl& state, std::string_view channel_id, uint64_t first,
                          std::optional<uint64_t> before, std::size_t limit) {
  message_page page;
  range_iterator it(state, column_family::messages, key_prefix(channel_id),
                    before ? message_key(channel_id, *before) : key_prefix_end(channel_id));
  for (it->Seek(message_key(channel_id, first)); it->Valid(); it->Next()) {
    if (page.messages.size() == limit) {
      page.has_more = true;
      break;
    }
    if (auto message = decode_message(it.value())) {
      page.messages.push_back(std::move(*message));
    }
  }
  return page;
}

// The newest `limit` messages with seq <= last, returned ascending.
message_page read_backward(const database::impl& state, std::string_view channel_id, uint64_t last,
                           std::size_t limit) {
  message_page page;
  range_iterator it(state, column_family::messages, key_prefix(channel_id),
                    key_prefix_end(channel_id));
  for (it->SeekForPrev(message_key(channel_id, last)); it->Valid(); it->Prev()) {
    if (page.messages.size() == limit) {
      page.has_more = true;
      break;
    }
    if (auto message = decode_message(it.value())) {
      page.messages.push_back(std::move(*message));
    }
  }
  std::reverse(page.messages.begin(), page.messages.end());
  return page;
}

}  // namespace

std::optional<std::string> database::impl::get(column_family family, std::string_view key) const {
  rocksdb::PinnableSlice value;
  auto s = db->Get(rocksdb::ReadOptions{}, handle(family), key, &value);
  if (!s.ok()) {
    return std::nullopt;
  }
  return value.ToString();
}

std::optional<user_record> database::get_user(std::string_view id) const {
  auto bytes = impl_->get(column_family::users, id);
  return bytes ? decode_user(*bytes) : std::nullopt;
}

std::optional<std::string> database::find_user_id(std::string_view lowercase_username) const {
  return impl_->get(column_family::usernames, lowercase_username);
}

std::optional<channel_record> database::get_channel(std::string_view id) const {
  auto bytes = impl_->get(column_family::channels, id);
  return bytes ? decode_channel(*bytes) : std::nullopt;
}

std::vector<channel_record> database::list_channels() const {
  std::vector<channel_record> channels;
  scan_all(*impl_, column_family::channels, [&](std::string_view, std::string_view value) {
    if (auto channel = decode_channel(value)) {
      channels.push_back(std::move(*channel));
    }
  });
  return channels;
}

std::vector<std::string> database::channel_members(std::string_view channel_id) const {
  std::vector<std::string> users;
  scan_prefix(*impl_, column_family::members, channel_id,
              [&](std::string_view key, std::string_view) {
                if (auto parts = split_member_key(key)) {
                  users.emplace_back(parts->user_id);
                }
              });
  return users;
}

bool database::is_member(std::string_view channel_id, std::string_view user_id) const {
  return impl_->get(column_family::members, member_key(channel_id, user_id)).has_value();
}

std::vector<std::string> database::user_channels(std::string_view user_id) const {
  std::vector<std::string> channels;
  scan_prefix(*impl_, column_family::user_channels, user_id,
              [&](std::string_view key, std::string_view) {
                if (auto parts = split_user_channels_key(key)) {
                  channels.emplace_back(parts->channel_id);
                }
              });
  return channels;
}

uint64_t database::last_seq(std::string_view channel_id) const {
  range_iterator it(*impl_, column_family::messages, key_prefix(channel_id),
                    key_prefix_end(channel_id));
  it->SeekForPrev(message_key(channel_id, std::numeric_limits<uint64_t>::max()));
  if (!it->Valid()) {
    return 0;
  }
  auto parts = split_message_key(it.key());
  return parts ? parts->seq : 0;
}

message_page database::read_messages(std::string_view channel_id, std::optional<uint64_t> after,
                                     std::optional<uint64_t> before, std::size_t limit) const {
  limit = std::max<std::size_t>(limit, 1);
  constexpr auto max_seq = std::numeric_limits<uint64_t>::max();
  if (after) {
    if (*after == max_seq || (before && *before <= *after + 1)) {
      return {};
    }
    return read_forward(*impl_, channel_id, *after + 1, before, limit);
  }
  if (before) {
    return *before == 0 ? message_page{} : read_backward(*impl_, channel_id, *before - 1, limit);
  }
  return read_backward(*impl_, channel_id, max_seq, limit);
}

std::optional<nonce_record> database::find_nonce(std::string_view channel_id,
                                                 std::string_view author_id,
                                                 std::string_view nonce) const {
  auto bytes = impl_->get(column_family::nonces, nonce_key(channel_id, author_id, nonce));
  return bytes ? decode_nonce(*bytes) : std::nullopt;
}

nonce_peek database::peek_nonce(std::string_view channel_id, std::string_view author_id,
                                std::string_view nonce) const {
  rocksdb::ReadOptions memory_only;
  memory_only.read_tier = rocksdb::kBlockCacheTier;
  rocksdb::PinnableSlice value;
  auto s = impl_->db->Get(memory_only, impl_->handle(column_family::nonces),
                          nonce_key(channel_id, author_id, nonce), &value);
  if (s.IsNotFound()) {
    return {nonce_peek::result::absent, {}};
  }
  if (s.ok()) {
    if (auto record = decode_nonce(value.ToStringView())) {
      return {nonce_peek::result::found, *record};
    }
  }
  return {};  // Incomplete: the answer is on disk; or unreadable, which find_nonce reports
}

std::vector<std::pair<std::string, int64_t>> database::revocations() const {
  std::vector<std::pair<std::string, int64_t>> revoked;
  scan_all(*impl_, column_family::revocations, [&](std::string_view key, std::string_view value) {
    if (auto expires_at = decode_i64_be(value)) {
      revoked.emplace_back(key, *expires_at);
    }
  });
  return revoked;
}

std::optional<std::string> database::get_meta(std::string_view key) const {
  return impl_->get(column_family::meta, key);
}

std::optional<mfa_record> database::get_mfa(std::string_view user_id) const {
  auto bytes = impl_->get(column_family::mfa, user_id);
  return bytes ? decode_mfa(*bytes) : std::nullopt;
}

std::vector<session_record> database::user_sessions(std::string_view user_id) const {
  std::vector<session_record> sessions;
  scan_prefix(*impl_, column_family::sessions, user_id,
              [&](std::string_view, std::string_view value) {
                if (auto session = decode_session(value)) {
                  sessions.push_back(std::move(*session));
                }
              });
  return sessions;
}

}  // namespace plexichat::storage
