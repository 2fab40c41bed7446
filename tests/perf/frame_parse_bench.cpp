// Parsing a client's WebSocket `send` frame and a REST body, as the node does for every
// message (Google Benchmark). Run from an optimised build:
//   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DPLEXICHAT_TESTS=ON
//   cmake --build build/bench --target frame_parse_bench
//   build/bench/tests/perf/frame_parse_bench --benchmark_repetitions=5

#include <benchmark/benchmark.h>

#include <string>

#include "config/node_config.hpp"
#include "net/frame_parser.hpp"
#include "net/json_input.hpp"

namespace {

const std::string send_frame =
    R"({"type":"send","channel_id":"c7fq2kx0d9v3mzpl1a8wn","content":")" + std::string(100, 'x') +
    R"(","nonce":"s42-1234567"})";

void parse_send_frame(benchmark::State& state) {
  plexichat::config::limits_config limits;
  for (auto _ : state) {
    auto parsed = plexichat::net::parse_client_frame(send_frame, limits);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(parse_send_frame);

void parse_json_object(benchmark::State& state) {
  for (auto _ : state) {
    auto parsed = plexichat::net::parse_json(send_frame, 32);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(parse_json_object);

}  // namespace

BENCHMARK_MAIN();
