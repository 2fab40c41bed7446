#include "actors/directory/qr_svg.hpp"

#include <qrencode.h>

#include <memory>

namespace plexichat::actors::directory {

namespace {

constexpr int quiet_zone = 4;

struct qr_free {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

}  // namespace

std::string qr_svg(std::string_view text) {
  std::string input{text};
  std::unique_ptr<QRcode, qr_free> code{
      QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1)};
  if (!code) {
    return {};
  }
  const int width = code->width;
  const auto side = std::to_string(width + 2 * quiet_zone);
  std::string svg = R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 )" + side + " " + side +
                    R"(" shape-rendering="crispEdges"><rect width="100%" height="100%" )"
                    R"(fill="#fff"/><path fill="#000" d=")";
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      // Bit 0 of each module byte is 1 for a dark module.
      if ((code->data[y * width + x] & 1) != 0) {
        svg += "M" + std::to_string(x + quiet_zone) + " " + std::to_string(y + quiet_zone) +
               "h1v1h-1z";
      }
    }
  }
  svg += R"("/></svg>)";
  return svg;
}

}  // namespace plexichat::actors::directory
