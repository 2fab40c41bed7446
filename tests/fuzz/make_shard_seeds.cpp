// Writes the seeds of corpus/shard_decode_fuzz: valid shards of several shapes, and a few
// refused ones (truncated, a flipped payload bit).
// Usage: make_shard_seeds DIR

#include <cstdio>
#include <fstream>
#include <string>

#include "storage/backup/shard_codec.hpp"

namespace {

namespace backup = plexichat::storage::backup;

bool write_seed(const std::string& dir, const std::string& name, const std::string& bytes) {
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out << bytes;
  return static_cast<bool>(out);
}

backup::shard_header header(uint8_t index, uint8_t k, uint8_t m, uint64_t item_length) {
  backup::shard_header h;
  h.backup_id = "b-2026-11-26T07";
  h.chunk_name = std::string(32, '\x5c');
  h.index = index;
  h.k = k;
  h.m = m;
  h.item_length = item_length;
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_shard_seeds DIR\n");
    return 2;
  }
  std::string dir = argv[1];
  std::string data = "sealed chunk bytes, first half.";
  std::string valid = backup::encode_shard(header(0, 2, 2, 61), data);
  bool ok = true;
  ok &= write_seed(dir, "data_2_2", valid);
  ok &= write_seed(dir, "parity_2_2", backup::encode_shard(header(3, 2, 2, 62), data));
  ok &= write_seed(dir, "one_byte_10_4", backup::encode_shard(header(13, 10, 4, 7), "p"));
  ok &= write_seed(dir, "long_id_1_1",
                   backup::encode_shard(
                       [] {
                         auto h = header(1, 1, 1, 3);
                         h.backup_id = std::string(64, 'i');
                         return h;
                       }(),
                       "abc"));
  ok &= write_seed(dir, "truncated", valid.substr(0, valid.size() - 5));
  std::string flipped = valid;
  flipped.back() ^= 1;
  ok &= write_seed(dir, "payload_bit_flipped", flipped);
  return ok ? 0 : 1;
}
