#include "actors/audit/audit_chain.hpp"

#include "runtime/crypto.hpp"
#include "storage/byte_order.hpp"
#include "storage/record_codec.hpp"

namespace plexichat::actors::audit {

std::string encode_head(const chain_head& head) {
  std::string out;
  storage::append_u64_be(out, head.seq);
  return out + head.mac;
}

std::optional<chain_head> decode_head(std::string_view bytes) {
  if (bytes.size() != 40) {
    return std::nullopt;
  }
  return chain_head{storage::load_u64_be(bytes.substr(0, 8)), std::string(bytes.substr(8))};
}

std::string record_mac(std::string_view key, std::string_view previous_mac,
                       const storage::audit_record& record) {
  std::string input(previous_mac);
  input += storage::encode_audit_body(record);
  return runtime::keyed_hash(key, input);
}

audit_chain::audit_chain(std::string key, chain_head head)
    : key_(std::move(key)), head_(std::move(head)) {}

storage::audit_record audit_chain::seal(const audit_entry& e, int64_t time_ms) {
  storage::audit_record r{head_.seq + 1,
                          time_ms,
                          e.type,
                          e.actor_id,
                          e.subject,
                          e.address,
                          e.detail.empty() ? "{}" : e.detail,
                          {}};
  r.mac = record_mac(key_, head_.mac, r);
  head_ = chain_head{r.seq, r.mac};
  return r;
}

audit_verifier::audit_verifier(std::string key) : key_(std::move(key)) {}

void audit_verifier::fail(uint64_t seq, std::string reason) {
  result_.ok = false;
  result_.first_bad_seq = seq;
  result_.reason = std::move(reason);
}

void audit_verifier::feed(std::optional<uint64_t> key_seq,
                          const std::optional<storage::audit_record>& record) {
  if (!result_.ok) {
    return;
  }
  const uint64_t expected = last_.seq + 1;
  if (!key_seq) {
    return fail(expected, "malformed key");
  }
  if (*key_seq > expected) {
    return fail(expected, "missing record");
  }
  if (!record) {
    return fail(*key_seq, "unreadable record");
  }
  if (record->seq != *key_seq || *key_seq < expected) {
    return fail(*key_seq, "seq mismatch");
  }
  if (!runtime::equal_constant_time(record_mac(key_, last_.mac, *record), record->mac)) {
    return fail(*key_seq, "mac mismatch");
  }
  last_ = chain_head{record->seq, record->mac};
  result_.records = last_.seq;
}

verify_result audit_verifier::finish(const std::optional<chain_head>& stored_head) {
  if (!result_.ok) {
    return result_;
  }
  if (!stored_head) {
    if (last_.seq != 0) {
      fail(last_.seq, "head missing");
    }
    return result_;
  }
  if (stored_head->seq > last_.seq) {
    fail(last_.seq + 1, "missing record");
  } else if (stored_head->seq < last_.seq) {
    fail(stored_head->seq + 1, "head mismatch");
  } else if (!runtime::equal_constant_time(stored_head->mac, last_.mac)) {
    fail(last_.seq, "head mismatch");
  }
  return result_;
}

}  // namespace plexichat::actors::audit
