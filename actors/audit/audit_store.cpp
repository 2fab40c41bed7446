#include "actors/audit/audit_store.hpp"

namespace plexichat::actors::audit {

chain_head load_head(const storage::database& db) {
  if (auto stored = db.get_meta(storage::audit_head_key)) {
    if (auto head = decode_head(*stored)) {
      return *head;
    }
  }
  if (auto last = db.last_audit()) {
    return chain_head{last->seq, last->mac};
  }
  return chain_head{};
}

void add_record(storage::write_batch& batch, const storage::audit_record& record) {
  batch.put_audit(record);
  batch.put_meta(storage::audit_head_key, encode_head(chain_head{record.seq, record.mac}));
}

verify_result verify_log(const storage::database& db, const std::string& key) {
  audit_verifier verifier(key);
  auto head = db.scan_audit(
      [&verifier](std::optional<uint64_t> seq, std::optional<storage::audit_record> record) {
        verifier.feed(seq, record);
      });
  std::optional<chain_head> stored;
  if (head) {
    stored = decode_head(*head);
    if (!stored) {
      verify_result bad;
      bad.ok = false;
      bad.reason = "unreadable head";
      return bad;
    }
  }
  return verifier.finish(stored);
}

std::string describe(const verify_result& r) {
  if (r.ok) {
    return "audit log intact: " + std::to_string(r.records) + " records";
  }
  return "audit log damaged at seq " + std::to_string(r.first_bad_seq) + ": " + r.reason;
}

}  // namespace plexichat::actors::audit
