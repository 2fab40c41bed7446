#include "tools/plexichat-bench/bench_app.hpp"

int main(int argc, char** argv) {
  return plexichat::bench::run_bench(argc, argv);
}
