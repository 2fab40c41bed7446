#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/records.hpp"

namespace plexichat::storage {

/// The format version written as the first byte of every encoded record.
inline constexpr uint8_t record_format_version = 1;

// Encoding of every record kind: the format version byte, then the fields in declaration
// order: uint64 as 8 big-endian bytes, int64 as 8 big-endian bytes of its two's complement,
// bool as one byte (0 or 1), strings as a LEB128 varint length followed by the bytes.
// Decoding rejects (nullopt) an unknown version, truncation, trailing bytes, a bool other
// than 0/1, and a length that overflows 64 bits or runs past the end. Thread-safe (pure).

std::string encode(const user_record& record);
std::string encode(const channel_record& record);
std::string encode(const member_record& record);
std::string encode(const message_record& record);
std::string encode(const nonce_record& record);
/// Every field including the mac.
std::string encode(const audit_record& record);
/// Every field but the mac: the bytes the audit chain's MAC covers.
std::string encode_audit_body(const audit_record& record);
/// A list of strings is a u64 count followed by each string.
std::string encode(const mfa_record& record);
std::string encode(const session_record& record);

std::optional<user_record> decode_user(std::string_view bytes);
std::optional<channel_record> decode_channel(std::string_view bytes);
std::optional<member_record> decode_member(std::string_view bytes);
std::optional<message_record> decode_message(std::string_view bytes);
std::optional<nonce_record> decode_nonce(std::string_view bytes);
std::optional<audit_record> decode_audit(std::string_view bytes);
std::optional<mfa_record> decode_mfa(std::string_view bytes);
std::optional<session_record> decode_session(std::string_view bytes);

}  // namespace plexichat::storage
