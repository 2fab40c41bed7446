#include "net/tls_context.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace plexichat::net {

namespace ssl = boost::asio::ssl;

namespace {

// Mozilla's "intermediate" TLS 1.2 suites; TLS 1.3 keeps OpenSSL's (all AEAD).
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

/// An empty string when `path` can be opened for reading, else why not.
std::string unreadable(const std::string& key, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return key + " " + path + ": cannot read: " + std::strerror(errno);
  }
  return {};
}

std::string load(ssl::context& ctx, const config::tls_config& tls) {
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(tls.certificate, ec);
  if (ec) {
    return "tls.certificate " + tls.certificate + ": not a PEM certificate (" + ec.message() + ")";
  }
  ctx.use_private_key_file(tls.key, ssl::context::pem, ec);
  if (ec && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH) {
    return "tls.key " + tls.key + ": does not match the certificate in " + tls.certificate;
  }
  if (ec) {
    return "tls.key " + tls.key + ": not a PEM private key (" + ec.message() + ")";
  }
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    return "tls.key " + tls.key + ": does not match the certificate in " + tls.certificate;
  }
  return {};
}

}  // namespace

std::variant<std::unique_ptr<ssl::context>, std::string> make_tls_context(
    const config::tls_config& tls) {
  for (const auto& [key, path] :
       {std::pair{"tls.certificate", &tls.certificate}, std::pair{"tls.key", &tls.key}}) {
    if (auto why = unreadable(key, *path); !why.empty()) {
      return why;
    }
  }
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::no_compression | ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(ctx->native_handle(), tls12_ciphers) != 1) {
    return std::string{"tls: OpenSSL refused the cipher list"};
  }
  if (auto why = load(*ctx, tls); !why.empty()) {
    return why;
  }
  return ctx;
}

}  // namespace plexichat::net
