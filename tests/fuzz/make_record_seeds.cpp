// Writes the seeds of corpus/record_decode_fuzz: one file per example, its first byte the
// decoder record_decode_fuzz.cpp picks (0..4 and 9..11 records, 5..8 and 12 keys), then the
// encoded bytes.
// Usage: make_record_seeds DIR

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "storage/keys.hpp"
#include "storage/record_codec.hpp"

namespace {

namespace storage = plexichat::storage;

bool write_seed(const std::string& dir, const std::string& name, uint8_t which,
                const std::string& bytes) {
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out.put(static_cast<char>(which));
  out << bytes;
  return static_cast<bool>(out);
}

const std::string long_text(300, 'x');  // a length that needs a two-byte varint

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_record_seeds DIR\n");
    return 2;
  }
  std::string dir = argv[1];
  bool ok = true;
  ok &= write_seed(dir, "user", 0,
                   storage::encode(storage::user_record{
                       "u_1", "alice", "$argon2id$v=19$m=65536,t=2,p=1$abc", 1764000000000}));
  ok &= write_seed(dir, "user_empty", 0, storage::encode(storage::user_record{}));
  ok &= write_seed(
      dir, "channel", 1,
      storage::encode(storage::channel_record{"c_1", "general", "Talk about \xc3\xa9t\xc3\xa9",
                                              false, "u_1", 1764000000001}));
  ok &= write_seed(
      dir, "channel_private", 1,
      storage::encode(storage::channel_record{"c_2", "ops", long_text, true, "u_2", -1}));
  ok &= write_seed(dir, "member", 2,
                   storage::encode(storage::member_record{"c_1", "u_1", 1764000000002}));
  ok &= write_seed(dir, "message", 3,
                   storage::encode(storage::message_record{"m_1", "c_1", 1, "u_1", "alice",
                                                           "hello\nworld", 1764000000003, "n-1"}));
  ok &= write_seed(dir, "message_long", 3,
                   storage::encode(storage::message_record{"m_2", "c_1", UINT64_MAX, "u_2", "bob",
                                                           long_text, 0, ""}));
  ok &= write_seed(dir, "nonce", 4, storage::encode(storage::nonce_record{7, 1764000000004}));
  ok &= write_seed(dir, "key_message", 5, storage::message_key("c_1", 42));
  ok &= write_seed(dir, "key_member", 6, storage::member_key("c_1", "u_1"));
  ok &= write_seed(dir, "key_user_channels", 7, storage::user_channels_key("u_1", "c_1"));
  ok &= write_seed(dir, "key_nonce", 8, storage::nonce_key("c_1", "u_1", std::string("n\0x-1", 5)));
  ok &= write_seed(dir, "audit", 9,
                   storage::encode(storage::audit_record{
                       3, 1764000000005, "auth.login", "u_1", "u_1", "127.0.0.1",
                       R"({"username":"alice"})", std::string(32, '\x5a')}));
  ok &= write_seed(dir, "mfa", 10,
                   storage::encode(storage::mfa_record{"u_1",
                                                       std::string(20, '\x11'),
                                                       true,
                                                       58800000,
                                                       std::string(32, '\x22'),
                                                       {std::string(32, '\x33'), ""}}));
  ok &= write_seed(
      dir, "session", 11,
      storage::encode(storage::session_record{"t_1", "u_1", "Mozilla/5.0", "::1", 1764000000006,
                                              1764000000007, 1764600000000}));
  ok &= write_seed(dir, "key_audit", 12, storage::audit_key(3));
  return ok ? 0 : 1;
}
