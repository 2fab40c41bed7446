#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "storage/errc.hpp"

/// Reed-Solomon erasure coding of sealed backup items with ISA-L: k data shards and m parity
/// shards from a Cauchy matrix, so that ANY k of the k+m shards give the item back. Plain
/// logic; one coder may be used from several threads at once (it holds only constants).
namespace plexichat::storage::backup {

/// The most shards (k + m) of one item: the shard header stores counts in one byte each, and
/// a Cauchy matrix over GF(2^8) needs k + m <= 256.
inline constexpr int max_total_shards = 64;

/// The shards of one item. Shard i < k holds bytes [i * shard_size, (i + 1) * shard_size) of
/// the item, zero-padded at the end (`padding` bytes); shards k.. are parity.
struct erasure_shards {
  std::vector<std::string> shards;  ///< k + m shards of equal size
  std::size_t padding = 0;
};

class erasure_coder {
 public:
  /// k >= 1, m >= 1, k + m <= max_total_shards; check with validate() first.
  erasure_coder(int k, int m);

  /// ok, or invalid_argument saying what is wrong with (k, m).
  static status validate(int k, int m);

  int k() const { return k_; }
  int m() const { return m_; }

  /// The size of each shard of an item of `length` bytes: ceil(length / k), at least 1.
  std::size_t shard_size(std::size_t length) const;

  /// The k + m shards of `item`.
  erasure_shards encode(std::string_view item) const;

  /// The item of `length` bytes from the shards at hand (index -> bytes); any k of them are
  /// enough, more are ignored. corruption ("k shards needed, n at hand") when fewer than k are
  /// given, invalid_argument for an index out of range or a shard of the wrong size.
  [[nodiscard]] result<std::string> decode(const std::map<int, std::string>& shards,
                                           std::size_t length) const;

 private:
  int k_;
  int m_;
  std::vector<unsigned char> matrix_;  // (k + m) x k encoding matrix, identity on top
  std::vector<unsigned char> tables_;  // ec_init_tables of the parity rows
};

}  // namespace plexichat::storage::backup
