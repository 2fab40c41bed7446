#include "tools/plexichat-bench/frame_scan.hpp"

#include <gtest/gtest.h>

namespace plexichat::bench {
namespace {

TEST(FrameScan, MessageFrameAsTheNodeWritesIt) {
  std::string text =
      R"({"message":{"author":"bf_x_1","author_id":"u1","channel_id":"c9","content":"123456789.xxxx",)"
      R"("created_at":1700000000000,"id":"m1","nonce":"n3-7","seq":42},"type":"message"})";
  auto f = scan_frame(text);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->type, "message");
  ASSERT_TRUE(f->seq);
  EXPECT_EQ(*f->seq, 42u);
  EXPECT_EQ(f->content, "123456789.xxxx");
  EXPECT_EQ(f->nonce, "n3-7");
  EXPECT_EQ(content_stamp(f->content), 123456789);
}

TEST(FrameScan, AckSubscribedErrorAndPong) {
  auto ack = scan_frame(R"({"message":{"content":"5.x","seq":7},"nonce":"a","type":"ack"})");
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->type, "ack");
  EXPECT_EQ(ack->seq, 7u);
  EXPECT_EQ(ack->nonce, "a");
  auto sub = scan_frame(R"({"channel_id":"c","last_seq":12,"type":"subscribed"})");
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->last_seq, 12u);
  EXPECT_FALSE(sub->seq);  // "last_seq" is not "seq"
  auto err =
      scan_frame(R"({"code":"forbidden","message":"no \"type\" here","nonce":"z","type":"error"})");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->type, "error");
  EXPECT_EQ(err->code, "forbidden");
  EXPECT_EQ(err->nonce, "z");
  auto pong = scan_frame(R"({"type": "pong", "nonce": "p1"})");
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->type, "pong");
  EXPECT_EQ(pong->nonce, "p1");
}

TEST(FrameScan, KeysInsideStringsAreNotKeys) {
  EXPECT_FALSE(scan_frame(R"({"content":"type"})"));
  EXPECT_FALSE(scan_frame(R"({"a":"\"type\":\"x"})"));
  EXPECT_FALSE(scan_frame(R"({"type":5})"));
  auto quoted = scan_frame(
      R"({"message":{"content":"\"seq\":5,\"type\":\"x","seq":6},"tags":["type","seq"],"type":"message"})");
  ASSERT_TRUE(quoted);
  EXPECT_EQ(quoted->type, "message");
  EXPECT_EQ(quoted->seq, 6u);
  EXPECT_EQ(quoted->content, R"("seq":5,"type":"x)");  // unescaped
}

TEST(FrameScan, WhatIsNotAFrameIsRefused) {
  EXPECT_FALSE(scan_frame("not json"));
  EXPECT_FALSE(scan_frame(""));
  EXPECT_FALSE(scan_frame(R"(["type","message"])"));
  EXPECT_FALSE(scan_frame(R"({"type":"message")"));  // never closed
  EXPECT_FALSE(scan_frame(R"({"type":"never closed})"));
  auto odd = scan_frame(R"({"message":{"seq":"3","content":7},"type":"message"})");
  ASSERT_TRUE(odd);  // fields of the wrong type are left out
  EXPECT_FALSE(odd->seq);
  EXPECT_TRUE(odd->content.empty());
}

TEST(FrameScan, ABigFrameThenASmallOneShareTheParsersBuffers) {
  const auto big = std::string(R"({"message":{"content":")") + std::string(5000, 'x') +
                   R"(","seq":1},"type":"message"})";
  auto f = scan_frame(big);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->content, std::string(5000, 'x'));
  EXPECT_EQ(f->seq, 1u);
  auto small = scan_frame(R"({"type":"pong","nonce":"p"})");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->nonce, "p");
}

TEST(FrameScan, StampedContentHasTheSizeAndItsStamp) {
  auto c = stamped_content(987654321012, 100);
  EXPECT_EQ(c.size(), 100u);
  EXPECT_EQ(content_stamp(c), 987654321012);
  EXPECT_EQ(stamped_content(5, 1), "5.");  // never cut below the stamp
  EXPECT_EQ(content_stamp("12x"), std::nullopt);
  EXPECT_EQ(content_stamp("12"), std::nullopt);
  EXPECT_EQ(content_stamp(""), std::nullopt);
}

}  // namespace
}  // namespace plexichat::bench
