#pragma once

// Internal to storage/: the state behind database. Declares RocksDB types without including
// RocksDB, so only storage/*.cpp files see RocksDB headers.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/column_family.hpp"
#include "storage/database.hpp"

namespace rocksdb {
class Cache;
}  // namespace rocksdb

namespace plexichat::storage {

struct database::impl {
  impl() = default;
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
  /// Destroys the column family handles and closes the database (database.cpp).
  ~impl();

  rocksdb::ColumnFamilyHandle* handle(column_family family) const {
    return families[static_cast<std::size_t>(family)];
  }

  /// The value at `key`; nullopt when absent or unreadable (database_reads.cpp).
  std::optional<std::string> get(column_family family, std::string_view key) const;

  std::string path;
  std::shared_ptr<rocksdb::Cache> block_cache;
  std::unique_ptr<rocksdb::DB> db;
  /// Every open handle, ours and any unknown family a newer build created.
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::array<rocksdb::ColumnFamilyHandle*, column_family_count> families{};
  uint32_t schema = 0;
  std::atomic<uint64_t> syncs{0};
};

}  // namespace plexichat::storage
