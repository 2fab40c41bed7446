#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

/// The cluster's X.509 certificates (OpenSSL): a CA that signs one certificate per node, for
/// the mutual TLS between peers (PROTOCOL.md "Running a node", the `cert` commands).
/// Keys are ECDSA P-256; certificates are X.509 v3 signed with SHA-256. Every function throws
/// cert_error with OpenSSL's reason when OpenSSL refuses, and is safe to call from any thread.
namespace plexichat::runtime {

struct cert_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A certificate and its private key, both PEM.
struct pem_pair {
  std::string certificate;
  std::string key;
};

/// A new self-signed CA (basicConstraints CA:TRUE, keyCertSign) named `common_name`, valid for
/// `days` days from now.
pem_pair create_ca(std::string_view common_name, int days);

/// A new certificate for node `node_name` (CN and DNS subjectAltName), signed by `ca`, good
/// for both ends of a TLS connection (extendedKeyUsage serverAuth and clientAuth), valid for
/// `days` days from now.
pem_pair create_node_certificate(const pem_pair& ca, std::string_view node_name, int days);

/// Checks that `cert_pem` chains to `ca_cert_pem` and is within its validity period.
/// Returns an empty string when it does, else OpenSSL's reason ("certificate signature
/// failure", "certificate has expired", ...).
std::string verify_certificate(const std::string& ca_cert_pem, const std::string& cert_pem);

/// The certificate's subject common name.
std::string certificate_common_name(const std::string& cert_pem);

/// True when `key_pem` is the private key of `cert_pem`.
bool key_matches_certificate(const std::string& key_pem, const std::string& cert_pem);

}  // namespace plexichat::runtime
