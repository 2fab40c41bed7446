#pragma once

#include <utility>

#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include "actors/api_error.hpp"
#include "actors/atoms.hpp"
#include "actors/blocking_pool.hpp"

namespace plexichat::actors {

namespace detail {

/// Sends `work` to the blocking pool; the caller chooses then() or await() on the answer.
template <class Self, class Work>
auto request_blocking(Self* self, const caf::actor& pool, Work work) {
  blocking_job job = [w = std::move(work)]() mutable { return caf::make_message(w()); };
  return self->request(pool, caf::infinite, run_atom::value, std::move(job));
}

}  // namespace detail

/// Runs `work()` (which may block) on the node's blocking pool and then `on_done(result)` in
/// the calling actor; `on_error(api_error)` if the pool could not run it (the node stopping).
/// The actor goes on handling other messages meanwhile.
template <class Self, class Work, class OnDone, class OnError>
void run_blocking(Self* self, const caf::actor& pool, Work work, OnDone on_done, OnError on_error) {
  using result_type = decltype(work());
  detail::request_blocking(self, pool, std::move(work))
      .then([d = std::move(on_done)](result_type& x) mutable { d(std::move(x)); },
            [e = std::move(on_error)](caf::error& err) mutable { e(to_api_error(err)); });
}

/// As run_blocking, but the actor handles nothing else until `on_done` or `on_error` has run
/// (CAF's await): for the rare step that must not be overtaken. The thread is not blocked.
template <class Self, class Work, class OnDone, class OnError>
void run_blocking_in_order(Self* self, const caf::actor& pool, Work work, OnDone on_done,
                           OnError on_error) {
  using result_type = decltype(work());
  detail::request_blocking(self, pool, std::move(work))
      .await([d = std::move(on_done)](result_type& x) mutable { d(std::move(x)); },
             [e = std::move(on_error)](caf::error& err) mutable { e(to_api_error(err)); });
}

}  // namespace plexichat::actors
