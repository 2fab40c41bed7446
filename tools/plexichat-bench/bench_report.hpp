#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "tools/plexichat-bench/latency_histogram.hpp"

namespace plexichat::bench {

/// A scenario's figures in order: printed as a two-column table, or as one JSON object
/// (`{"scenario": ..., key: value, ..., "ok": bool, "problems": [...]}`).
class bench_report {
 public:
  explicit bench_report(std::string scenario) : scenario_(std::move(scenario)) {}

  void count(const std::string& key, const std::string& label, int64_t value,
             const std::string& unit = {});
  void number(const std::string& key, const std::string& label, double value,
              const std::string& unit = {}, int decimals = 1);
  void text(const std::string& key, const std::string& label, const std::string& value);
  /// p50, p99, p999 and max in ms as KEY_p50_ms ...
  void latency(const std::string& key, const std::string& label, const latency_histogram& h);
  /// A JSON value under `key` (not in the table: say it with text() rows too).
  void attach(const std::string& key, nlohmann::json value);
  /// Makes the run fail (exit status 1) and says why.
  void problem(const std::string& what);

  [[nodiscard]] bool ok() const { return problems_.empty(); }
  void print_table(std::ostream& out) const;
  [[nodiscard]] nlohmann::json to_json() const;

 private:
  struct row {
    std::string key;
    std::string label;
    std::variant<int64_t, double, std::string> value;
    std::string unit;
    int decimals = 0;
  };
  std::string scenario_;
  std::vector<row> rows_;
  std::vector<std::string> problems_;
  nlohmann::json attached_ = nlohmann::json::object();
};

}  // namespace plexichat::bench
