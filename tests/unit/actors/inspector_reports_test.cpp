#include "actors/inspector/inspector_reports.hpp"

#include <gtest/gtest.h>

namespace plexichat::actors::inspector {
namespace {

std::vector<runtime::actor_row> rows() {
  return {
      {"directory", "", 4, 1000, 10, 0, {}, ""},
      {"channel", "c1", 9, 5000, 3, 2, {}, ""},
      {"session",
       "s1",
       12,
       6000,
       5,
       0,
       {},
       R"({"user":"alice","user_id":"u1","address":"127.0.0.1","channels":["c1"],"authenticated":true})"},
  };
}

TEST(inspector_reports, lists_actors_filtered_by_kind) {
  auto all = actors_answer(rows(), "", 7000);
  ASSERT_EQ(all["actors"].size(), 3u);
  auto channels = actors_answer(rows(), "channel", 7000)["actors"];
  ASSERT_EQ(channels.size(), 1u);
  EXPECT_EQ(channels[0]["id"], 9);
  EXPECT_EQ(channels[0]["mailbox"], 2);
  EXPECT_EQ(channels[0]["age_ms"], 2000);
  EXPECT_TRUE(actors_answer(rows(), "nosuch", 7000)["actors"].empty());
}

TEST(inspector_reports, finds_one_actor_or_says_which_id_is_unknown) {
  auto one = actor_answer(rows(), "12", 7000);
  EXPECT_EQ(one["actor"]["kind"], "session");
  EXPECT_EQ(one["actor"]["note"]["user"], "alice");
  EXPECT_EQ(actor_answer(rows(), "99", 7000)["error"], "no actor with id 99 on this node");
  EXPECT_TRUE(actor_answer(rows(), "x1", 7000).contains("error"));
  EXPECT_TRUE(actor_answer(rows(), "", 7000).contains("error"));
}

TEST(inspector_reports, sessions_come_from_session_actors_and_their_notes) {
  auto s = sessions_answer(rows())["sessions"];
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0]["user"], "alice");
  EXPECT_EQ(s[0]["address"], "127.0.0.1");
  EXPECT_EQ(s[0]["since"], 6000);
  EXPECT_EQ(s[0]["channels"], nlohmann::json::array({"c1"}));
}

TEST(inspector_reports, channels_say_whether_their_actor_runs) {
  storage::channel_record c1{"c1", "general", "", false, "u1", 1};
  storage::channel_record c2{"c2", "quiet", "", true, "u1", 2};
  auto list = channels_answer({{c1, 2, 10}, {c2, 1, 0}}, rows())["channels"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["active"], true);
  EXPECT_EQ(list[0]["last_seq"], 10);
  EXPECT_EQ(list[1]["active"], false);
  EXPECT_EQ(list[1]["private"], true);
}

TEST(inspector_reports, members_and_summary) {
  cluster::cluster_view view;
  view.self = "n1";
  view.members = {{"n1", "h:1", "h:2", 1, cluster::member_state::up},
                  {"n2", "h:3", "h:4", 1, cluster::member_state::down}};
  auto m = members_answer(view);
  EXPECT_EQ(m["self"], "n1");
  EXPECT_EQ(m["members"][1]["state"], "down");
  node_facts f;
  f.name = "n1";
  f.started_ms = 1000;
  f.now_ms = 4000;
  f.rss_kib = 2048;
  auto s = summary_answer(f)["node"];
  EXPECT_EQ(s["uptime_ms"], 3000);
  EXPECT_EQ(s["rss_kib"], 2048);
  f.rss_kib.reset();
  EXPECT_TRUE(summary_answer(f)["node"]["rss_kib"].is_null());
}

TEST(inspector_reports, log_levels) {
  EXPECT_EQ(parse_log_level("debug"), 1);
  EXPECT_EQ(parse_log_level("off"), 6);
  EXPECT_FALSE(parse_log_level("loud").has_value());
  EXPECT_FALSE(parse_log_level("").has_value());
}

TEST(inspector_reports, verify_answers_name_the_first_bad_record) {
  EXPECT_EQ(verify_answer({true, 5, 0, ""}), (nlohmann::json{{"ok", true}, {"records", 5}}));
  auto bad = verify_answer({false, 5, 3, "mac mismatch"});
  EXPECT_EQ(bad["first_bad_seq"], 3);
  EXPECT_EQ(bad["reason"], "mac mismatch");
}

}  // namespace
}  // namespace plexichat::actors::inspector
