#include "web/embedded_assets.hpp"

namespace plexichat::web {

// Built with PLEXICHAT_WEB=OFF: the node serves no web client.
std::span<const embedded_asset> embedded_assets() {
  return {};
}

}  // namespace plexichat::web
