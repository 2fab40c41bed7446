// OpenSSL requires the calling thread's error queue to be empty before each TLS I/O call,
// or SSL_get_error() reports an error left by an earlier call on another connection
// (SSL_get_error(3)). CAF 0.17's openssl module runs every cluster connection on one
// multiplexer thread and never clears the queue. With OpenSSL 3, a peer that goes away
// without close_notify (a console that exits, a node that is killed) leaves "unexpected eof
// while reading" in the queue, and the next read on any other, healthy connection is then
// taken for a TLS failure and that connection is closed: one console command dropped every
// connection of the cluster.
//
// These definitions, linked into the programs and exported (see plexichat_clear_openssl_errors
// in runtime/CMakeLists.txt), interpose on libssl's for every caller in the process, CAF
// included: each clears the queue, as OpenSSL asks, then calls libssl's own function.
#include <dlfcn.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

template <class Fn>
Fn next_definition(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static const auto real = next_definition<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static const auto real = next_definition<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_accept(SSL* ssl) {
  static const auto real = next_definition<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return real(ssl);
}

int SSL_connect(SSL* ssl) {
  static const auto real = next_definition<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return real(ssl);
}

}  // extern "C"
