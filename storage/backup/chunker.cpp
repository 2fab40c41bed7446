#include "storage/backup/chunker.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "runtime/crypto.hpp"

namespace plexichat::storage::backup {

namespace {

// Changing the seed changes every boundary, so every chunk name: never change it.
constexpr std::string_view kGearSeed = "plexichat backup gear table v1..";
static_assert(kGearSeed.size() == 32);

// FastCDC's normalization level 2: two bits more before avg_size, two fewer after.
constexpr int kNormalization = 2;

std::array<uint64_t, 256> make_gear_table() {
  std::string bytes = runtime::deterministic_bytes(256 * 8, kGearSeed);
  std::array<uint64_t, 256> table{};
  for (std::size_t i = 0; i < table.size(); ++i) {
    uint64_t v = 0;
    for (std::size_t b = 0; b < 8; ++b) {
      v = (v << 8) | static_cast<unsigned char>(bytes[i * 8 + b]);
    }
    table[i] = v;
  }
  return table;
}

/// A mask of the `bits` most significant bits: the gear hash's high bits depend on the most
/// recent 64 bytes, its low bits only on the last few.
uint64_t top_bits(int bits) {
  bits = std::clamp(bits, 1, 63);
  return ~uint64_t{0} << (64 - bits);
}

}  // namespace

status validate(const chunker_params& p) {
  if (p.min_size < 64) {
    return {errc::invalid_argument, "chunker min_size must be at least 64 bytes"};
  }
  if (p.avg_size < p.min_size || p.max_size < p.avg_size) {
    return {errc::invalid_argument,
            "chunker sizes must satisfy min_size <= avg_size <= max_size (got " +
                std::to_string(p.min_size) + ", " + std::to_string(p.avg_size) + ", " +
                std::to_string(p.max_size) + ")"};
  }
  return {};
}

const std::array<uint64_t, 256>& gear_table() {
  static const std::array<uint64_t, 256> table = make_gear_table();
  return table;
}

chunker::chunker(chunker_params params) : params_(params) {
  int bits = static_cast<int>(std::lround(std::log2(static_cast<double>(params_.avg_size))));
  mask_small_ = top_bits(bits + kNormalization);
  mask_large_ = top_bits(bits - kNormalization);
}

chunker::scanned chunker::scan(std::string_view bytes) {
  const auto& gear = gear_table();
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t i = 0;
  // Bytes before min_size never end a chunk, so they are not hashed (as in FastCDC).
  if (length_ < params_.min_size) {
    std::size_t skip = std::min(bytes.size(), params_.min_size - length_);
    i += skip;
    length_ += skip;
  }
  if (length_ >= params_.max_size) {
    return {i, true};
  }
  for (; i < bytes.size(); ++i) {
    hash_ = (hash_ << 1) + gear[p[i]];
    ++length_;
    uint64_t mask = length_ < params_.avg_size ? mask_small_ : mask_large_;
    if ((hash_ & mask) == 0 || length_ >= params_.max_size) {
      return {i + 1, true};
    }
  }
  return {bytes.size(), false};
}

std::vector<uint64_t> chunker::feed(std::string_view bytes) {
  std::vector<uint64_t> ends;
  while (!bytes.empty()) {
    auto [used, ends_here] = scan(bytes);
    bytes.remove_prefix(used);
    if (ends_here) {
      offset_ += length_;
      ends.push_back(offset_);
      length_ = 0;
      hash_ = 0;
    }
  }
  return ends;
}

std::vector<uint64_t> chunker::finish() {
  std::vector<uint64_t> ends;
  if (length_ > 0) {
    offset_ += length_;
    ends.push_back(offset_);
  }
  length_ = 0;
  hash_ = 0;
  offset_ = 0;
  return ends;
}

std::vector<uint64_t> chunk_boundaries(std::string_view bytes, const chunker_params& params) {
  chunker c(params);
  auto ends = c.feed(bytes);
  for (auto end : c.finish()) {
    ends.push_back(end);
  }
  return ends;
}

}  // namespace plexichat::storage::backup
