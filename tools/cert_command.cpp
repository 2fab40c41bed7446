#include "tools/cert_command.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <ostream>

#include <CLI/CLI.hpp>

#include "runtime/certs.hpp"
#include "runtime/files.hpp"

namespace plexichat::tools {

namespace {

namespace fs = std::filesystem;

struct cert_args {
  std::string certs_dir;
  std::string ca_key;
  std::string node_name;
  std::string ca_name = "PlexiChat cluster CA";
  int days = 0;
};

/// A failed step: the line for stderr.
struct step_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void write(const fs::path& path, const std::string& bytes, unsigned mode) {
  if (auto e = runtime::write_new_file(path.string(), bytes, mode); !e.empty()) {
    throw step_error(e);
  }
}

void make_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw step_error(dir + ": " + ec.message());
  }
}

/// The CA's key must never sit in a directory that is handed to a node.
void check_key_outside(const cert_args& a) {
  auto dir = fs::weakly_canonical(a.certs_dir);
  auto key = fs::weakly_canonical(a.ca_key);
  auto rel = key.lexically_relative(dir);
  if (!rel.empty() && *rel.begin() != "..") {
    throw step_error("--ca-key " + a.ca_key + " lies inside --certs-dir " + a.certs_dir +
                     "; keep the CA's key outside every certs directory");
  }
}

runtime::pem_pair read_ca(const std::string& path) {
  std::string error;
  auto pem = runtime::read_whole_file(path, error);
  if (!pem) {
    throw step_error("--ca-key " + error);
  }
  // The CA file holds the key and then the certificate (as create-ca writes it).
  auto at = pem->find("-----BEGIN CERTIFICATE-----");
  if (at == std::string::npos) {
    throw step_error("--ca-key " + path + " holds no CA certificate; make it with cert create-ca");
  }
  return {pem->substr(at), pem->substr(0, at)};
}

void create_ca(const cert_args& a, std::ostream& out) {
  check_key_outside(a);
  make_dir(a.certs_dir);
  auto ca = runtime::create_ca(a.ca_name, a.days);
  write(a.ca_key, ca.key + ca.certificate, 0600);
  write(fs::path{a.certs_dir} / "ca.crt", ca.certificate, 0644);
  out << "created the CA \"" << a.ca_name << "\": certificate " << a.certs_dir << "/ca.crt, key "
      << a.ca_key << " (keep it outside every certs directory)\n";
}

void create_node(const cert_args& a, std::ostream& out) {
  auto ok_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  };
  const auto& n = a.node_name;
  if (n.empty() || n.size() > 63 || !std::isalnum(static_cast<unsigned char>(n[0])) ||
      !std::all_of(n.begin(), n.end(), ok_char)) {
    throw step_error("node name '" + a.node_name +
                     "' must be 1-63 of letters, digits, '.', '_' and '-'");
  }
  check_key_outside(a);
  auto ca = read_ca(a.ca_key);
  auto node = runtime::create_node_certificate(ca, a.node_name, a.days);
  make_dir(a.certs_dir);
  auto dir = fs::path{a.certs_dir};
  if (fs::exists(dir / "ca.crt")) {
    std::string error;
    if (runtime::read_whole_file((dir / "ca.crt").string(), error) != ca.certificate) {
      throw step_error((dir / "ca.crt").string() + " is another CA's certificate");
    }
  } else {
    write(dir / "ca.crt", ca.certificate, 0644);
  }
  write(dir / "node.key", node.key, 0600);
  write(dir / "node.crt", node.certificate, 0644);
  out << "created node " << a.node_name << ": " << a.certs_dir << "/node.crt and node.key, "
      << "signed by the CA in " << a.ca_key << "\n";
}

}  // namespace

int run_cert_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"Makes the cluster's CA and node certificates", "plexichat-node cert"};
  app.require_subcommand(1);
  cert_args a;
  auto* ca = app.add_subcommand("create-ca", "Make the cluster's certificate authority");
  ca->add_option("--certs-dir", a.certs_dir, "Where ca.crt goes")->required();
  ca->add_option("--ca-key", a.ca_key, "Where the CA's key goes (outside certs dirs)")->required();
  ca->add_option("--ca-name", a.ca_name, "The CA's common name");
  ca->add_option("--days", a.days, "Validity in days")
      ->default_val(3650)
      ->check(CLI::Range(1, 36500));
  auto* node = app.add_subcommand("create-node", "Make a node's key and certificate");
  node->add_option("NAME", a.node_name, "The node's name")->required();
  node->add_option("--certs-dir", a.certs_dir, "The node's certs directory")->required();
  node->add_option("--ca-key", a.ca_key, "The CA's key file")->required();
  node->add_option("--days", a.days, "Validity in days")
      ->default_val(825)
      ->check(CLI::Range(1, 36500));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is 0; every usage error is 2, whatever CLI11's own code for it.
    return app.exit(e, out, err) == 0 ? 0 : 2;
  }
  try {
    ca->parsed() ? create_ca(a, out) : create_node(a, out);
    return 0;
  } catch (const std::exception& e) {
    err << "plexichat-node cert: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace plexichat::tools
