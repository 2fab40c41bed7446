#include "tools/plexichat-bench/bench_report.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace plexichat::bench {

void bench_report::count(const std::string& key, const std::string& label, int64_t value,
                         const std::string& unit) {
  rows_.push_back({key, label, value, unit, 0});
}

void bench_report::number(const std::string& key, const std::string& label, double value,
                          const std::string& unit, int decimals) {
  rows_.push_back({key, label, std::isfinite(value) ? value : 0.0, unit, decimals});
}

void bench_report::text(const std::string& key, const std::string& label,
                        const std::string& value) {
  rows_.push_back({key, label, value, {}, 0});
}

void bench_report::latency(const std::string& key, const std::string& label,
                           const latency_histogram& h) {
  auto ms = [](uint64_t us) { return static_cast<double>(us) / 1000.0; };
  number(key + "_p50_ms", label + " p50", ms(h.percentile(50)), "ms", 2);
  number(key + "_p99_ms", label + " p99", ms(h.percentile(99)), "ms", 2);
  number(key + "_p999_ms", label + " p99.9", ms(h.percentile(99.9)), "ms", 2);
  number(key + "_max_ms", label + " max", ms(h.max()), "ms", 2);
}

void bench_report::attach(const std::string& key, nlohmann::json value) {
  attached_[key] = std::move(value);
}

void bench_report::problem(const std::string& what) {
  problems_.push_back(what);
}

void bench_report::print_table(std::ostream& out) const {
  size_t width = 0;
  for (const auto& r : rows_) {
    width = std::max(width, r.label.size());
  }
  out << "plexichat-bench " << scenario_ << "\n";
  for (const auto& r : rows_) {
    out << "  " << std::left << std::setw(static_cast<int>(width + 2)) << r.label << std::right;
    if (const auto* i = std::get_if<int64_t>(&r.value)) {
      out << *i;
    } else if (const auto* d = std::get_if<double>(&r.value)) {
      out << std::fixed << std::setprecision(r.decimals) << *d;
    } else {
      out << std::get<std::string>(r.value);
    }
    out << (r.unit.empty() ? "" : " ") << r.unit << "\n";
  }
  out << "  " << (problems_.empty() ? "result: ok" : "result: FAILED") << "\n";
  for (const auto& p : problems_) {
    out << "  problem: " << p << "\n";
  }
}

nlohmann::json bench_report::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  j["scenario"] = scenario_;
  for (const auto& r : rows_) {
    std::visit([&](const auto& v) { j[r.key] = v; }, r.value);
  }
  for (const auto& [key, value] : attached_.items()) {
    j[key] = value;
  }
  j["ok"] = problems_.empty();
  j["problems"] = problems_;
  return j;
}

}  // namespace plexichat::bench
