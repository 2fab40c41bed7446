#include "config/cidr.hpp"
#include "tests/unit/config/error_of.hpp"

#include <gtest/gtest.h>

namespace plexichat::config {
namespace {

using boost::asio::ip::make_address;
using test_support::error_of;

bool in(const std::string& network, const std::string& address) {
  return contains(parse_cidr(network, "k"), make_address(address));
}

TEST(Cidr, MatchesIpv4Prefixes) {
  EXPECT_TRUE(in("10.0.0.0/8", "10.255.1.2"));
  EXPECT_FALSE(in("10.0.0.0/8", "11.0.0.1"));
  EXPECT_TRUE(in("192.168.1.0/24", "192.168.1.255"));
  EXPECT_FALSE(in("192.168.1.0/24", "192.168.2.0"));
  EXPECT_TRUE(in("0.0.0.0/0", "203.0.113.9"));
  EXPECT_TRUE(in("127.0.0.1", "127.0.0.1")) << "a bare address is one host";
  EXPECT_FALSE(in("127.0.0.1", "127.0.0.2"));
  EXPECT_TRUE(in("172.16.0.0/12", "172.31.255.255"));
  EXPECT_FALSE(in("172.16.0.0/12", "172.32.0.0"));
}

TEST(Cidr, MatchesIpv6PrefixesIncludingOddLengths) {
  EXPECT_TRUE(in("fd00::/8", "fdab::1"));
  EXPECT_FALSE(in("fd00::/8", "fe80::1"));
  EXPECT_TRUE(in("2001:db8::/33", "2001:db8:7fff::1"));
  EXPECT_FALSE(in("2001:db8::/33", "2001:db8:8000::1"));
  EXPECT_TRUE(in("::1", "::1"));
  EXPECT_TRUE(in("::/0", "2001:db8::5"));
}

TEST(Cidr, FamiliesDoNotMixButMappedAddressesMatchAsIpv4) {
  EXPECT_FALSE(in("::/0", "10.0.0.1"));
  EXPECT_FALSE(in("0.0.0.0/0", "::1"));
  EXPECT_TRUE(in("10.0.0.0/8", "::ffff:10.1.2.3"));
  EXPECT_TRUE(in("127.0.0.1", "::ffff:127.0.0.1"));
}

TEST(Cidr, RefusesMalformedNetworks) {
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0/8", "10.0.0.0/", "10.0.0.0/-1", "::/129",
                          "gggg::/16", "localhost", "10.0.0.0/8/8", " 10.0.0.0/8"}) {
    EXPECT_EQ(error_of([&] { parse_cidr(bad, "net.deny[2]"); }).key(), "net.deny[2]") << bad;
  }
  EXPECT_NE(error_of([] { parse_cidr("192.168.1.1/24", "k"); })
                .reason()
                .find("did you mean 192.168.1.0/24?"),
            std::string::npos);
}

TEST(AddressFilter, EmptyListsLetEveryoneIn) {
  address_filter f;
  EXPECT_TRUE(f.empty());
  EXPECT_TRUE(f.permits(make_address("127.0.0.1")));
  EXPECT_TRUE(f.permits(make_address("::1")));
}

TEST(AddressFilter, AllowListLetsInOnlyItsNetworks) {
  address_filter f{{"10.0.0.0/8", "fd00::/8"}, {}};
  EXPECT_TRUE(f.permits(make_address("10.9.8.7")));
  EXPECT_TRUE(f.permits(make_address("fd12::1")));
  EXPECT_FALSE(f.permits(make_address("127.0.0.1")));
  EXPECT_FALSE(f.permits(make_address("::1")));
}

TEST(AddressFilter, DenyWinsOverAllow) {
  address_filter f{{"10.0.0.0/8"}, {"10.66.0.0/16", "127.0.0.1"}};
  EXPECT_TRUE(f.permits(make_address("10.65.0.1")));
  EXPECT_FALSE(f.permits(make_address("10.66.3.4")));
  EXPECT_FALSE(f.permits(make_address("127.0.0.1")));
  address_filter deny_only{{}, {"127.0.0.0/8"}};
  EXPECT_FALSE(deny_only.permits(make_address("127.0.0.1")));
  EXPECT_FALSE(deny_only.permits(make_address("::ffff:127.0.0.1")));
  EXPECT_TRUE(deny_only.permits(make_address("192.0.2.1")));
}

TEST(AddressFilter, NamesTheBadEntry) {
  auto e = error_of([] { address_filter({"10.0.0.0/8", "nonsense"}, {}); });
  EXPECT_EQ(e.key(), "net.allow[1]");
  e = error_of([] { address_filter({}, {"1.2.3.4/40"}); });
  EXPECT_EQ(e.key(), "net.deny[0]");
}

}  // namespace
}  // namespace plexichat::config
