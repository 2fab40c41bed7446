#include "config/host_port.hpp"
#include "tests/unit/config/error_of.hpp"

#include <gtest/gtest.h>

#include <string>

#include "config/config_error.hpp"

namespace plexichat::config {
namespace {

using test_support::error_of;

TEST(HostPort, ParsesNamesAndIpv4) {
  EXPECT_EQ(parse_host_port("127.0.0.1:8080", "listen"), (host_port{"127.0.0.1", 8080}));
  EXPECT_EQ(parse_host_port("node-2.example_net:1", "listen"),
            (host_port{"node-2.example_net", 1}));
  EXPECT_EQ(parse_host_port("localhost:65535", "listen"), (host_port{"localhost", 65535}));
  EXPECT_EQ(parse_host_port("0.0.0.0:0", "listen"), (host_port{"0.0.0.0", 0}));
}

TEST(HostPort, ParsesBracketedIpv6) {
  EXPECT_EQ(parse_host_port("[::1]:8080", "listen"), (host_port{"::1", 8080}));
  EXPECT_EQ(parse_host_port("[::]:7000", "listen"), (host_port{"::", 7000}));
  EXPECT_EQ(parse_host_port("[2001:db8::5]:443", "listen"), (host_port{"2001:db8::5", 443}));
  EXPECT_EQ(parse_host_port("[::ffff:10.0.0.1]:9", "listen"), (host_port{"::ffff:10.0.0.1", 9}));
}

TEST(HostPort, ToStringRoundTrips) {
  EXPECT_EQ((host_port{"127.0.0.1", 8080}).to_string(), "127.0.0.1:8080");
  EXPECT_EQ((host_port{"::1", 8080}).to_string(), "[::1]:8080");
  for (const char* text : {"a:1", "[fe80::1]:65535", "10.1.2.3:7000"}) {
    EXPECT_EQ(parse_host_port(text, "k").to_string(), text);
  }
}

TEST(HostPort, RejectsBadPortsNamingTheKey) {
  for (const char* bad : {"host:65536", "host:99999", "host:123456", "host:", "host:-1", "host:+80",
                          "host:80a", "host: 80", "host:0x50", "[::1]:70000", "[::1]:"}) {
    const config_error e = error_of([&] { parse_host_port(bad, "cluster_listen"); });
    EXPECT_EQ(e.key(), "cluster_listen") << bad;
    EXPECT_NE(e.reason().find("port must be a number up to 65535"), std::string::npos)
        << bad << ": " << e.what();
  }
}

TEST(HostPort, RejectsBadHosts) {
  for (const char* bad :
       {"", "8080", "localhost", ":8080", "ho st:80", "h/x:80", "::1:8080", "[::1]", "[::1]8080",
        "[::1:8080", "[]:80", "[not-v6]:80", "[127.0.0.1]:80", "[::1]:80:90"}) {
    const config_error e = error_of([&] { parse_host_port(bad, "--listen"); });
    EXPECT_EQ(e.key(), "--listen") << bad;
    EXPECT_EQ(std::string(e.what()).rfind("config: --listen: ", 0), 0u) << e.what();
  }
}

TEST(HostPort, UnbracketedIpv6SaysToUseBrackets) {
  const config_error e = error_of([] { parse_host_port("::1:8080", "listen"); });
  EXPECT_NE(e.reason().find("brackets"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace plexichat::config
