#include "storage/backup/shard_codec.hpp"

#include <isa-l/crc.h>

#include "storage/backup/erasure_coder.hpp"

namespace plexichat::storage::backup {

namespace {

constexpr std::string_view kMagic = "PXSH";
// Magic, version, k, m, index, id length; then the id; then name, lengths and checksums.
constexpr std::size_t kPrefixBytes = 4 + 1 + 1 + 1 + 1 + 1;
constexpr std::size_t kSuffixBytes = chunk_name_bytes + 8 + 4 + 4 + 4;

uint32_t crc32_of(std::string_view bytes) {
  return crc32_gzip_refl(0, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}

uint64_t get_be(std::string_view in, std::size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v = (v << 8) | static_cast<unsigned char>(in[at + i]);
  }
  return v;
}

status bad_shard(const std::string& why) {
  return {errc::corruption, "invalid backup shard: " + why};
}

/// The counts and lengths of a decoded header: ok, or what is out of range.
status check_fields(const shard_header& h) {
  if (h.k < 1 || h.m < 1 || h.k + h.m > max_total_shards) {
    return bad_shard("k=" + std::to_string(h.k) + ", m=" + std::to_string(h.m) +
                     " is out of range");
  }
  if (h.index >= h.k + h.m) {
    return bad_shard("index " + std::to_string(h.index) +
                     " is not below k + m = " + std::to_string(h.k + h.m));
  }
  uint64_t expected = std::max<uint64_t>(1, h.item_length / h.k + (h.item_length % h.k != 0));
  if (h.shard_length != expected) {
    return bad_shard("shard length " + std::to_string(h.shard_length) + " does not fit item " +
                     "length " + std::to_string(h.item_length) + " and k=" + std::to_string(h.k));
  }
  return {};
}

}  // namespace

std::string encode_shard(const shard_header& h, std::string_view payload) {
  std::string out;
  out.reserve(kPrefixBytes + h.backup_id.size() + kSuffixBytes + payload.size());
  out.append(kMagic);
  out.push_back(static_cast<char>(shard_format_version));
  out.push_back(static_cast<char>(h.k));
  out.push_back(static_cast<char>(h.m));
  out.push_back(static_cast<char>(h.index));
  out.push_back(static_cast<char>(h.backup_id.size()));
  out.append(h.backup_id);
  out.append(h.chunk_name);
  put_be(out, h.item_length, 8);
  put_be(out, payload.size(), 4);
  put_be(out, crc32_of(payload), 4);
  put_be(out, crc32_of(out), 4);
  out.append(payload);
  return out;
}

result<shard> decode_shard(std::string_view in) {
  if (in.size() < kPrefixBytes) {
    return bad_shard("truncated (" + std::to_string(in.size()) + " bytes)");
  }
  if (in.substr(0, 4) != kMagic) {
    return bad_shard("wrong magic");
  }
  if (static_cast<uint8_t>(in[4]) != shard_format_version) {
    return bad_shard("unknown format version " + std::to_string(static_cast<uint8_t>(in[4])));
  }
  shard s;
  auto& h = s.header;
  h.k = static_cast<uint8_t>(in[5]);
  h.m = static_cast<uint8_t>(in[6]);
  h.index = static_cast<uint8_t>(in[7]);
  std::size_t id_bytes = static_cast<uint8_t>(in[8]);
  if (id_bytes == 0 || id_bytes > max_backup_id_bytes) {
    return bad_shard("backup id length " + std::to_string(id_bytes) + " is not 1 to 64");
  }
  std::size_t header_bytes = kPrefixBytes + id_bytes + kSuffixBytes;
  if (in.size() < header_bytes) {
    return bad_shard("truncated header (" + std::to_string(in.size()) + " bytes)");
  }
  std::size_t at = kPrefixBytes;
  h.backup_id = std::string(in.substr(at, id_bytes));
  at += id_bytes;
  h.chunk_name = std::string(in.substr(at, chunk_name_bytes));
  at += chunk_name_bytes;
  h.item_length = get_be(in, at, 8);
  h.shard_length = static_cast<uint32_t>(get_be(in, at + 8, 4));
  h.payload_crc = static_cast<uint32_t>(get_be(in, at + 12, 4));
  auto header_crc = static_cast<uint32_t>(get_be(in, at + 16, 4));
  if (crc32_of(in.substr(0, header_bytes - 4)) != header_crc) {
    return bad_shard("header checksum mismatch");
  }
  if (auto fields = check_fields(h); !fields.ok()) {
    return fields;
  }
  if (in.size() - header_bytes != h.shard_length) {
    return bad_shard("payload has " + std::to_string(in.size() - header_bytes) +
                     " bytes, the header says " + std::to_string(h.shard_length));
  }
  s.payload = std::string(in.substr(header_bytes));
  if (crc32_of(s.payload) != h.payload_crc) {
    return bad_shard("payload checksum mismatch");
  }
  return s;
}

}  // namespace plexichat::storage::backup
