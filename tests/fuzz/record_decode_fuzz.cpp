// Fuzzes the decoders of stored bytes: storage/record_codec.cpp (every record kind) and the
// key splitters of storage/keys.cpp. The first input byte picks the decoder (mod 13: 0..4 and
// 9..11 records, 5..8 and 12 keys), the rest is the value or key as RocksDB would return it.
//
// Invariants: a decoder never reads past its input and accepts only what its format allows;
// for an accepted input, decode(encode(decoded)) == decoded and encode(decoded) is at most as
// long as the input (only varint lengths may have been non-minimal), plus the trailing fields
// a record of an older format lacks (user and second-factor records: their 8-byte version);
// a split key joins back to the same bytes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/keys.hpp"
#include "storage/record_codec.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

namespace storage = plexichat::storage;

/// decode(encode(x)) == x, and the canonical encoding is no longer than what was decoded,
/// plus `added_later` bytes of trailing fields that older records lack.
template <class Record, class Decode>
void check_record(std::string_view bytes, Decode decode, std::size_t added_later = 0) {
  std::optional<Record> r = decode(bytes);
  if (!r) {
    return;
  }
  FUZZ_CHECK(!bytes.empty() && static_cast<uint8_t>(bytes[0]) == storage::record_format_version);
  auto canonical = storage::encode(*r);
  FUZZ_CHECK(canonical.size() <= bytes.size() + added_later);
  auto again = decode(canonical);
  FUZZ_CHECK(again && *again == *r);
  FUZZ_CHECK(storage::encode(*again) == canonical);
}

/// Each id part of a key never holds '\0' (it separates the parts).
bool is_part(std::string_view s) {
  return s.find('\0') == std::string_view::npos;
}

void check_keys(uint8_t which, std::string_view key) {
  switch (which) {
    case 0:
      if (auto k = storage::split_message_key(key)) {
        FUZZ_CHECK(!k->channel_id.empty() && is_part(k->channel_id));
        FUZZ_CHECK(storage::message_key(k->channel_id, k->seq) == key);
      }
      return;
    case 1:
      if (auto k = storage::split_member_key(key)) {
        FUZZ_CHECK(is_part(k->channel_id) && is_part(k->user_id));
        FUZZ_CHECK(storage::member_key(k->channel_id, k->user_id) == key);
      }
      return;
    case 2:
      if (auto k = storage::split_user_channels_key(key)) {
        FUZZ_CHECK(is_part(k->user_id) && is_part(k->channel_id));
        FUZZ_CHECK(storage::user_channels_key(k->user_id, k->channel_id) == key);
      }
      return;
    default:
      if (auto k = storage::split_nonce_key(key)) {
        FUZZ_CHECK(is_part(k->channel_id) && is_part(k->author_id));
        FUZZ_CHECK(storage::nonce_key(k->channel_id, k->author_id, k->nonce) == key);
      }
      return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 13) {
    case 0:
      check_record<storage::user_record>(bytes, storage::decode_user, sizeof(int64_t));
      break;
    case 1:
      check_record<storage::channel_record>(bytes, storage::decode_channel);
      break;
    case 2:
      check_record<storage::member_record>(bytes, storage::decode_member);
      break;
    case 3:
      check_record<storage::message_record>(bytes, storage::decode_message);
      break;
    case 4:
      check_record<storage::nonce_record>(bytes, storage::decode_nonce);
      break;
    case 5:
    case 6:
    case 7:
    case 8:
      check_keys(static_cast<uint8_t>(data[0] % 13 - 5), bytes);
      break;
    case 9:
      check_record<storage::audit_record>(bytes, storage::decode_audit);
      break;
    case 10:
      check_record<storage::mfa_record>(bytes, storage::decode_mfa, sizeof(int64_t));
      break;
    case 11:
      check_record<storage::session_record>(bytes, storage::decode_session);
      break;
    default:
      if (auto seq = storage::split_audit_key(bytes)) {
        FUZZ_CHECK(storage::audit_key(*seq) == bytes);
      }
      break;
  }
  return 0;
}
