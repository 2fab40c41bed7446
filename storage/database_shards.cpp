// The backup shards a node holds for its peers, and checkpoints of the database.

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/snapshot.h>
#include <rocksdb/utilities/checkpoint.h>

#include <memory>
#include <vector>

#include "storage/database.hpp"
#include "storage/database_impl.hpp"

namespace plexichat::storage {

namespace {

std::string_view view(const rocksdb::Slice& slice) {
  return {slice.data(), slice.size()};
}

status failed(const rocksdb::Status& s, const std::string& what) {
  return {errc::io_error, what + ": " + s.ToString()};
}

/// Replaces the shards family of the closed database in `dir` by an empty one.
status drop_shards(const std::string& dir) {
  rocksdb::DBOptions options;
  std::vector<std::string> names;
  auto s = rocksdb::DB::ListColumnFamilies(options, dir, &names);
  if (!s.ok()) {
    return failed(s, "checkpoint " + dir);
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (auto& name : names) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions{});
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::Open(options, dir, descriptors, &handles, &raw);
  if (!s.ok()) {
    return failed(s, "checkpoint " + dir);
  }
  std::unique_ptr<rocksdb::DB> db{raw};
  status result;
  for (std::size_t i = 0; i < handles.size(); ++i) {
    if (descriptors[i].name == name_of(column_family::shards)) {
      s = db->DropColumnFamily(handles[i]);
      rocksdb::ColumnFamilyHandle* fresh = nullptr;
      if (s.ok()) {
        s = db->CreateColumnFamily(rocksdb::ColumnFamilyOptions{},
                                   std::string(name_of(column_family::shards)), &fresh);
      }
      if (fresh != nullptr) {
        db->DestroyColumnFamilyHandle(fresh);
      }
      if (!s.ok()) {
        result = failed(s, "checkpoint " + dir);
      }
    }
  }
  for (auto* h : handles) {
    db->DestroyColumnFamilyHandle(h);
  }
  s = db->Close();
  if (!s.ok() && result.ok()) {
    result = failed(s, "checkpoint " + dir);
  }
  return result;
}

}  // namespace

std::optional<std::string> database::get_shard(std::string_view key) const {
  return impl_->get(column_family::shards, key);
}

void database::scan_shards(
    std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view shard)>& visit) const {
  const rocksdb::Snapshot* snapshot = impl_->db->GetSnapshot();
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->db->NewIterator(options, impl_->handle(column_family::shards)));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
         it->Valid() && view(it->key()).substr(0, prefix.size()) == prefix; it->Next()) {
      if (!visit(view(it->key()), view(it->value()))) {
        break;
      }
    }
  }
  impl_->db->ReleaseSnapshot(snapshot);
}

status database::checkpoint_without_shards(const std::string& dir) const {
  rocksdb::Checkpoint* raw = nullptr;
  auto s = rocksdb::Checkpoint::Create(impl_->db.get(), &raw);
  if (!s.ok()) {
    return failed(s, "checkpoint");
  }
  std::unique_ptr<rocksdb::Checkpoint> checkpoint{raw};
  s = checkpoint->CreateCheckpoint(dir);
  if (!s.ok()) {
    return failed(s, "checkpoint " + dir);
  }
  return drop_shards(dir);
}

}  // namespace plexichat::storage
