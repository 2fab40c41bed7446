#include "runtime/certs.hpp"

#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace plexichat::runtime {

namespace {

template <class T, void (*Free)(T*)>
struct deleter {
  void operator()(T* p) const { Free(p); }
};
template <class T, void (*Free)(T*)>
using owned = std::unique_ptr<T, deleter<T, Free>>;

using bio_ptr = owned<BIO, BIO_free_all>;
using bignum_ptr = owned<BIGNUM, BN_free>;
using key_ptr = owned<EVP_PKEY, EVP_PKEY_free>;
using x509_ptr = owned<X509, X509_free>;
using store_ptr = owned<X509_STORE, X509_STORE_free>;
using store_ctx_ptr = owned<X509_STORE_CTX, X509_STORE_CTX_free>;
using ext_ptr = owned<X509_EXTENSION, X509_EXTENSION_free>;

/// Throws cert_error with `what` and the reason OpenSSL left on this thread's error queue.
[[noreturn]] void fail(std::string_view what) {
  std::string msg{what};
  if (auto code = ERR_get_error(); code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    msg += ": ";
    msg += buf;
  }
  ERR_clear_error();
  throw cert_error(msg);
}

template <class T>
T* check(T* p, std::string_view what) {
  if (p == nullptr) {
    fail(what);
  }
  return p;
}

void check(int rc, std::string_view what) {
  if (rc <= 0) {
    fail(what);
  }
}

key_ptr new_key() {
  return key_ptr{check(EVP_EC_gen("P-256"), "generating a P-256 key")};
}

bio_ptr memory_bio(const std::string& pem) {
  return bio_ptr{check(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), "BIO")};
}

x509_ptr read_certificate(const std::string& pem) {
  auto bio = memory_bio(pem);
  return x509_ptr{
      check(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), "reading a PEM certificate")};
}

key_ptr read_key(const std::string& pem) {
  auto bio = memory_bio(pem);
  return key_ptr{check(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr),
                       "reading a PEM private key")};
}

std::string drain(BIO* bio) {
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string to_pem(X509* cert) {
  bio_ptr bio{check(BIO_new(BIO_s_mem()), "BIO")};
  check(PEM_write_bio_X509(bio.get(), cert), "writing a certificate");
  return drain(bio.get());
}

std::string to_pem(EVP_PKEY* key) {
  bio_ptr bio{check(BIO_new(BIO_s_mem()), "BIO")};
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
        "writing a private key");
  return drain(bio.get());
}

/// A certificate for `key`, named `common_name`, with a random 127-bit serial, not yet signed.
x509_ptr new_certificate(EVP_PKEY* key, std::string_view common_name, int days) {
  x509_ptr cert{check(X509_new(), "X509_new")};
  check(X509_set_version(cert.get(), 2), "setting the version");
  bignum_ptr serial{check(BN_new(), "BN_new")};
  check(BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "serial");
  check(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())), "serial");
  check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) != nullptr, "notBefore");
  check(X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr) != nullptr, "notAfter");
  check(X509_set_pubkey(cert.get(), key), "setting the public key");
  auto* name = X509_get_subject_name(cert.get());
  std::string cn{common_name};
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0),
        "setting the common name");
  return cert;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ext_ptr ext{check(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()), value)};
  check(X509_add_ext(cert, ext.get(), -1), "adding an extension");
}

void sign(X509* cert, EVP_PKEY* key) {
  check(X509_sign(cert, key, EVP_sha256()), "signing the certificate");
}

}  // namespace

pem_pair create_ca(std::string_view common_name, int days) {
  auto key = new_key();
  auto cert = new_certificate(key.get(), common_name, days);
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())), "issuer");
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  sign(cert.get(), key.get());
  return {to_pem(cert.get()), to_pem(key.get())};
}

pem_pair create_node_certificate(const pem_pair& ca, std::string_view node_name, int days) {
  auto ca_cert = read_certificate(ca.certificate);
  auto ca_key = read_key(ca.key);
  if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1) {
    ERR_clear_error();
    throw cert_error("the CA key does not belong to the CA certificate");
  }
  auto key = new_key();
  auto cert = new_certificate(key.get(), node_name, days);
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())), "issuer");
  add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca_cert.get(), NID_key_usage,
                "critical,digitalSignature,keyEncipherment,keyAgreement");
  add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  add_extension(cert.get(), ca_cert.get(), NID_subject_alt_name, "DNS:" + std::string{node_name});
  add_extension(cert.get(), ca_cert.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always");
  sign(cert.get(), ca_key.get());
  return {to_pem(cert.get()), to_pem(key.get())};
}

std::string verify_certificate(const std::string& ca_cert_pem, const std::string& cert_pem) {
  auto ca = read_certificate(ca_cert_pem);
  auto cert = read_certificate(cert_pem);
  store_ptr store{check(X509_STORE_new(), "X509_STORE_new")};
  check(X509_STORE_add_cert(store.get(), ca.get()), "adding the CA");
  store_ctx_ptr ctx{check(X509_STORE_CTX_new(), "X509_STORE_CTX_new")};
  check(X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr), "verify context");
  if (X509_verify_cert(ctx.get()) == 1) {
    return {};
  }
  ERR_clear_error();
  return X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
}

std::string certificate_common_name(const std::string& cert_pem) {
  auto cert = read_certificate(cert_pem);
  char buf[256] = {};
  auto len =
      X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, buf, sizeof buf);
  return len < 0 ? std::string{} : std::string(buf, static_cast<size_t>(len));
}

bool key_matches_certificate(const std::string& key_pem, const std::string& cert_pem) {
  auto cert = read_certificate(cert_pem);
  auto key = read_key(key_pem);
  bool ok = X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace plexichat::runtime
