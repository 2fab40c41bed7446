#include "runtime/metrics.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace plexichat::runtime {
namespace {

/// The value of an unlabelled sample `name` in Prometheus text, or -1 if absent.
double sample(const std::string& text, const std::string& name) {
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + " ", 0) == 0) {
      return std::stod(line.substr(name.size() + 1));
    }
  }
  return -1;
}

TEST(NodeMetrics, RendersCountersGaugesAndHistogramsInTextFormat) {
  node_metrics m;
  m.messages_received.Increment(3);
  m.ws_sessions.Increment();
  m.ack_latency_seconds.Observe(0.002);
  auto text = m.render();
  EXPECT_EQ(sample(text, "plexichat_messages_received_total"), 3);
  EXPECT_EQ(sample(text, "plexichat_ws_sessions"), 1);
  EXPECT_EQ(sample(text, "plexichat_ack_latency_seconds_count"), 1);
  EXPECT_NE(text.find("# TYPE plexichat_ack_latency_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("plexichat_ack_latency_seconds_bucket{le=\"0.0025\"} 1"), std::string::npos);
  EXPECT_NE(text.find("# HELP plexichat_messages_received_total "), std::string::npos);
}

TEST(NodeMetrics, CountersOnlyGrowBetweenScrapes) {
  node_metrics m;
  m.logins.Increment();
  auto first = sample(m.render(), "plexichat_logins_total");
  m.logins.Increment();
  auto second = sample(m.render(), "plexichat_logins_total");
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 2);
}

}  // namespace
}  // namespace plexichat::runtime
