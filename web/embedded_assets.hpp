#pragma once

#include <span>
#include <string_view>

namespace plexichat::web {

/// One file of the built web client, compiled into the binary.
struct embedded_asset {
  std::string_view path;          ///< request path, e.g. "/index.html", "/assets/app-H4SH.js"
  std::string_view content_type;  ///< the Content-Type to answer with
  std::string_view etag;          ///< strong entity tag, quotes included
  std::string_view body;          ///< the file's bytes
  bool immutable;                 ///< content-hashed name: cacheable for a year
};

/// The files of the web client built into this binary (generated from web/ at build time by
/// web/scripts/build.mjs), or none when the build had PLEXICHAT_WEB=OFF. Immutable data,
/// safe to read from any thread.
std::span<const embedded_asset> embedded_assets();

}  // namespace plexichat::web
