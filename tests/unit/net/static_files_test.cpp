#include "net/static_files.hpp"

#include <algorithm>
#include <array>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace plexichat::net {
namespace {

constexpr std::array<web::embedded_asset, 3> assets{{
    {"/index.html", "text/html; charset=utf-8", "\"idx1\"", "<!doctype html><p>hi</p>", false},
    {"/assets/app-ABC123.js", "text/javascript; charset=utf-8", "\"js1\"", "console.log(1)", true},
    {"/assets/icon-DEF456.svg", "image/svg+xml", "\"svg1\"", "<svg/>", true},
}};

std::string header(const static_reply& r, std::string_view name) {
  auto it = std::find_if(r.headers.begin(), r.headers.end(),
                         [&](const auto& h) { return h.first == name; });
  return it == r.headers.end() ? std::string{"<none>"} : it->second;
}

static_reply serve(std::string_view method, std::string_view path, std::string_view inm = {}) {
  auto r = static_files{assets}.serve(method, path, inm);
  EXPECT_TRUE(r.has_value()) << method << " " << path;
  return r.value_or(static_reply{});
}

std::string error_code(const static_reply& r) {
  return nlohmann::json::parse(r.body)["error"]["code"].get<std::string>();
}

TEST(StaticFiles, RootAndIndexServeTheHtmlRevalidatedEachTime) {
  for (auto path : {"/", "/index.html"}) {
    auto r = serve("GET", path);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "<!doctype html><p>hi</p>");
    EXPECT_EQ(r.content_length, r.body.size());
    EXPECT_EQ(header(r, "Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
    EXPECT_EQ(header(r, "ETag"), "\"idx1\"");
  }
}

TEST(StaticFiles, HashedAssetsAreImmutableWithTheirContentType) {
  auto js = serve("GET", "/assets/app-ABC123.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(header(js, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(header(js, "Cache-Control"), "public, max-age=31536000, immutable");
  auto svg = serve("GET", "/assets/icon-DEF456.svg");
  EXPECT_EQ(header(svg, "Content-Type"), "image/svg+xml");
}

TEST(StaticFiles, EverySuccessCarriesTheSecurityHeaders) {
  for (auto path : {"/", "/assets/app-ABC123.js"}) {
    auto r = serve("GET", path);
    EXPECT_EQ(header(r, "Content-Security-Policy"), web_csp);
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
  }
  EXPECT_NE(web_csp.find("script-src 'self'"), std::string_view::npos);
  EXPECT_EQ(web_csp.find("unsafe-inline"), std::string_view::npos);
}

TEST(StaticFiles, MatchingIfNoneMatchAnswers304WithoutBody) {
  auto r = serve("GET", "/assets/app-ABC123.js", "\"js1\"");
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(header(r, "ETag"), "\"js1\"");
  EXPECT_EQ(serve("GET", "/", "\"other\", W/\"idx1\"").status, 304);
  EXPECT_EQ(serve("GET", "/", "*").status, 304);
  EXPECT_EQ(serve("HEAD", "/", "\"idx1\"").status, 304);
}

TEST(StaticFiles, StaleOrMalformedIfNoneMatchGetsTheFile) {
  for (auto inm : {"\"idx0\"", "idx1", "\"idx1", "W/", ",,", "\"js1\""}) {
    auto r = serve("GET", "/", inm);
    EXPECT_EQ(r.status, 200) << inm;
    EXPECT_FALSE(r.body.empty());
  }
}

TEST(StaticFiles, HeadAnnouncesTheLengthWithoutTheBody) {
  auto r = serve("HEAD", "/assets/app-ABC123.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.content_length, std::string_view{"console.log(1)"}.size());
  EXPECT_EQ(header(r, "Content-Type"), "text/javascript; charset=utf-8");
}

TEST(StaticFiles, UnknownAssetIs404Json) {
  auto r = serve("GET", "/assets/app-OLD.js");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
  EXPECT_EQ(error_code(r), "not_found");
  auto head = serve("HEAD", "/assets/nope.css");
  EXPECT_EQ(head.status, 404);
  EXPECT_TRUE(head.body.empty());
}

TEST(StaticFiles, OtherMethodsAre405WithAllow) {
  for (auto method : {"POST", "PUT", "DELETE", "OPTIONS"}) {
    auto r = serve(method, "/");
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(header(r, "Allow"), "GET, HEAD");
    EXPECT_EQ(error_code(r), "invalid_request");
  }
}

TEST(StaticFiles, PathsOutsideTheClientAreLeftToTheCaller) {
  static_files files{assets};
  for (auto path : {"/favicon.ico", "/index.htm", "/api/v1/channels", "/assets", "//",
                    "/INDEX.HTML", "/index.html/"}) {
    EXPECT_FALSE(files.serve("GET", path, {}).has_value()) << path;
  }
}

TEST(StaticFiles, WithoutABuiltClientTheRootSaysSo) {
  static_files none{std::span<const web::embedded_asset>{}};
  auto r = none.serve("GET", "/", {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(error_code(*r), "not_found");
  EXPECT_NE(r->body.find("PLEXICHAT_WEB=OFF"), std::string::npos);
  EXPECT_FALSE(none.serve("GET", "/other", {}).has_value());
}

TEST(EtagMatches, FollowsTheWeakComparison) {
  EXPECT_TRUE(etag_matches("\"a\"", "\"a\""));
  EXPECT_TRUE(etag_matches("W/\"a\"", "\"a\""));
  EXPECT_TRUE(etag_matches(" \"b\" ,\t\"a\" ", "\"a\""));
  EXPECT_TRUE(etag_matches("*", "\"a\""));
  EXPECT_FALSE(etag_matches("", "\"a\""));
  EXPECT_FALSE(etag_matches("\"ab\"", "\"a\""));
  EXPECT_FALSE(etag_matches("a", "\"a\""));
}

}  // namespace
}  // namespace plexichat::net
