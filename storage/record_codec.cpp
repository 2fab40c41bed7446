#include "storage/record_codec.hpp"

#include "storage/byte_order.hpp"

namespace plexichat::storage {
namespace {

// Builds one record: the version byte first, then each field in order.
class record_writer {
 public:
  record_writer() { out_.push_back(static_cast<char>(record_format_version)); }

  record_writer& u64(uint64_t value) {
    append_u64_be(out_, value);
    return *this;
  }

  record_writer& i64(int64_t value) { return u64(static_cast<uint64_t>(value)); }

  record_writer& boolean(bool value) {
    out_.push_back(value ? 1 : 0);
    return *this;
  }

  record_writer& str(std::string_view value) {
    uint64_t length = value.size();
    do {
      auto low = static_cast<unsigned char>(length & 0x7f);
      length >>= 7;
      out_.push_back(static_cast<char>(length != 0 ? (low | 0x80) : low));
    } while (length != 0);
    out_.append(value);
    return *this;
  }

  record_writer& strs(const std::vector<std::string>& values) {
    u64(values.size());
    for (const auto& v : values) {
      str(v);
    }
    return *this;
  }

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads one record field by field; the first failure sticks, so a decoder reads every field
// and checks once at the end with done().
class record_reader {
 public:
  explicit record_reader(std::string_view in) : in_(in) {
    ok_ = !in_.empty() && static_cast<uint8_t>(in_[0]) == record_format_version;
    pos_ = 1;
  }

  record_reader& u64(uint64_t& value) {
    if (ok_ && remaining() >= 8) {
      value = load_u64_be(in_.substr(pos_, 8));
      pos_ += 8;
    } else {
      ok_ = false;
    }
    return *this;
  }

  record_reader& i64(int64_t& value) {
    uint64_t bits = 0;
    u64(bits);
    value = static_cast<int64_t>(bits);
    return *this;
  }

  /// A trailing field added to a record after its first format: read when present, else
  /// `value` stays as it is.
  record_reader& optional_i64(int64_t& value) {
    if (ok_ && remaining() == 0) {
      return *this;
    }
    return i64(value);
  }

  record_reader& boolean(bool& value) {
    if (ok_ && remaining() >= 1 && static_cast<uint8_t>(in_[pos_]) <= 1) {
      value = in_[pos_] == 1;
      ++pos_;
    } else {
      ok_ = false;
    }
    return *this;
  }

  record_reader& str(std::string& value) {
    uint64_t length = 0;
    if (ok_ && varint(length) && length <= remaining()) {
      value.assign(in_.substr(pos_, length));
      pos_ += length;
    } else {
      ok_ = false;
    }
    return *this;
  }

  record_reader& strs(std::vector<std::string>& values) {
    uint64_t count = 0;
    u64(count);
    // Each string takes at least one byte, which bounds a corrupt count.
    if (count > remaining()) {
      ok_ = false;
    }
    for (uint64_t i = 0; ok_ && i < count; ++i) {
      str(values.emplace_back());
    }
    return *this;
  }

  /// True when every field decoded and no byte is left over.
  bool done() const { return ok_ && pos_ == in_.size(); }

 private:
  std::size_t remaining() const { return in_.size() - pos_; }

  bool varint(uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64 && pos_ < in_.size(); shift += 7) {
      auto byte = static_cast<uint8_t>(in_[pos_++]);
      // The tenth byte may only carry the 64th bit.
      if (shift == 63 && byte > 1) {
        return false;
      }
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        return true;
      }
    }
    return false;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = false;
};

template <class T>
std::optional<T> finish(const record_reader& reader, T&& record) {
  if (!reader.done()) {
    return std::nullopt;
  }
  return std::optional<T>(std::forward<T>(record));
}

}  // namespace

std::string encode(const user_record& r) {
  return record_writer{}
      .str(r.id)
      .str(r.username)
      .str(r.password_hash)
      .i64(r.created_at)
      .i64(r.version)
      .take();
}

std::string encode(const channel_record& r) {
  return record_writer{}
      .str(r.id)
      .str(r.name)
      .str(r.topic)
      .boolean(r.is_private)
      .str(r.owner_id)
      .i64(r.created_at)
      .take();
}

std::string encode(const member_record& r) {
  return record_writer{}.str(r.channel_id).str(r.user_id).i64(r.joined_at).take();
}

std::string encode(const message_record& r) {
  return record_writer{}
      .str(r.id)
      .str(r.channel_id)
      .u64(r.seq)
      .str(r.author_id)
      .str(r.author)
      .str(r.content)
      .i64(r.created_at)
      .str(r.nonce)
      .take();
}

std::string encode(const nonce_record& r) {
  return record_writer{}.u64(r.seq).i64(r.created_at).take();
}

namespace {

record_writer audit_body(const audit_record& r) {
  record_writer w;
  w.u64(r.seq).i64(r.time).str(r.type).str(r.actor_id).str(r.subject).str(r.address);
  w.str(r.detail);
  return w;
}

}  // namespace

std::string encode_audit_body(const audit_record& r) {
  return audit_body(r).take();
}

std::string encode(const audit_record& r) {
  return audit_body(r).str(r.mac).take();
}

std::optional<user_record> decode_user(std::string_view bytes) {
  user_record r;
  record_reader reader(bytes);
  reader.str(r.id).str(r.username).str(r.password_hash).i64(r.created_at);
  // Records written before versions existed end here; they are version 0.
  reader.optional_i64(r.version);
  return finish(reader, std::move(r));
}

std::optional<channel_record> decode_channel(std::string_view bytes) {
  channel_record r;
  record_reader reader(bytes);
  reader.str(r.id).str(r.name).str(r.topic).boolean(r.is_private).str(r.owner_id);
  reader.i64(r.created_at);
  return finish(reader, std::move(r));
}

std::optional<member_record> decode_member(std::string_view bytes) {
  member_record r;
  record_reader reader(bytes);
  reader.str(r.channel_id).str(r.user_id).i64(r.joined_at);
  return finish(reader, std::move(r));
}

std::optional<message_record> decode_message(std::string_view bytes) {
  message_record r;
  record_reader reader(bytes);
  reader.str(r.id).str(r.channel_id).u64(r.seq).str(r.author_id).str(r.author);
  reader.str(r.content).i64(r.created_at).str(r.nonce);
  return finish(reader, std::move(r));
}

std::optional<nonce_record> decode_nonce(std::string_view bytes) {
  nonce_record r;
  record_reader reader(bytes);
  reader.u64(r.seq).i64(r.created_at);
  return finish(reader, std::move(r));
}

std::optional<audit_record> decode_audit(std::string_view bytes) {
  audit_record r;
  record_reader reader(bytes);
  reader.u64(r.seq).i64(r.time).str(r.type).str(r.actor_id).str(r.subject).str(r.address);
  reader.str(r.detail).str(r.mac);
  return finish(reader, std::move(r));
}

std::string encode(const mfa_record& r) {
  return record_writer{}
      .str(r.user_id)
      .str(r.totp_secret)
      .boolean(r.enabled)
      .i64(r.last_step)
      .str(r.backup_key)
      .strs(r.backup_hashes)
      .i64(r.version)
      .take();
}

std::string encode(const session_record& r) {
  return record_writer{}
      .str(r.id)
      .str(r.user_id)
      .str(r.device)
      .str(r.address)
      .i64(r.created_at)
      .i64(r.last_used_at)
      .i64(r.expires_at)
      .take();
}

std::optional<mfa_record> decode_mfa(std::string_view bytes) {
  mfa_record r;
  record_reader reader(bytes);
  reader.str(r.user_id).str(r.totp_secret).boolean(r.enabled).i64(r.last_step);
  reader.str(r.backup_key).strs(r.backup_hashes);
  // Records written before versions existed end here; they are version 0.
  reader.optional_i64(r.version);
  return finish(reader, std::move(r));
}

std::optional<session_record> decode_session(std::string_view bytes) {
  session_record r;
  record_reader reader(bytes);
  reader.str(r.id).str(r.user_id).str(r.device).str(r.address);
  reader.i64(r.created_at).i64(r.last_used_at).i64(r.expires_at);
  return finish(reader, std::move(r));
}

}  // namespace plexichat::storage
