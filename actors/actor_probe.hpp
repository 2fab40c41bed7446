#pragma once

#include <memory>
#include <string>
#include <utility>

#include <caf/behavior.hpp>
#include <caf/detail/behavior_impl.hpp>
#include <caf/scheduled_actor.hpp>

#include "actors/node_context.hpp"
#include "runtime/actor_table.hpp"
#include "runtime/clock.hpp"

/// Light instrumentation of the node's long-lived actors: an actor registers in the node's
/// actor table (node_context::actor_table) when it starts and leaves it when it stops, and
/// its behavior is wrapped so that each message it handles bumps its counter and records the
/// depth of its own mailbox (read by the actor itself on its own thread, without changing the
/// mailbox; relaxed atomics).
namespace plexichat::actors {

namespace detail {

/// A behavior that counts each message, then hands it to the wrapped behavior.
class counted_behavior final : public caf::detail::behavior_impl {
 public:
  counted_behavior(pointer inner, caf::scheduled_actor* self,
                   std::shared_ptr<runtime::actor_entry> entry)
      : behavior_impl(inner->timeout()),
        inner_(std::move(inner)),
        self_(self),
        entry_(std::move(entry)) {
    begin_ = nullptr;
    end_ = nullptr;
  }

  caf::match_case::result invoke(caf::detail::invoke_result_visitor& f,
                                 caf::type_erased_tuple& xs) override {
    entry_->on_message(depth());
    return inner_->invoke(f, xs);
  }

  caf::match_case::result invoke_empty(caf::detail::invoke_result_visitor& f) override {
    entry_->on_message(depth());
    return inner_->invoke_empty(f);
  }

  void handle_timeout() override { inner_->handle_timeout(); }

 private:
  /// The messages already taken into the actor's queue behind the current one. Only a read:
  /// mailbox().size() would first move newly arrived messages into the queue, which must not
  /// happen while the scheduler is iterating it (CAF 0.17). Messages that arrived since the
  /// actor last fetched are counted from its next round on.
  std::size_t depth() const { return self_->mailbox().queue().total_task_size(); }

  pointer inner_;
  caf::scheduled_actor* self_;
  std::shared_ptr<runtime::actor_entry> entry_;
};

}  // namespace detail

/// Registers `self` as an actor of `kind` (named `name`: a channel or session id, or empty)
/// until it stops. Returns its entry (null when the node keeps no table, as in unit tests).
template <class Self>
std::shared_ptr<runtime::actor_entry> probe_actor(Self* self, node_context* ctx, std::string kind,
                                                  std::string name = {}) {
  if (ctx == nullptr || ctx->actor_table == nullptr) {
    return nullptr;
  }
  auto* table = ctx->actor_table;
  auto id = self->id();
  auto entry = table->add(std::move(kind), std::move(name), id, runtime::now_ms());
  self->attach_functor([table, id] { table->remove(id); });
  return entry;
}

/// `bhvr`, counting each message into `entry` (unchanged when entry is null).
inline caf::behavior counted(caf::scheduled_actor* self,
                             const std::shared_ptr<runtime::actor_entry>& entry,
                             caf::behavior bhvr) {
  if (!entry || !bhvr) {
    return bhvr;
  }
  caf::detail::behavior_impl::pointer impl =
      caf::make_counted<detail::counted_behavior>(bhvr.as_behavior_impl(), self, entry);
  return caf::behavior(std::move(impl));
}

/// probe_actor + counted in one step, for an actor with one behavior.
template <class Self>
caf::behavior probed(Self* self, node_context* ctx, std::string kind, caf::behavior bhvr,
                     std::string name = {}) {
  return counted(self, probe_actor(self, ctx, std::move(kind), std::move(name)), std::move(bhvr));
}

}  // namespace plexichat::actors
