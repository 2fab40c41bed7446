#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/after.hpp>
#include <caf/exit_reason.hpp>
#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/api_error.hpp"
#include "actors/atoms.hpp"
#include "actors/blocking_pool.hpp"
#include "actors/channel/channel.hpp"
#include "actors/directory/directory.hpp"
#include "actors/message_types.hpp"
#include "actors/node_context.hpp"
#include "runtime/actor_system_config.hpp"
#include "tests/unit/storage/temp_dir.hpp"

namespace plexichat::actors::testing {

/// How long a test waits for any one answer before it fails (never a sleep).
inline constexpr std::chrono::seconds kDeadline{30};

/// The code of an api error an actor answered with; `internal` (and a test failure) if the
/// call succeeded.
template <class T>
api_errc error_code(const caf::expected<T>& x) {
  EXPECT_FALSE(x.engaged()) << "expected an error, the call succeeded";
  return x ? api_errc::internal : to_api_error(x.error()).code;
}

/// Sends a request from `self` and waits (at most kDeadline) for an answer of type T.
template <class T, class... Ts>
caf::expected<T> call(caf::scoped_actor& self, const caf::actor& dest, Ts&&... xs) {
  caf::expected<T> result{caf::make_error(caf::sec::request_timeout)};
  self->request(dest, kDeadline, std::forward<Ts>(xs)...)
      .receive([&](T& x) { result = std::move(x); },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

/// One node's actors, wired as node_context.hpp says, over a real database in a temporary
/// directory. The test thread drives them with scoped actors. Destruction stops every actor,
/// then the writer, then the actor system.
class test_node {
 public:
  explicit test_node(std::chrono::milliseconds idle_stop = std::chrono::minutes{5})
      : actor_config_(2) {
    auto opened = storage::database::open({dir_.sub("db")});
    if (!opened.ok()) {
      throw std::runtime_error("cannot open the database: " + opened.error().message);
    }
    db_ = std::move(opened).value();
    writer_ = std::make_unique<storage::group_commit>(*db_);
    config_.name = "test-node";
    config_.channels.idle_stop = idle_stop;
    sys_ = std::make_unique<caf::actor_system>(actor_config_);
    ctx_.config = &config_;
    ctx_.db = db_.get();
    ctx_.writer = writer_.get();
    ctx_.signer = &signer_;
    ctx_.revocations = &revocations_;
    ctx_.metrics = &metrics_;
    ctx_.password_cost = runtime::pwhash_cost::min;
    ctx_.blocking = spawn_blocking_pool(*sys_, 2);
    ctx_.directory = directory::spawn_directory(*sys_, &ctx_);
    ctx_.channels = channel::spawn_channel_registry(*sys_, &ctx_);
  }

  test_node(const test_node&) = delete;
  test_node& operator=(const test_node&) = delete;

  ~test_node() { shutdown(); }

  /// Stops the actors (every channel actor a lookup returned, the registry, the directory,
  /// the blocking pool), waits for them, then stops the writer. Idempotent.
  void shutdown() {
    if (stopped_) {
      return;
    }
    stopped_ = true;
    for (auto& a : extra_actors()) {
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    }
    for (auto* a : {&ctx_.channels, &ctx_.directory, &ctx_.blocking}) {
      caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
    }
    sys_->await_all_actors_done();
    writer_->stop();
  }

  caf::actor_system& sys() { return *sys_; }
  node_context& ctx() { return ctx_; }
  storage::database& db() { return *db_; }
  storage::group_commit& writer() { return *writer_; }
  runtime::node_metrics& metrics() { return metrics_; }
  runtime::revocation_list& revocations() { return revocations_; }
  const runtime::token_signer& signer() const { return signer_; }
  const config::node_config& config() const { return config_; }

  /// Remembers an actor the test spawned so that shutdown() stops it.
  void stop_at_shutdown(caf::actor actor) {
    std::lock_guard lock{mutex_};
    extra_actors_.push_back(std::move(actor));
  }

  /// The channel's actor, through the registry; remembered so that shutdown() stops it.
  caf::expected<caf::actor> lookup(caf::scoped_actor& self, const std::string& channel_id) {
    auto ch = call<caf::actor>(self, ctx_.channels, lookup_atom::value, channel_id);
    if (ch) {
      std::lock_guard lock{mutex_};
      extra_actors_.push_back(*ch);
    }
    return ch;
  }

  /// Looks the channel up and sends it `xs`; a channel actor that stopped in between (idle
  /// stop) is looked up again once, as channel::call_channel does.
  template <class T, class... Ts>
  caf::expected<T> on_channel(caf::scoped_actor& self, const std::string& channel_id,
                              const Ts&... xs) {
    caf::expected<T> result{caf::make_error(caf::sec::request_receiver_down)};
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto ch = lookup(self, channel_id);
      if (!ch) {
        return std::move(ch.error());
      }
      result = call<T>(self, *ch, xs...);
      if (result || !(result.error() == caf::sec::request_receiver_down)) {
        break;
      }
    }
    return result;
  }

  caf::expected<channel_view> create_channel(caf::scoped_actor& self, const std::string& owner,
                                             const std::string& name, bool is_private = false) {
    return call<channel_view>(self, ctx_.channels, create_atom::value, owner, name,
                              std::string{"topic of " + name}, is_private);
  }

  caf::expected<storage::message_record> post(caf::scoped_actor& self,
                                              const std::string& channel_id,
                                              const std::string& author_id,
                                              const std::string& content,
                                              const std::string& nonce = {}) {
    post_request req{author_id, author_id + "-name", content, nonce};
    return on_channel<storage::message_record>(self, channel_id, post_atom::value, req);
  }

  caf::expected<storage::message_page> history(caf::scoped_actor& self,
                                               const std::string& channel_id,
                                               const std::string& user_id, history_query q) {
    return on_channel<storage::message_page>(self, channel_id, history_atom::value, user_id, q);
  }

 private:
  std::vector<caf::actor> extra_actors() {
    std::lock_guard lock{mutex_};
    return extra_actors_;
  }

  storage::testing::temp_dir dir_;
  std::unique_ptr<storage::database> db_;
  std::unique_ptr<storage::group_commit> writer_;
  config::node_config config_;
  runtime::node_metrics metrics_;
  runtime::revocation_list revocations_;
  runtime::token_signer signer_{runtime::generate_signing_key()};
  runtime::node_actor_config actor_config_;
  std::unique_ptr<caf::actor_system> sys_;
  node_context ctx_;
  bool stopped_ = false;
  std::mutex mutex_;
  std::vector<caf::actor> extra_actors_;  // guarded by mutex_: channel actors and others
};

}  // namespace plexichat::actors::testing
