#pragma once

#include <iosfwd>

/// `plexichat-node cert ...` (PROTOCOL.md "Running a node"):
///   cert create-ca        --certs-dir DIR --ca-key FILE [--days N] [--ca-name CN]
///   cert create-node NAME --certs-dir DIR --ca-key FILE [--days N]
/// create-ca makes the cluster's CA: its certificate goes to DIR/ca.crt (0644), its key and a
/// copy of its certificate to FILE (PEM, 0600), which must lie outside DIR. create-node makes
/// node NAME's key and certificate, signed by the CA read from FILE, and writes ca.crt,
/// node.crt (0644) and node.key (0600) into DIR, creating DIR. Nothing is ever overwritten: an
/// existing file is an error. Returns the exit status (0 done, 1 failed, 2 usage) after
/// writing what happened to `out` or one line to `err`. `argv[0]` is "cert".
namespace plexichat::tools {

int run_cert_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace plexichat::tools
