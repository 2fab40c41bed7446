#include "net/static_files.hpp"

#include "actors/wire.hpp"

namespace plexichat::net {

using actors::api_errc;

namespace {

constexpr std::string_view index_path = "/index.html";
constexpr std::string_view assets_prefix = "/assets/";

void add_common_headers(static_reply& r) {
  r.headers.emplace_back("Content-Security-Policy", std::string(web_csp));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

static_reply error_reply(int status, api_errc code, std::string_view message, bool head) {
  static_reply r;
  r.status = status;
  add_common_headers(r);
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Cache-Control", "no-store");
  auto body = actors::wire::error_body({code, std::string(message)}).dump();
  r.content_length = body.size();
  if (!head) {
    r.body = std::move(body);
  }
  return r;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    auto comma = if_none_match.find(',');
    auto tag = trim(if_none_match.substr(0, comma));
    if (tag == "*") {
      return true;
    }
    if (tag.starts_with("W/")) {
      tag.remove_prefix(2);
    }
    if (!tag.empty() && tag == etag) {
      return true;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

const web::embedded_asset* static_files::find(std::string_view path) const {
  for (const auto& asset : assets_) {
    if (asset.path == path) {
      return &asset;
    }
  }
  return nullptr;
}

std::optional<static_reply> static_files::serve(std::string_view method, std::string_view path,
                                                std::string_view if_none_match) const {
  if (path == "/") {
    path = index_path;
  }
  const auto* asset = find(path);
  if (!asset && path != index_path && !path.starts_with(assets_prefix)) {
    return std::nullopt;
  }
  bool head = method == "HEAD";
  if (method != "GET" && !head) {
    auto r = error_reply(405, api_errc::invalid_request, "method not allowed", false);
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (!asset) {
    return path == index_path
               ? error_reply(404, api_errc::not_found,
                             "the web client is not built into this node (it was built with "
                             "PLEXICHAT_WEB=OFF); the API is under /api/v1",
                             head)
               : error_reply(404, api_errc::not_found, "no such file", head);
  }
  static_reply r;
  add_common_headers(r);
  r.headers.emplace_back("Content-Type", std::string(asset->content_type));
  r.headers.emplace_back("Cache-Control",
                         asset->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("ETag", std::string(asset->etag));
  if (etag_matches(if_none_match, asset->etag)) {
    r.status = 304;
    return r;
  }
  r.content_length = asset->body.size();
  if (!head) {
    r.body = std::string(asset->body);
  }
  return r;
}

}  // namespace plexichat::net
