// Parsing a client's WebSocket `send` frame, as the node does for every message, and writing
// the frames it answers with (Google Benchmark). Run from an optimised build:
//   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DPLEXICHAT_TESTS=ON
//   cmake --build build/bench --target frame_parse_bench
//   build/bench/tests/perf/frame_parse_bench --benchmark_repetitions=5

#include <benchmark/benchmark.h>

#include <string>

#include "actors/wire.hpp"
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

const plexichat::storage::message_record message{"mzq81hd0c4k2v7xw3pj5n",
                                                 "c7fq2kx0d9v3mzpl1a8wn",
                                                 123456,
                                                 "u4k8d2mzq0x7c3v9pl1aw",
                                                 "alice",
                                                 std::string(100, 'x'),
                                                 1764250000123,
                                                 "s42-1234567"};

// The ack as it is written: around the message's JSON text.
void encode_ack(benchmark::State& state) {
  for (auto _ : state) {
    auto f = plexichat::actors::wire::ack_frame(message.nonce, message);
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(encode_ack);

// The same bytes through nlohmann-json objects, as acks were written before.
void encode_ack_as_object(benchmark::State& state) {
  namespace wire = plexichat::actors::wire;
  for (auto _ : state) {
    auto f = wire::make_frame(
        {{"type", "ack"}, {"nonce", message.nonce}, {"message", wire::message(message)}});
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(encode_ack_as_object);

void encode_message_frame(benchmark::State& state) {
  for (auto _ : state) {
    auto f = plexichat::actors::wire::message_frame(message);
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(encode_message_frame);

}  // namespace

BENCHMARK_MAIN();
