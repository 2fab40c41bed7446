#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "storage/errc.hpp"

/// Content-defined chunking for backups (DESIGN.md "Backups, sharded across peers"): FastCDC
/// with a gear rolling hash and normalized chunking, so that an edit moves only the chunk
/// boundaries near it and later backups deduplicate the rest. Plain logic, one owner at a time.
namespace plexichat::storage::backup {

/// Chunk sizes in bytes: every chunk but a stream's last is within [min_size, max_size], and
/// on random data their mean is near avg_size. Needs 64 <= min_size <= avg_size <= max_size.
struct chunker_params {
  std::size_t min_size = 256 * 1024;
  std::size_t avg_size = 1024 * 1024;
  std::size_t max_size = 4 * 1024 * 1024;
};

/// ok, or invalid_argument saying which bound is wrong.
status validate(const chunker_params& params);

/// The 256-entry gear table: fixed (libsodium's randombytes_buf_deterministic from a constant
/// seed), so every node and version cuts the same bytes in the same places.
const std::array<uint64_t, 256>& gear_table();

/// Finds chunk boundaries in a stream fed in pieces of any size; the bytes themselves stay
/// with the caller. Boundaries do not depend on how the stream is split into feed() calls.
class chunker {
 public:
  /// `params` must be valid (validate()).
  explicit chunker(chunker_params params = {});

  /// Scans `bytes`, the stream's next piece; returns the end offsets (from the stream's start)
  /// of the chunks that end inside it, in order.
  std::vector<uint64_t> feed(std::string_view bytes);

  /// Ends the stream: the end offset of its last chunk, or an empty vector when no bytes are
  /// pending (an empty stream has no chunk). The chunker then starts a new stream at 0.
  std::vector<uint64_t> finish();

 private:
  /// How many bytes of `bytes` the current chunk takes, and whether it ends there.
  struct scanned {
    std::size_t used = 0;
    bool ends = false;
  };

  scanned scan(std::string_view bytes);

  chunker_params params_;
  uint64_t mask_small_;  // more bits: harder to match before avg_size
  uint64_t mask_large_;  // fewer bits: easier to match after avg_size
  uint64_t hash_ = 0;
  std::size_t length_ = 0;  // bytes of the current chunk seen so far
  uint64_t offset_ = 0;     // stream offset of the current chunk's start
};

/// The end offsets of the chunks of `bytes` as one whole stream.
std::vector<uint64_t> chunk_boundaries(std::string_view bytes, const chunker_params& params);

}  // namespace plexichat::storage::backup
