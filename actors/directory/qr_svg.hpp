#pragma once

#include <string>
#include <string_view>

namespace plexichat::actors::directory {

/// `text` as a QR code (libqrencode, error correction level M, 8-bit or best mode) drawn as
/// a standalone SVG document: one black square per dark module, a 4-module quiet zone, and
/// a viewBox in modules so it scales to any size. Empty if libqrencode fails (text too long
/// for a QR code, or no memory). Thread-safe; allocates a few kilobytes.
std::string qr_svg(std::string_view text);

}  // namespace plexichat::actors::directory
