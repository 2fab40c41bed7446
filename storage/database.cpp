#include "storage/database.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <charconv>

#include "storage/database_impl.hpp"
#include "storage/record_codec.hpp"

namespace plexichat::storage {
namespace {

bool is_lock_error(const rocksdb::Status& s) {
  // RocksDB reports a held LOCK file as an IOError whose text is all it gives: "lock hold by
  // current process" for a second open in this process, "While lock file" for another one.
  const std::string text = s.ToString();
  return s.IsIOError() && (text.find("lock hold by current process") != std::string::npos ||
                           text.find("While lock file") != std::string::npos);
}

status to_status(const rocksdb::Status& s, std::string_view path) {
  std::string text = s.ToString();
  if (is_lock_error(s)) {
    return {errc::locked, "data directory " + std::string(path) +
                              " is locked: another PlexiChat process (or another open in "
                              "this one) is using it (" +
                              text + ")"};
  }
  if (s.IsCorruption()) {
    return {errc::corruption, "database " + std::string(path) + " is corrupt: " + text};
  }
  if (s.IsInvalidArgument()) {
    return {errc::invalid_argument, "cannot open database " + std::string(path) + ": " + text};
  }
  return {errc::io_error, "database " + std::string(path) + ": " + text};
}

/// A key's channel: what comes before its first separator (keys.hpp). Messages and nonces
/// are keyed by channel first; RocksDB keeps an insert position per channel in the memtable,
/// so that a channel's next message, whose key follows its last one, goes in without a
/// search of the whole memtable.
class channel_of_key final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "plexichat.channel_of_key"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    auto view = key.ToStringView();
    return {key.data(), view.find('\0')};
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.ToStringView().find('\0') != std::string_view::npos;
  }
};

/// Drops nonces past their TTL when compaction rewrites them: they answer nothing any more.
/// One filter serves one compaction, so the cut-off is taken once, when it starts.
class expired_nonces final : public rocksdb::CompactionFilter {
 public:
  explicit expired_nonces(std::chrono::milliseconds ttl)
      : oldest_kept_(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count() -
                     ttl.count()) {}
  const char* Name() const override { return "plexichat.expired_nonces"; }
  bool Filter(int /*level*/, const rocksdb::Slice& /*key*/, const rocksdb::Slice& value,
              std::string* /*new_value*/, bool* /*value_changed*/) const override {
    auto record = decode_nonce(value.ToStringView());
    if (!record) {
      return false;  // not ours to judge: keep it
    }
    return record->created_at < oldest_kept_;
  }

 private:
  int64_t oldest_kept_;  ///< ms since the epoch
};

class expired_nonces_factory final : public rocksdb::CompactionFilterFactory {
 public:
  explicit expired_nonces_factory(std::chrono::milliseconds ttl) : ttl_(ttl) {}
  const char* Name() const override { return "plexichat.expired_nonces"; }
  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& /*context*/) override {
    return std::make_unique<expired_nonces>(ttl_);
  }

 private:
  std::chrono::milliseconds ttl_;
};

rocksdb::ColumnFamilyOptions family_options(const database_options& db_options,
                                            const std::shared_ptr<rocksdb::Cache>& cache,
                                            std::string_view name) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  rocksdb::ColumnFamilyOptions options;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (name == name_of(column_family::messages) || name == name_of(column_family::nonces)) {
    options.memtable_insert_with_hint_prefix_extractor = std::make_shared<channel_of_key>();
  }
  if (name == name_of(column_family::nonces)) {
    // Every send looks its nonce up (peek_nonce) and almost never finds it: bloom filters in
    // the memtable and in each table answer "absent" from memory.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    options.memtable_prefix_bloom_size_ratio = 0.02;
    options.memtable_whole_key_filtering = true;
    if (db_options.nonce_ttl.count() > 0) {
      options.compaction_filter_factory =
          std::make_shared<expired_nonces_factory>(db_options.nonce_ttl);
    }
  }
  return options;
}

// Our families plus whatever the directory already holds: RocksDB refuses an open that leaves
// a family out, and a newer build may have added some we must open to read its schema.
std::vector<std::string> families_to_open(const rocksdb::DBOptions& options,
                                          const std::string& path) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(options, path, &names).ok()) {
    names.clear();
  }
  auto add = [&names](std::string_view name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      names.emplace_back(name);
    }
  };
  add(rocksdb::kDefaultColumnFamilyName);
  for (auto name : column_family_names) {
    add(name);
  }
  return names;
}

status open_rocksdb(const database_options& options, database::impl& state) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  state.path = options.path;
  state.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (auto& name : families_to_open(db_options, options.path)) {
    descriptors.emplace_back(name, family_options(options, state.block_cache, name));
  }
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(db_options, options.path, descriptors, &state.handles, &raw);
  if (!s.ok()) {
    return to_status(s, options.path);
  }
  state.db.reset(raw);
  for (std::size_t i = 0; i < descriptors.size(); ++i) {
    auto known =
        std::find(column_family_names.begin(), column_family_names.end(), descriptors[i].name);
    if (known != column_family_names.end()) {
      state.families[known - column_family_names.begin()] = state.handles[i];
    }
  }
  return {};
}

status write_schema_version(database::impl& state, uint32_t version) {
  rocksdb::WriteOptions options;
  options.sync = true;
  auto s = state.db->Put(options, state.handle(column_family::meta),
                         std::string(schema_version_key), std::to_string(version));
  if (!s.ok()) {
    return to_status(s, state.path);
  }
  state.schema = version;
  return {};
}

// Upgrades the data from schema `from` to `from + 1`. No older schema exists yet; each future
// schema adds a case here that rewrites what changed, in one atomic write.
status migrate_step(database::impl& state, uint32_t from) {
  switch (from) {
    default:
      return {errc::corruption, "data directory " + state.path + " has schema " +
                                    std::to_string(from) + ", which no PlexiChat release wrote"};
  }
}

status migrate(database::impl& state, uint32_t from) {
  for (uint32_t version = from; version < current_schema_version; ++version) {
    if (auto st = migrate_step(state, version); !st.ok()) {
      return st;
    }
  }
  return write_schema_version(state, current_schema_version);
}

status check_schema(database::impl& state) {
  auto stored = state.get(column_family::meta, schema_version_key);
  if (!stored) {
    return write_schema_version(state, current_schema_version);
  }
  uint32_t version = 0;
  auto [end, ec] = std::from_chars(stored->data(), stored->data() + stored->size(), version);
  if (ec != std::errc{} || end != stored->data() + stored->size() || stored->empty()) {
    return {errc::corruption, "data directory " + state.path +
                                  " has an unreadable schema version: \"" + *stored + "\""};
  }
  if (version > current_schema_version) {
    return {errc::newer_schema, "data directory was written by a newer PlexiChat (schema " +
                                    std::to_string(version) + ", this build reads up to " +
                                    std::to_string(current_schema_version) + "): " + state.path};
  }
  if (version < current_schema_version) {
    return migrate(state, version);
  }
  state.schema = version;
  return {};
}

}  // namespace

database::impl::~impl() {
  if (db) {
    for (auto* handle : handles) {
      db->DestroyColumnFamilyHandle(handle);
    }
    db->Close().PermitUncheckedError();
  }
}

database::database(std::unique_ptr<impl> state) : impl_(std::move(state)) {}

database::~database() = default;

result<std::unique_ptr<database>> database::open(const database_options& options) {
  if (options.path.empty()) {
    return status{errc::invalid_argument, "database path is empty"};
  }
  auto state = std::make_unique<impl>();
  if (auto st = open_rocksdb(options, *state); !st.ok()) {
    return st;
  }
  if (auto st = check_schema(*state); !st.ok()) {
    return st;
  }
  return std::unique_ptr<database>(new database(std::move(state)));
}

status database::write(write_batch& batch, bool sync) {
  return write(std::vector<write_batch*>{&batch}, sync);
}

status database::write(std::vector<write_batch*> const& batches, bool sync) {
  rocksdb::WriteBatch combined;
  for (const auto* batch : batches) {
    if (batch == nullptr) {
      continue;
    }
    for (const auto& op : batch->ops_) {
      auto* family = impl_->handle(op.family);
      auto s = op.kind == write_batch::op_kind::put ? combined.Put(family, op.key, op.value)
                                                    : combined.Delete(family, op.key);
      if (!s.ok()) {
        return to_status(s, impl_->path);
      }
    }
  }
  rocksdb::WriteOptions options;
  options.sync = sync;
  auto s = impl_->db->Write(options, &combined);
  if (!s.ok()) {
    return to_status(s, impl_->path);
  }
  if (sync) {
    impl_->syncs.fetch_add(1, std::memory_order_relaxed);
  }
  return {};
}

status database::compact() {
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* family : impl_->handles) {
    auto s = impl_->db->CompactRange(options, family, nullptr, nullptr);
    if (!s.ok()) {
      return to_status(s, impl_->path);
    }
  }
  return {};
}

uint64_t database::sync_count() const {
  return impl_->syncs.load(std::memory_order_relaxed);
}

uint32_t database::schema_version() const {
  return impl_->schema;
}

}  // namespace plexichat::storage
