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
///
/// The same wrapper lets actors of one kind share one behavior (`bound`): handlers made once,
/// capturing nothing, that find their actor with running<Self>(). Otherwise each actor has
/// its own copy of every handler: a session's came to 0.4 KB, a sixteenth of what an idle
/// session costs.
namespace plexichat::actors {

namespace detail {

/// The actor whose message this thread handles through a counted_behavior; null otherwise.
/// CAF runs one actor's handler at a time on a thread and never another's inside it.
inline thread_local caf::scheduled_actor* running_actor = nullptr;

/// Sets running_actor for one handler.
class running_scope {
 public:
  explicit running_scope(caf::scheduled_actor* self) : outer_(running_actor) {
    running_actor = self;
  }
  ~running_scope() { running_actor = outer_; }
  running_scope(const running_scope&) = delete;
  running_scope& operator=(const running_scope&) = delete;

 private:
  caf::scheduled_actor* outer_;
};

/// A behavior that counts each message (when it has an entry), then hands it to the wrapped
/// behavior with running_actor set.
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
    count();
    running_scope running{self_};
    return inner_->invoke(f, xs);
  }

  caf::match_case::result invoke_empty(caf::detail::invoke_result_visitor& f) override {
    count();
    running_scope running{self_};
    return inner_->invoke_empty(f);
  }

  void handle_timeout() override {
    running_scope running{self_};
    inner_->handle_timeout();
  }

 private:
  /// The messages already taken into the actor's queue behind the current one. Only a read:
  /// mailbox().size() would first move newly arrived messages into the queue, which must not
  /// happen while the scheduler is iterating it (CAF 0.17). Messages that arrived since the
  /// actor last fetched are counted from its next round on.
  std::size_t depth() const { return self_->mailbox().queue().total_task_size(); }

  void count() {
    if (entry_) {
      entry_->on_message(depth());
    }
  }

  pointer inner_;
  caf::scheduled_actor* self_;
  std::shared_ptr<runtime::actor_entry> entry_;
};

}  // namespace detail

/// Registers `self` as an actor of `kind` (named `name`: a channel or session id, or empty),
/// and leaves its removal to the caller (runtime::actor_table::remove with the entry's id):
/// for an actor whose state's destructor removes it, as a session's does, instead of an
/// attached functor, a heap object per actor. Returns its entry (null when the node keeps no
/// table, as in unit tests).
template <class Self>
std::shared_ptr<runtime::actor_entry> table_entry(Self* self, node_context* ctx, const char* kind,
                                                  std::string name = {}) {
  if (ctx == nullptr || ctx->actor_table == nullptr) {
    return nullptr;
  }
  return ctx->actor_table->add(kind, std::move(name), self->id(), runtime::now_ms(),
                               self->address());
}

/// Registers `self` as an actor of `kind` (named `name`: a channel or session id, or empty)
/// until it stops. Returns its entry (null when the node keeps no table, as in unit tests).
template <class Self>
std::shared_ptr<runtime::actor_entry> probe_actor(Self* self, node_context* ctx, const char* kind,
                                                  std::string name = {}) {
  auto entry = table_entry(self, ctx, kind, std::move(name));
  if (entry) {
    self->attach_functor([table = ctx->actor_table, id = self->id()] { table->remove(id); });
  }
  return entry;
}

/// `handlers`, made once and shared by every actor of a kind, for `self`: while one of them
/// runs, running<Self>() is `self`. Counts each message into `entry` (none when null).
inline caf::behavior bound(caf::scheduled_actor* self, std::shared_ptr<runtime::actor_entry> entry,
                           const caf::behavior& handlers) {
  caf::detail::behavior_impl::pointer impl = caf::make_counted<detail::counted_behavior>(
      handlers.as_behavior_impl(), self, std::move(entry));
  return caf::behavior(std::move(impl));
}

/// `bhvr`, counting each message into `entry` (unchanged when entry is null).
inline caf::behavior counted(caf::scheduled_actor* self,
                             const std::shared_ptr<runtime::actor_entry>& entry,
                             caf::behavior bhvr) {
  if (!entry || !bhvr) {
    return bhvr;
  }
  return bound(self, entry, bhvr);
}

/// In a handler of a shared behavior (see `bound`): the actor it runs for.
template <class Self>
Self* running() {
  return static_cast<Self*>(detail::running_actor);
}

/// probe_actor + counted in one step, for an actor with one behavior.
template <class Self>
caf::behavior probed(Self* self, node_context* ctx, const char* kind, caf::behavior bhvr,
                     std::string name = {}) {
  return counted(self, probe_actor(self, ctx, kind, std::move(name)), std::move(bhvr));
}

}  // namespace plexichat::actors
