#include "tools/node_app.hpp"

int main(int argc, char** argv) {
  return plexichat::tools::run_node(argc, argv);
}
