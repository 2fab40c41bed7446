#include "tools/console/console_app.hpp"

int main(int argc, char** argv) {
  return plexichat::tools::console::run_console(argc, argv);
}
