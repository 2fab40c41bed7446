#include "actors/wire.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace plexichat::actors::wire {
namespace {

using nlohmann::json;

std::set<std::string> keys(const json& j) {
  std::set<std::string> out;
  for (const auto& [k, v] : j.items()) {
    out.insert(k);
  }
  return out;
}

storage::message_record message_rec(std::string nonce) {
  return {"m1", "c1", 42, "u1", "alice", "hello \xe2\x9c\x93", 1700000000123, std::move(nonce)};
}

json parse(const frame& f) {
  EXPECT_NE(f, nullptr);
  return f ? json::parse(*f) : json{};
}

TEST(WireTest, UserHasProtocolFieldsAndNoPasswordHash) {
  storage::user_record u{"u1", "alice", "$argon2id$secret", 1700000000000};
  auto j = user(u);
  EXPECT_EQ(keys(j), (std::set<std::string>{"id", "username", "created_at"}));
  EXPECT_EQ(j["id"], "u1");
  EXPECT_EQ(j["username"], "alice");
  EXPECT_EQ(j["created_at"].get<int64_t>(), 1700000000000);
  EXPECT_EQ(j.dump().find("argon2id"), std::string::npos);
}

TEST(WireTest, ChannelHasProtocolFields) {
  storage::channel_record c{"c1", "general", "talk", true, "u1", 1700000000001};
  auto j = channel(c, 17);
  EXPECT_EQ(keys(j),
            (std::set<std::string>{"id", "name", "topic", "private", "created_at", "last_seq"}));
  EXPECT_EQ(j["id"], "c1");
  EXPECT_EQ(j["name"], "general");
  EXPECT_EQ(j["topic"], "talk");
  EXPECT_TRUE(j["private"].is_boolean());
  EXPECT_EQ(j["private"], true);
  EXPECT_EQ(j["created_at"].get<int64_t>(), 1700000000001);
  EXPECT_TRUE(j["last_seq"].is_number_unsigned());
  EXPECT_EQ(j["last_seq"].get<uint64_t>(), 17u);
  c.is_private = false;
  EXPECT_EQ(channel(c, 0)["private"], false);
}

TEST(WireTest, MessageWithNonce) {
  auto j = message(message_rec("n-1"));
  EXPECT_EQ(keys(j), (std::set<std::string>{"id", "channel_id", "seq", "author_id", "author",
                                            "content", "created_at", "nonce"}));
  EXPECT_EQ(j["id"], "m1");
  EXPECT_EQ(j["channel_id"], "c1");
  EXPECT_EQ(j["seq"].get<uint64_t>(), 42u);
  EXPECT_EQ(j["author_id"], "u1");
  EXPECT_EQ(j["author"], "alice");
  EXPECT_EQ(j["content"], "hello \xe2\x9c\x93");
  EXPECT_EQ(j["created_at"].get<int64_t>(), 1700000000123);
  EXPECT_EQ(j["nonce"], "n-1");
}

TEST(WireTest, MessageWithoutNonceLeavesItOut) {
  auto j = message(message_rec(""));
  EXPECT_FALSE(j.contains("nonce"));
  EXPECT_EQ(keys(j).size(), 7u);
}

TEST(WireTest, ErrorBody) {
  auto j = error_body({api_errc::rate_limited, "slow down"});
  EXPECT_EQ(j, json::parse(R"({"error": {"code": "rate_limited", "message": "slow down"}})"));
}

TEST(WireTest, MessageFrame) {
  auto f = message_frame(message_rec("n"));
  auto j = parse(f);
  EXPECT_EQ(keys(j), (std::set<std::string>{"type", "message"}));
  EXPECT_EQ(j["type"], "message");
  EXPECT_EQ(j["message"], message(message_rec("n")));
}

TEST(WireTest, MessageTextIsTheObjectsOwnDump) {
  std::vector<storage::message_record> cases = {
      message_rec("n-1"),
      message_rec(""),
      {"m2", "c2", 0, "u2", "b\"o\\b", "line\nbreak\ttab \x01 \"quoted\" \xf0\x9f\x98\x80", -5, ""},
      {"m3", "c3", UINT64_MAX, "u3", "", "", INT64_MIN, "n"},
      {"m4", "c4", 7, "u4", "x", "bad \xff utf-8", 1, "n"},
  };
  for (const auto& m : cases) {
    EXPECT_EQ(message_text(m), message(m).dump(-1, ' ', false, json::error_handler_t::replace));
  }
}

TEST(WireTest, MessageTextEscapesEveryByteAsTheLibraryDoes) {
  // Each byte value alone and between plain text, in every string field.
  for (int b = 0; b < 256; ++b) {
    std::string one(1, static_cast<char>(b));
    for (const auto& s : {one, "ab" + one + "cd"}) {
      storage::message_record m{s, s, 1, s, s, s, 2, s};
      ASSERT_EQ(message_text(m), message(m).dump(-1, ' ', false, json::error_handler_t::replace))
          << "byte " << b;
    }
  }
}

TEST(WireTest, AckFrame) {
  auto rec = message_rec("n-9");
  auto f = ack_frame("n-9", rec);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*f, *make_frame({{"type", "ack"}, {"nonce", "n-9"}, {"message", message(rec)}}));
  auto j = parse(f);
  EXPECT_EQ(j["type"], "ack");
  EXPECT_EQ(j["nonce"], "n-9");
  EXPECT_EQ(j["message"], message(rec));
}

TEST(WireTest, MessageFrameIsTheObjectsOwnDump) {
  auto rec = message_rec("");
  EXPECT_EQ(*message_frame(rec), *make_frame({{"type", "message"}, {"message", message(rec)}}));
}

TEST(WireTest, ErrorFrameWithAndWithoutNonce) {
  auto with = parse(error_frame({api_errc::forbidden, "members only"}, "n7"));
  EXPECT_EQ(with, json::parse(R"({"type": "error", "code": "forbidden",
                                 "message": "members only", "nonce": "n7"})"));
  auto without = parse(error_frame({api_errc::not_found, "no such channel"}));
  EXPECT_EQ(without, json::parse(R"({"type": "error", "code": "not_found",
                                    "message": "no such channel"})"));
}

TEST(WireTest, FrameIsCompactJson) {
  auto f = make_frame({{"type", "pong"}});
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*f, R"({"type":"pong"})");
}

TEST(WireTest, FrameReplacesInvalidUtf8InsteadOfThrowing) {
  frame f;
  EXPECT_NO_THROW(f = make_frame({{"content", std::string{"a\xff"
                                                          "b"}}}));
  ASSERT_NE(f, nullptr);
  auto j = json::parse(*f);  // valid JSON again
  EXPECT_EQ(j["content"],
            "a\xef\xbf\xbd"
            "b");
}

}  // namespace
}  // namespace plexichat::actors::wire
