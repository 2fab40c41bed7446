#include "storage/backup/manifest.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "runtime/crypto.hpp"
#include "storage/backup/backup_hashes.hpp"
#include "storage/backup/backup_keys.hpp"
#include "storage/backup/erasure_coder.hpp"
#include "storage/backup/sealing.hpp"
#include "storage/backup/shard_codec.hpp"

namespace plexichat::storage::backup {

namespace {

using json = nlohmann::json;

// 2: chunk names HMAC-SHA-256 and shard digests SHA-256 (1: keyed and plain BLAKE2b).
constexpr int kFormat = 2;
constexpr std::string_view kSealedMagic = "PXMF";
constexpr char kSealedVersion = 1;
constexpr std::string_view kSealedName = "manifest";
constexpr int kLevel = 3;
constexpr std::size_t kMaxManifestBytes = 256u << 20;

status bad_manifest(const std::string& why) {
  return {errc::corruption, "invalid backup manifest: " + why};
}

/// A thrown reason a manifest's JSON is invalid; caught in manifest_from_json only.
struct invalid_manifest {
  std::string why;
};

const json& member(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) {
    throw invalid_manifest{std::string("missing \"") + key + "\""};
  }
  return j.at(key);
}

template <class T>
T field(const json& j, const char* key) {
  const json& v = member(j, key);
  bool fits = false;
  if constexpr (std::is_same_v<T, std::string>) {
    fits = v.is_string();
  } else if constexpr (std::is_unsigned_v<T>) {
    fits = v.is_number_unsigned();
  } else {
    fits = v.is_number_integer();
  }
  if (!fits) {
    throw invalid_manifest{std::string("\"") + key + "\" has the wrong type"};
  }
  return v.get<T>();
}

std::string hex_field(const json& j, const char* key, std::size_t bytes) {
  auto raw = runtime::from_hex(field<std::string>(j, key));
  if (!raw || raw->size() != bytes) {
    throw invalid_manifest{std::string("\"") + key + "\" is not " + std::to_string(bytes) +
                           " bytes of hex"};
  }
  return *raw;
}

}  // namespace

bool is_safe_relative_path(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.find('\0') != std::string_view::npos) {
    return false;
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = std::min(path.find('/', start), path.size());
    auto part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return false;
    }
    start = end + 1;
  }
  return true;
}

namespace {

json chunk_to_json(const chunk_entry& c) {
  json digests = json::array();
  for (const auto& d : c.shard_digests) {
    digests.push_back(runtime::to_hex(d));
  }
  return {{"name", runtime::to_hex(c.name)},
          {"size", c.size},
          {"sealed_size", c.sealed_size},
          {"k", c.k},
          {"m", c.m},
          {"backup_id", c.backup_id},
          {"wrapped_key", runtime::base64url_encode(c.wrapped_key)},
          {"shards", digests}};
}

chunk_entry chunk_from_json(const json& j) {
  chunk_entry c;
  c.name = hex_field(j, "name", chunk_name_bytes);
  c.size = field<uint64_t>(j, "size");
  c.sealed_size = field<uint64_t>(j, "sealed_size");
  c.k = field<int>(j, "k");
  c.m = field<int>(j, "m");
  c.backup_id = field<std::string>(j, "backup_id");
  auto key = runtime::base64url_decode(field<std::string>(j, "wrapped_key"));
  if (!key || key->size() != wrapped_key_bytes) {
    throw invalid_manifest{"a chunk's wrapped key is not valid"};
  }
  c.wrapped_key = *key;
  if (!erasure_coder::validate(c.k, c.m).ok() || c.backup_id.empty() ||
      c.backup_id.size() > max_backup_id_bytes) {
    throw invalid_manifest{"a chunk's k, m or backup id is out of range"};
  }
  const json& shards = member(j, "shards");
  if (!shards.is_array() || shards.size() != static_cast<std::size_t>(c.k + c.m)) {
    throw invalid_manifest{"a chunk does not list k + m shard digests"};
  }
  for (const auto& d : shards) {
    auto raw = d.is_string() ? runtime::from_hex(d.get<std::string>()) : std::nullopt;
    if (!raw || raw->size() != 32) {
      throw invalid_manifest{"a shard digest is not 32 bytes of hex"};
    }
    c.shard_digests.push_back(*raw);
  }
  return c;
}

file_entry file_from_json(const json& j, const manifest& m) {
  file_entry f;
  f.path = field<std::string>(j, "path");
  f.size = field<uint64_t>(j, "size");
  if (!is_safe_relative_path(f.path)) {
    throw invalid_manifest{"unsafe file path \"" + f.path + "\""};
  }
  const json& chunks = member(j, "chunks");
  if (!chunks.is_array()) {
    throw invalid_manifest{"a file's chunks are not an array"};
  }
  uint64_t total = 0;
  for (const auto& c : chunks) {
    auto raw = c.is_string() ? runtime::from_hex(c.get<std::string>()) : std::nullopt;
    const chunk_entry* entry = raw ? m.find(*raw) : nullptr;
    if (entry == nullptr) {
      throw invalid_manifest{"file \"" + f.path + "\" uses a chunk the manifest does not list"};
    }
    total += entry->size;
    f.chunks.push_back(*raw);
  }
  if (total != f.size) {
    throw invalid_manifest{"file \"" + f.path + "\" is not the sum of its chunks"};
  }
  return f;
}

manifest parse_manifest(const json& j) {
  if (field<int>(j, "format") != kFormat) {
    throw invalid_manifest{"unknown format"};
  }
  manifest m;
  m.backup_id = field<std::string>(j, "backup_id");
  m.created_ms = field<int64_t>(j, "created_ms");
  m.node = field<std::string>(j, "node");
  m.k = field<int>(j, "k");
  m.m = field<int>(j, "m");
  const json& chunks = member(j, "chunks");
  const json& files = member(j, "files");
  if (!chunks.is_array() || !files.is_array()) {
    throw invalid_manifest{"\"chunks\" and \"files\" must be arrays"};
  }
  for (const auto& c : chunks) {
    m.chunks.push_back(chunk_from_json(c));
  }
  std::sort(m.chunks.begin(), m.chunks.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (std::size_t i = 1; i < m.chunks.size(); ++i) {
    if (m.chunks[i - 1].name == m.chunks[i].name) {
      throw invalid_manifest{"a chunk is listed twice"};
    }
  }
  for (const auto& f : files) {
    m.files.push_back(file_from_json(f, m));
  }
  return m;
}

}  // namespace

const chunk_entry* manifest::find(std::string_view name) const {
  auto it = std::lower_bound(chunks.begin(), chunks.end(), name,
                             [](const chunk_entry& c, std::string_view n) { return c.name < n; });
  return it != chunks.end() && it->name == name ? &*it : nullptr;
}

std::string shard_digest(int index, std::string_view payload) {
  return sha256_prefixed(static_cast<char>(index), payload);
}

std::string to_json_text(const manifest& m) {
  json files = json::array();
  for (const auto& f : m.files) {
    json chunks = json::array();
    for (const auto& c : f.chunks) {
      chunks.push_back(runtime::to_hex(c));
    }
    files.push_back({{"path", f.path}, {"size", f.size}, {"chunks", chunks}});
  }
  json chunks = json::array();
  for (const auto& c : m.chunks) {
    chunks.push_back(chunk_to_json(c));
  }
  json j = {{"format", kFormat},
            {"backup_id", m.backup_id},
            {"created_ms", m.created_ms},
            {"node", m.node},
            {"k", m.k},
            {"m", m.m},
            {"files", files},
            {"chunks", chunks}};
  return j.dump();
}

result<manifest> manifest_from_json(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    return bad_manifest("not JSON");
  }
  try {
    return parse_manifest(j);
  } catch (const invalid_manifest& e) {
    return bad_manifest(e.why);
  } catch (const json::exception& e) {
    return bad_manifest(e.what());
  }
}

result<std::string> seal_manifest(const manifest& m, const master_key& master) {
  auto keys = derive_keys(master);
  if (!keys.ok()) {
    return keys.error();
  }
  auto item =
      seal(sealed_kind::manifest, kSealedName, to_json_text(m), keys.value().manifest, kLevel);
  if (!item.ok()) {
    return item.error();
  }
  std::string out(kSealedMagic);
  out.push_back(kSealedVersion);
  out.append(item.value().wrapped_key).append(item.value().sealed);
  return out;
}

result<manifest> open_manifest(std::string_view sealed, const master_key& master) {
  auto keys = derive_keys(master);
  if (!keys.ok()) {
    return keys.error();
  }
  std::size_t head = kSealedMagic.size() + 1;
  if (sealed.size() < head + wrapped_key_bytes || sealed.substr(0, 4) != kSealedMagic ||
      sealed[4] != kSealedVersion) {
    return bad_manifest("not a sealed manifest (magic, version or length)");
  }
  sealed_item item{std::string(sealed.substr(head + wrapped_key_bytes)),
                   std::string(sealed.substr(head, wrapped_key_bytes))};
  auto text =
      unseal(sealed_kind::manifest, kSealedName, item, keys.value().manifest, kMaxManifestBytes);
  if (!text.ok()) {
    return text.error();
  }
  return manifest_from_json(text.value());
}

result<std::string> rotate_manifest(std::string_view sealed, const master_key& old_master,
                                    const master_key& new_master) {
  auto old_keys = derive_keys(old_master);
  auto new_keys = derive_keys(new_master);
  if (!old_keys.ok() || !new_keys.ok()) {
    return status{errc::invalid_argument, "a backup master key has 32 bytes"};
  }
  auto m = open_manifest(sealed, old_master);
  if (!m.ok()) {
    return m.error();
  }
  for (auto& c : m.value().chunks) {
    auto key = rewrap(sealed_kind::chunk, c.name, c.wrapped_key, old_keys.value().wrapping,
                      new_keys.value().wrapping);
    if (!key.ok()) {
      return key.error();
    }
    c.wrapped_key = std::move(key.value());
  }
  return seal_manifest(m.value(), new_master);
}

std::string manifest_item_name(std::string_view naming_key, std::string_view backup_id) {
  return chunk_name(naming_key, std::string("plexichat-manifest") + '\0' + std::string(backup_id));
}

}  // namespace plexichat::storage::backup
