// The audit log and role reads of database.

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/snapshot.h>

#include <algorithm>

#include "storage/database.hpp"
#include "storage/database_impl.hpp"
#include "storage/keys.hpp"
#include "storage/record_codec.hpp"

namespace plexichat::storage {
namespace {

std::string_view view(const rocksdb::Slice& slice) {
  return {slice.data(), slice.size()};
}

std::unique_ptr<rocksdb::Iterator> iterator(const database::impl& state, column_family family,
                                            const rocksdb::ReadOptions& options = {}) {
  return std::unique_ptr<rocksdb::Iterator>(state.db->NewIterator(options, state.handle(family)));
}

}  // namespace

audit_page database::read_audit(uint64_t after, std::size_t limit) const {
  audit_page page;
  limit = std::max<std::size_t>(limit, 1);
  auto it = iterator(*impl_, column_family::audit);
  for (it->Seek(audit_key(after + 1)); it->Valid(); it->Next()) {
    if (page.records.size() == limit) {
      page.has_more = true;
      break;
    }
    if (auto r = decode_audit(view(it->value()))) {
      page.records.push_back(std::move(*r));
    }
  }
  return page;
}

std::optional<audit_record> database::last_audit() const {
  auto it = iterator(*impl_, column_family::audit);
  it->SeekToLast();
  if (!it->Valid()) {
    return std::nullopt;
  }
  return decode_audit(view(it->value()));
}

std::optional<std::string> database::scan_audit(
    const std::function<void(std::optional<uint64_t>, std::optional<audit_record>)>& visit) const {
  const rocksdb::Snapshot* snapshot = impl_->db->GetSnapshot();
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  {
    auto it = iterator(*impl_, column_family::audit, options);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      visit(split_audit_key(view(it->key())), decode_audit(view(it->value())));
    }
  }
  std::string head;
  auto s = impl_->db->Get(options, impl_->handle(column_family::meta), audit_head_key, &head);
  impl_->db->ReleaseSnapshot(snapshot);
  return s.ok() ? std::optional<std::string>(std::move(head)) : std::nullopt;
}

std::optional<std::string> database::get_role(std::string_view user_id) const {
  return impl_->get(column_family::roles, user_id);
}

std::vector<std::pair<std::string, std::string>> database::roles() const {
  std::vector<std::pair<std::string, std::string>> all;
  auto it = iterator(*impl_, column_family::roles);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    all.emplace_back(view(it->key()), view(it->value()));
  }
  return all;
}

user_page database::list_users(std::string_view after_id, std::size_t limit) const {
  user_page page;
  limit = std::max<std::size_t>(limit, 1);
  auto it = iterator(*impl_, column_family::users);
  if (after_id.empty()) {
    it->SeekToFirst();
  } else {
    // The smallest key greater than after_id.
    it->Seek(std::string(after_id) + '\0');
  }
  for (; it->Valid(); it->Next()) {
    if (page.users.size() == limit) {
      page.has_more = true;
      break;
    }
    if (auto u = decode_user(view(it->value()))) {
      page.users.push_back(std::move(*u));
    }
  }
  return page;
}

}  // namespace plexichat::storage
