#include "storage/backup/erasure_coder.hpp"

#include <isa-l/erasure_code.h>

#include <algorithm>

namespace plexichat::storage::backup {

namespace {

unsigned char* bytes_of(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

}  // namespace

erasure_coder::erasure_coder(int k, int m)
    : k_(k), m_(m), matrix_((k + m) * k), tables_(k * m * 32) {
  // Every k x k submatrix of a Cauchy matrix is invertible, so any k shards decode;
  // gf_gen_rs_matrix does not promise that for every (k, m).
  gf_gen_cauchy1_matrix(matrix_.data(), k + m, k);
  ec_init_tables(k, m, matrix_.data() + k * k, tables_.data());
}

status erasure_coder::validate(int k, int m) {
  if (k < 1 || m < 1 || k + m > max_total_shards) {
    return {errc::invalid_argument,
            "erasure coding needs k >= 1 data and m >= 1 parity shards with k + m <= " +
                std::to_string(max_total_shards) + " (got k=" + std::to_string(k) +
                ", m=" + std::to_string(m) + ")"};
  }
  return {};
}

std::size_t erasure_coder::shard_size(std::size_t length) const {
  std::size_t k = static_cast<std::size_t>(k_);
  return std::max<std::size_t>(1, (length + k - 1) / k);
}

erasure_shards erasure_coder::encode(std::string_view item) const {
  std::size_t size = shard_size(item.size());
  erasure_shards out;
  out.padding = size * k_ - item.size();
  out.shards.assign(k_ + m_, std::string(size, '\0'));
  std::vector<unsigned char*> data(k_);
  std::vector<unsigned char*> parity(m_);
  for (int i = 0; i < k_; ++i) {
    std::size_t from = std::min(item.size(), i * size);
    item.substr(from, size).copy(out.shards[i].data(), size);
    data[i] = bytes_of(out.shards[i]);
  }
  for (int i = 0; i < m_; ++i) {
    parity[i] = bytes_of(out.shards[k_ + i]);
  }
  ec_encode_data(static_cast<int>(size), k_, m_, const_cast<unsigned char*>(tables_.data()),
                 data.data(), parity.data());
  return out;
}

result<std::string> erasure_coder::decode(const std::map<int, std::string>& shards,
                                          std::size_t length) const {
  std::size_t size = shard_size(length);
  std::vector<int> present;  // the first k indices at hand, ascending
  for (const auto& [index, bytes] : shards) {
    if (index < 0 || index >= k_ + m_ || bytes.size() != size) {
      return status{errc::invalid_argument,
                    "shard " + std::to_string(index) + " does not fit k=" + std::to_string(k_) +
                        ", m=" + std::to_string(m_) + ", size " + std::to_string(size)};
    }
    if (static_cast<int>(present.size()) < k_) {
      present.push_back(index);
    }
  }
  if (static_cast<int>(present.size()) < k_) {
    return status{errc::corruption, std::to_string(k_) + " shards needed, " +
                                        std::to_string(present.size()) + " at hand"};
  }
  // The rows of the present shards form B with B * data = present; data = B^-1 * present.
  std::vector<unsigned char> b(k_ * k_);
  std::vector<unsigned char> inverse(k_ * k_);
  std::vector<unsigned char*> sources(k_);
  for (int r = 0; r < k_; ++r) {
    std::copy_n(matrix_.begin() + present[r] * k_, k_, b.begin() + r * k_);
    sources[r] = const_cast<unsigned char*>(
        reinterpret_cast<const unsigned char*>(shards.at(present[r]).data()));
  }
  if (gf_invert_matrix(b.data(), inverse.data(), k_) != 0) {
    return status{errc::corruption, "erasure decoding matrix is singular"};
  }
  std::vector<unsigned char> tables(k_ * k_ * 32);
  ec_init_tables(k_, k_, inverse.data(), tables.data());
  std::string out(size * k_, '\0');
  std::vector<unsigned char*> targets(k_);
  for (int i = 0; i < k_; ++i) {
    targets[i] = bytes_of(out) + i * size;
  }
  ec_encode_data(static_cast<int>(size), k_, k_, tables.data(), sources.data(), targets.data());
  out.resize(length);
  return out;
}

}  // namespace plexichat::storage::backup
