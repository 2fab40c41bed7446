#pragma once

#include <memory>
#include <string>
#include <variant>

#include <boost/asio/ssl/context.hpp>

#include "config/security_config.hpp"

namespace plexichat::net {

/// The client listener's TLS context from `tls.certificate` and `tls.key`: TLS 1.2 and 1.3
/// only, no compression, ECDHE with AEAD ciphers for TLS 1.2. Returns the context, or one
/// line for a person naming the key and file at fault (missing, unreadable, not PEM, or a
/// key that does not match the certificate). Called once at start-up, before anything is
/// written.
std::variant<std::unique_ptr<boost::asio::ssl::context>, std::string> make_tls_context(
    const config::tls_config& tls);

}  // namespace plexichat::net
