#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/channel/channel_rules.hpp"
#include "actors/wire.hpp"
#include "tests/unit/actors/test_node.hpp"

// The channel registry and channel actors on a real actor system and database (channel.hpp).
namespace plexichat::actors::testing {
namespace {

using namespace std::chrono_literals;

const std::string kOwner = "u-owner";

std::vector<uint64_t> seqs_of(const storage::message_page& page) {
  std::vector<uint64_t> out;
  for (const auto& m : page.messages) {
    out.push_back(m.seq);
  }
  return out;
}

std::vector<uint64_t> range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out;
  for (auto s = first; s <= last; ++s) {
    out.push_back(s);
  }
  return out;
}

class ChannelActorsTest : public ::testing::Test {
 protected:
  std::string create(const std::string& name, bool is_private = false) {
    auto view = node_.create_channel(self_, kOwner, name, is_private);
    EXPECT_TRUE(view) << to_string(view.error());
    return view ? view->record.id : std::string{};
  }

  void join(const std::string& cid, const std::string& user) {
    auto joined = node_.on_channel<bool>(self_, cid, join_atom::value, user);
    ASSERT_TRUE(joined) << to_string(joined.error());
    EXPECT_TRUE(*joined);
  }

  uint64_t post_ok(const std::string& cid, const std::string& user, const std::string& text) {
    auto m = node_.post(self_, cid, user, text);
    EXPECT_TRUE(m) << to_string(m.error());
    return m ? m->seq : 0;
  }

  test_node node_;
  caf::scoped_actor self_{node_.sys()};
};

TEST_F(ChannelActorsTest, CreateMakesTheOwnerAMember) {
  auto view = node_.create_channel(self_, kOwner, "general");
  ASSERT_TRUE(view) << to_string(view.error());
  EXPECT_EQ(view->record.owner_id, kOwner);
  EXPECT_EQ(view->record.name, "general");
  EXPECT_EQ(view->record.topic, "topic of general");
  EXPECT_FALSE(view->record.is_private);
  EXPECT_FALSE(view->record.id.empty());
  EXPECT_EQ(view->last_seq, 0u);
  EXPECT_EQ(node_.db().get_channel(view->record.id), view->record);
  EXPECT_TRUE(node_.db().is_member(view->record.id, kOwner));
  EXPECT_EQ(post_ok(view->record.id, kOwner, "hello"), 1u);
  auto info = node_.on_channel<channel_view>(self_, view->record.id, info_atom::value, kOwner);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->last_seq, 1u);
}

TEST_F(ChannelActorsTest, LookupOfUnknownChannelIsNotFound) {
  EXPECT_EQ(error_code(node_.lookup(self_, "c-missing")), api_errc::not_found);
}

TEST_F(ChannelActorsTest, NonMemberCannotPostOrRead) {
  auto cid = create("general");
  EXPECT_EQ(error_code(node_.post(self_, cid, "stranger", "hi")), api_errc::forbidden);
  EXPECT_EQ(error_code(node_.history(self_, cid, "stranger", {})), api_errc::forbidden);
  EXPECT_TRUE(node_.on_channel<channel_view>(self_, cid, info_atom::value, std::string{"x"}))
      << "a public channel is visible to everyone";
  EXPECT_EQ(node_.db().last_seq(cid), 0u) << "nothing was stored";
}

TEST_F(ChannelActorsTest, ConcurrentPostsGetEverySeqOnce) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  auto cid = create("busy");
  std::vector<std::vector<caf::expected<storage::message_record>>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    join(cid, "u" + std::to_string(t));
  }
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      caf::scoped_actor poster{node_.sys()};
      for (int i = 0; i < kPerThread; ++i) {
        auto user = "u" + std::to_string(t);
        results[t].push_back(node_.post(poster, cid, user, user + "/" + std::to_string(i)));
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  std::vector<storage::message_record> all;
  for (auto& per_thread : results) {
    uint64_t previous = 0;
    for (auto& r : per_thread) {
      ASSERT_TRUE(r) << to_string(r.error());
      EXPECT_GT(r->seq, previous) << "one poster's messages keep their order";
      previous = r->seq;
      all.push_back(*r);
    }
  }
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.seq < b.seq; });
  ASSERT_EQ(all.size(), 200u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i].seq, i + 1) << "a gap or a duplicate";
  }
  EXPECT_EQ(node_.db().last_seq(cid), 200u);

  for (uint64_t after = 0; after < 200; after += 50) {
    auto page = node_.history(self_, cid, kOwner, {after, std::nullopt, 50});
    ASSERT_TRUE(page) << to_string(page.error());
    ASSERT_EQ(page->messages.size(), 50u);
    EXPECT_TRUE(std::equal(page->messages.begin(), page->messages.end(), all.begin() + after));
    EXPECT_EQ(page->has_more, after + 50 < 200);
  }
  auto newest = node_.history(self_, cid, kOwner, {std::nullopt, std::nullopt, 10});
  ASSERT_TRUE(newest);
  EXPECT_EQ(seqs_of(*newest), range(191, 200));
  EXPECT_TRUE(newest->has_more);
  auto before = node_.history(self_, cid, kOwner, {std::nullopt, 11, 5});
  ASSERT_TRUE(before);
  EXPECT_EQ(seqs_of(*before), range(6, 10));
}

TEST_F(ChannelActorsTest, SameNonceReturnsTheFirstMessage) {
  auto cid = create("idem");
  join(cid, "bob");
  auto first = node_.post(self_, cid, "bob", "first", "n1");
  ASSERT_TRUE(first) << to_string(first.error());
  auto again = node_.post(self_, cid, "bob", "second", "n1");
  ASSERT_TRUE(again) << to_string(again.error());
  EXPECT_EQ(*again, *first) << "same id, same seq, same content";
  auto other_author = node_.post(self_, cid, kOwner, "mine", "n1");
  ASSERT_TRUE(other_author);
  EXPECT_EQ(other_author->seq, 2u) << "nonces are per author";
  auto other_nonce = node_.post(self_, cid, "bob", "third", "n2");
  ASSERT_TRUE(other_nonce);
  EXPECT_EQ(other_nonce->seq, 3u);
  auto page = node_.history(self_, cid, "bob", {0, std::nullopt, 50});
  ASSERT_TRUE(page);
  EXPECT_EQ(seqs_of(*page), range(1, 3));
  EXPECT_EQ(page->messages[0].content, "first");
  EXPECT_EQ(node_.metrics().messages_deduplicated.Value(), 1.0);
}

TEST_F(ChannelActorsTest, SameNonceWhileTheFirstIsInFlight) {
  auto cid = create("race");
  auto ch = node_.lookup(self_, cid);
  ASSERT_TRUE(ch);
  post_request req{kOwner, "owner", "once", "n-race"};
  auto h1 = self_->request(*ch, kDeadline, post_atom::value, req);
  auto h2 = self_->request(*ch, kDeadline, post_atom::value, req);
  std::vector<caf::expected<storage::message_record>> got;
  for (auto* h : {&h1, &h2}) {
    got.emplace_back(caf::make_error(caf::sec::request_timeout));
    h->receive([&](storage::message_record& m) { got.back() = std::move(m); },
               [&](caf::error& err) { got.back() = std::move(err); });
  }
  ASSERT_TRUE(got[0]) << to_string(got[0].error());
  ASSERT_TRUE(got[1]) << to_string(got[1].error());
  EXPECT_EQ(*got[0], *got[1]);
  EXPECT_EQ(got[0]->seq, 1u);
  EXPECT_EQ(node_.db().last_seq(cid), 1u);
}

TEST_F(ChannelActorsTest, SubscriberGetsEveryPostInSeqOrder) {
  auto cid = create("live");
  join(cid, "bob");
  post_ok(cid, kOwner, "before-1");
  post_ok(cid, kOwner, "before-2");
  caf::scoped_actor session{node_.sys()};
  auto session_handle = caf::actor_cast<caf::actor>(session.ptr());
  auto last = node_.on_channel<uint64_t>(session, cid, subscribe_atom::value, std::string{"bob"},
                                         session_handle);
  ASSERT_TRUE(last) << to_string(last.error());
  EXPECT_EQ(*last, 2u);
  for (int i = 0; i < 10; ++i) {
    post_ok(cid, i % 2 == 0 ? kOwner : "bob", "live-" + std::to_string(i));
  }
  // The channel sends the messages committed together as one batch.
  std::vector<std::pair<uint64_t, wire::frame>> got;
  while (got.size() < 10) {
    bool timed_out = false;
    session->receive(
        [&](deliver_atom, const wire::delivery_ptr& batch) {
          ASSERT_NE(batch, nullptr);
          EXPECT_EQ(batch->channel_id, cid);
          EXPECT_FALSE(batch->frames.empty());
          got.insert(got.end(), batch->frames.begin(), batch->frames.end());
        },
        caf::after(kDeadline) >> [&] { timed_out = true; });
    ASSERT_FALSE(timed_out) << "no delivery after seq " << (got.empty() ? 2 : got.back().first);
  }
  ASSERT_EQ(got.size(), 10u);
  for (uint64_t expected = 3; expected <= 12; ++expected) {
    const auto& [seq, frame] = got[expected - 3];
    EXPECT_EQ(seq, expected);
    ASSERT_NE(frame, nullptr);
    auto j = nlohmann::json::parse(*frame);
    EXPECT_EQ(j["type"], "message");
    EXPECT_EQ(j["message"]["seq"].get<uint64_t>(), seq);
    EXPECT_EQ(j["message"]["content"], "live-" + std::to_string(expected - 3));
  }
}

TEST_F(ChannelActorsTest, UnsubscribedSessionGetsNothing) {
  auto cid = create("quiet");
  caf::scoped_actor session{node_.sys()};
  auto handle = caf::actor_cast<caf::actor>(session.ptr());
  ASSERT_TRUE(node_.on_channel<uint64_t>(session, cid, subscribe_atom::value, kOwner, handle));
  auto unsubscribed = node_.on_channel<bool>(session, cid, unsub_atom::value, handle);
  ASSERT_TRUE(unsubscribed);
  post_ok(cid, kOwner, "unseen");
  // The channel answers this after the post's fan-out, so a delivery would be queued first.
  ASSERT_TRUE(node_.on_channel<channel_view>(session, cid, info_atom::value, kOwner));
  std::vector<uint64_t> delivered;
  session->receive(
      [&](deliver_atom, const wire::delivery_ptr& batch) {
        for (const auto& f : batch->frames) {
          delivered.push_back(f.first);
        }
      },
      caf::after(0ms) >> [] {});
  EXPECT_TRUE(delivered.empty());
}

TEST_F(ChannelActorsTest, LeaveEndsMembershipAndSubscriptions) {
  auto cid = create("leaving");
  join(cid, "bob");
  caf::scoped_actor session{node_.sys()};
  auto handle = caf::actor_cast<caf::actor>(session.ptr());
  ASSERT_TRUE(
      node_.on_channel<uint64_t>(session, cid, subscribe_atom::value, std::string{"bob"}, handle));
  auto left = node_.on_channel<bool>(self_, cid, leave_atom::value, std::string{"bob"});
  ASSERT_TRUE(left) << to_string(left.error());
  bool unsubscribed = false;
  session->receive([&](unsub_atom, const std::string& channel) { unsubscribed = channel == cid; },
                   caf::after(kDeadline) >> [] {});
  EXPECT_TRUE(unsubscribed) << "the session is told its user left";
  EXPECT_FALSE(node_.db().is_member(cid, "bob"));
  EXPECT_EQ(error_code(node_.post(self_, cid, "bob", "hi")), api_errc::forbidden);
  EXPECT_EQ(error_code(node_.on_channel<bool>(self_, cid, leave_atom::value, std::string{"bob"})),
            api_errc::not_found);
  join(cid, "bob");
  EXPECT_EQ(post_ok(cid, "bob", "back"), 1u);
}

TEST_F(ChannelActorsTest, PrivateChannelIsHiddenFromStrangers) {
  auto cid = create("secret", true);
  const std::string stranger = "stranger";
  auto stranger_handle = caf::actor_cast<caf::actor>(self_.ptr());
  EXPECT_EQ(error_code(node_.on_channel<bool>(self_, cid, join_atom::value, stranger)),
            api_errc::not_found);
  EXPECT_EQ(error_code(node_.on_channel<channel_view>(self_, cid, info_atom::value, stranger)),
            api_errc::not_found);
  EXPECT_EQ(error_code(node_.history(self_, cid, stranger, {})), api_errc::not_found);
  EXPECT_EQ(error_code(node_.on_channel<uint64_t>(self_, cid, subscribe_atom::value, stranger,
                                                  stranger_handle)),
            api_errc::not_found);
  EXPECT_EQ(
      error_code(node_.on_channel<bool>(self_, cid, add_atom::value, stranger, std::string{"bob"})),
      api_errc::not_found);
  // Refused either way (today forbidden, which tells a stranger the channel exists).
  auto code = error_code(node_.post(self_, cid, stranger, "hi"));
  EXPECT_TRUE(code == api_errc::forbidden || code == api_errc::not_found) << code_name(code);
  EXPECT_EQ(node_.db().last_seq(cid), 0u);
  EXPECT_FALSE(node_.db().is_member(cid, stranger));
}

TEST_F(ChannelActorsTest, OnlyOwnerOrAdminAddsToPrivateChannels) {
  auto cid = create("secret", true);
  auto added = node_.on_channel<bool>(self_, cid, add_atom::value, kOwner, std::string{"bob"});
  ASSERT_TRUE(added) << to_string(added.error());
  EXPECT_TRUE(node_.db().is_member(cid, "bob"));
  EXPECT_TRUE(node_.on_channel<channel_view>(self_, cid, info_atom::value, std::string{"bob"}));
  EXPECT_EQ(post_ok(cid, "bob", "thanks"), 1u);
  // A member who is not the owner may not add to a private channel.
  EXPECT_EQ(error_code(node_.on_channel<bool>(self_, cid, add_atom::value, std::string{"bob"},
                                              std::string{"carol"})),
            api_errc::forbidden);
  EXPECT_FALSE(node_.db().is_member(cid, "carol"));
  // An admin may, without being a member.
  ASSERT_TRUE(node_.on_channel<bool>(self_, cid, add_atom::value, std::string{"root"},
                                     std::string{"carol"}, true));
  join(cid, "carol");  // already a member: no error
  auto pub = create("public");
  EXPECT_EQ(error_code(node_.on_channel<bool>(self_, pub, add_atom::value, std::string{"bob"},
                                              std::string{"carol"})),
            api_errc::forbidden);
  join(pub, "bob");
  EXPECT_TRUE(node_.on_channel<bool>(self_, pub, add_atom::value, std::string{"bob"},
                                     std::string{"carol"}));
}

TEST_F(ChannelActorsTest, OwnerRenamesAndRemovesOthersNotMembers) {
  auto cid = create("room");
  join(cid, "bob");
  join(cid, "carol");
  channel::channel_patch rename{true, "renamed", false, ""};
  EXPECT_EQ(error_code(node_.on_channel<channel_view>(self_, cid, update_atom::value,
                                                      std::string{"bob"}, false, rename)),
            api_errc::forbidden);
  auto v = node_.on_channel<channel_view>(self_, cid, update_atom::value, kOwner, false, rename);
  ASSERT_TRUE(v) << to_string(v.error());
  EXPECT_EQ(v->record.name, "renamed");
  EXPECT_EQ(node_.db().get_channel(cid)->name, "renamed");
  EXPECT_EQ(error_code(node_.on_channel<bool>(self_, cid, kick_atom::value, std::string{"bob"},
                                              std::string{"carol"}, false)),
            api_errc::forbidden);
  EXPECT_TRUE(node_.db().is_member(cid, "carol"));
  ASSERT_TRUE(
      node_.on_channel<bool>(self_, cid, kick_atom::value, kOwner, std::string{"carol"}, false));
  EXPECT_FALSE(node_.db().is_member(cid, "carol"));
  EXPECT_EQ(error_code(node_.on_channel<bool>(self_, cid, kick_atom::value, kOwner,
                                              std::string{"carol"}, false)),
            api_errc::not_found);
  ASSERT_TRUE(node_.on_channel<bool>(self_, cid, kick_atom::value, std::string{"bob"},
                                     std::string{"bob"}, false));
  EXPECT_FALSE(node_.db().is_member(cid, "bob"));
}

TEST_F(ChannelActorsTest, ListShowsPublicAndOwnChannels) {
  auto pub = create("public");
  auto mine = create("mine", true);
  post_ok(pub, kOwner, "a");
  post_ok(pub, kOwner, "b");
  auto list_for = [&](const std::string& user) {
    std::set<std::pair<std::string, uint64_t>> out;
    auto views =
        call<std::vector<channel_view>>(self_, node_.ctx().channels, list_atom::value, user);
    EXPECT_TRUE(views) << to_string(views.error());
    for (const auto& v : views ? *views : std::vector<channel_view>{}) {
      out.emplace(v.record.id, v.last_seq);
    }
    return out;
  };
  EXPECT_EQ(list_for("stranger"), (std::set<std::pair<std::string, uint64_t>>{{pub, 2}}));
  EXPECT_EQ(list_for(kOwner), (std::set<std::pair<std::string, uint64_t>>{{pub, 2}, {mine, 0}}));
}

}  // namespace
}  // namespace plexichat::actors::testing
