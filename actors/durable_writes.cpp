#include "actors/durable_writes.hpp"

#include <caf/send.hpp>

#include "actors/atoms.hpp"

namespace plexichat::actors {

void durable_writes::submit(const caf::actor& self, storage::group_commit& writer,
                            storage::write_batch batch, continuation done) {
  auto id = next_id_++;
  pending_.emplace(id, std::move(done));
  writer.submit(std::move(batch), [self, id](const storage::status& st) {
    caf::anon_send(self, committed_atom::value, id, st.ok());
  });
}

void durable_writes::on_committed(uint64_t id, bool ok) {
  auto i = pending_.find(id);
  if (i == pending_.end()) {
    return;
  }
  auto done = std::move(i->second);
  pending_.erase(i);
  done(ok);
}

void durable_writes::fail_all() {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, done] : pending) {
    done(false);
  }
}

}  // namespace plexichat::actors
