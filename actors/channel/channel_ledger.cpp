#include "actors/channel/channel_ledger.hpp"

namespace plexichat::actors::channel {

channel_ledger::channel_ledger(storage::channel_record record,
                               const std::vector<std::string>& members, uint64_t last_seq,
                               int64_t nonce_ttl_ms)
    : record_(std::move(record)),
      members_(members.begin(), members.end()),
      committed_(last_seq),
      assigned_(last_seq),
      nonce_ttl_ms_(nonce_ttl_ms) {}

bool channel_ledger::is_member(std::string_view user_id) const {
  return members_.count(std::string{user_id}) > 0;
}

bool channel_ledger::can_view(std::string_view user_id) const {
  return !record_.is_private || is_member(user_id);
}

bool channel_ledger::add_member(const std::string& user_id) {
  return members_.insert(user_id).second;
}

bool channel_ledger::remove_member(const std::string& user_id) {
  return members_.erase(user_id) > 0;
}

std::optional<uint64_t> channel_ledger::find_nonce(std::string_view author_id,
                                                   std::string_view nonce, int64_t now_ms) const {
  auto i = nonces_.find(nonce_key(author_id, nonce));
  if (i == nonces_.end() || i->second.created_at + nonce_ttl_ms_ < now_ms) {
    return std::nullopt;
  }
  return i->second.seq;
}

storage::message_record channel_ledger::assign(const std::string& author_id,
                                               const std::string& author,
                                               const std::string& content, const std::string& nonce,
                                               const std::string& message_id, int64_t now_ms) {
  storage::message_record m{message_id, record_.id, ++assigned_, author_id,
                            author,     content,    now_ms,      nonce};
  if (!nonce.empty()) {
    auto key = nonce_key(author_id, nonce);
    nonces_.insert_or_assign(key, nonce_value{m.seq, now_ms});
    nonce_order_.emplace_back(m.seq, std::move(key));
  }
  return m;
}

void channel_ledger::commit(uint64_t seq) {
  if (seq > committed_) {
    committed_ = seq;
  }
}

void channel_ledger::abandon_uncommitted() {
  while (!nonce_order_.empty() && nonce_order_.back().first > committed_) {
    forget(nonce_order_.back());
    nonce_order_.pop_back();
  }
  assigned_ = committed_;
}

void channel_ledger::forget_nonces_through(uint64_t seq) {
  while (!nonce_order_.empty() && nonce_order_.front().first <= seq) {
    forget(nonce_order_.front());
    nonce_order_.pop_front();
  }
}

void channel_ledger::forget(const std::pair<uint64_t, std::string>& entry) {
  // The key may have been given out again (its first use expired): keep the newer one.
  auto i = nonces_.find(entry.second);
  if (i != nonces_.end() && i->second.seq == entry.first) {
    nonces_.erase(i);
  }
}

std::string channel_ledger::nonce_key(std::string_view author_id, std::string_view nonce) {
  std::string key{author_id};
  key.push_back('\0');
  key.append(nonce);
  return key;
}

}  // namespace plexichat::actors::channel
