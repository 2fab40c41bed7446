// Fuzzes the decoder of backup shards (storage/backup/shard_codec.cpp): the bytes a shard
// holder receives from a peer or reads back from its disk.
//
// Invariants: decode_shard never reads past its input; what it accepts is exactly the
// canonical encoding of what it returns (encode_shard gives the input back byte for byte),
// with counts, lengths and checksums consistent; what it refuses gets a corruption status
// with a message that starts "invalid backup shard: ".

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/backup/shard_codec.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace backup = plexichat::storage::backup;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto s = backup::decode_shard(bytes);
  if (!s.ok()) {
    FUZZ_CHECK(s.error().code == plexichat::storage::errc::corruption);
    FUZZ_CHECK(s.error().message.rfind("invalid backup shard: ", 0) == 0);
    return 0;
  }
  const auto& h = s.value().header;
  FUZZ_CHECK(h.k >= 1 && h.m >= 1 && h.index < h.k + h.m);
  FUZZ_CHECK(!h.backup_id.empty() && h.backup_id.size() <= backup::max_backup_id_bytes);
  FUZZ_CHECK(h.chunk_name.size() == backup::chunk_name_bytes);
  FUZZ_CHECK(s.value().payload.size() == h.shard_length);
  uint64_t per_shard = h.item_length / h.k + (h.item_length % h.k != 0);
  FUZZ_CHECK(h.shard_length == (per_shard == 0 ? 1 : per_shard));
  FUZZ_CHECK(backup::encode_shard(h, s.value().payload) == bytes);
  return 0;
}
