#include "actors/backup/caf_holder_link.hpp"

#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"

namespace plexichat::actors::backup {

caf::actor caf_holder_link::holder(const std::string& node) const {
  if (view_ == nullptr) {
    return {};
  }
  auto v = view_->get();
  return v ? v->service(node, "shards", {}) : caf::actor{};
}

bool caf_holder_link::put(const std::string& node, const std::string& owner,
                          const std::string& shard) {
  auto h = holder(node);
  if (!h) {
    return false;
  }
  bool ok = false;
  self_->request(h, timeout_, put_atom::value, owner, shard)
      .receive([&](bool stored) { ok = stored; },
               [&](caf::error& e) {
                 spdlog::warn("backup: node {} did not store a shard: {}", node,
                              self_->system().render(e));
               });
  return ok;
}

std::vector<std::string> caf_holder_link::get(const std::string& node, const std::string& owner,
                                              const std::string& backup_id,
                                              const std::string& name) {
  std::vector<std::string> out;
  auto h = holder(node);
  if (!h) {
    return out;
  }
  self_->request(h, timeout_, get_atom::value, owner, backup_id, name)
      .receive([&](std::vector<std::string>& shards) { out = std::move(shards); },
               [](caf::error&) {});
  return out;
}

std::optional<std::vector<held_shard>> caf_holder_link::list(const std::string& node,
                                                             const std::string& owner) {
  std::optional<std::vector<held_shard>> out;
  auto h = holder(node);
  if (!h) {
    return out;
  }
  self_->request(h, timeout_, list_atom::value, owner)
      .receive([&](std::vector<held_shard>& held) { out = std::move(held); }, [](caf::error&) {});
  return out;
}

bool caf_holder_link::remove(const std::string& node, const std::string& owner,
                             const std::string& backup_id) {
  auto h = holder(node);
  if (!h) {
    return false;
  }
  bool ok = false;
  self_->request(h, timeout_, delete_atom::value, owner, backup_id)
      .receive([&](uint64_t) { ok = true; }, [](caf::error&) {});
  return ok;
}

std::optional<uint64_t> caf_holder_link::remove_item(const std::string& node,
                                                     const std::string& owner,
                                                     const std::string& backup_id,
                                                     const std::string& name) {
  std::optional<uint64_t> deleted;
  auto h = holder(node);
  if (!h) {
    return deleted;
  }
  self_->request(h, timeout_, delete_atom::value, owner, backup_id, name)
      .receive([&](uint64_t n) { deleted = n; }, [](caf::error&) {});
  return deleted;
}

std::vector<bool> caf_holder_link::put_all(const std::string& owner,
                                           const std::vector<placed_shard>& batch) {
  using put_handle =
      decltype(self_->request(caf::actor{}, timeout_, put_atom::value, owner, std::string{}));
  std::vector<bool> stored(batch.size(), false);
  std::vector<std::optional<put_handle>> pending;
  pending.reserve(batch.size());
  for (const auto& p : batch) {
    auto h = holder(p.node);
    if (h) {
      pending.emplace_back(self_->request(h, timeout_, put_atom::value, owner, *p.shard));
    } else {
      pending.emplace_back(std::nullopt);
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!pending[i]) {
      continue;
    }
    pending[i]->receive([&](bool ok) { stored[i] = ok; },
                        [&](caf::error& e) {
                          spdlog::warn("backup: node {} did not store a shard: {}", batch[i].node,
                                       self_->system().render(e));
                        });
  }
  return stored;
}

}  // namespace plexichat::actors::backup
