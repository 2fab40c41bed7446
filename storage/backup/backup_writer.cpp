// back_up_directory: the writing half of backup_pipeline.hpp.
#include <algorithm>
#include <fstream>
#include <map>

#include "storage/backup/backup_pipeline.hpp"
#include "storage/backup/erasure_coder.hpp"
#include "storage/backup/sealing.hpp"
#include "storage/backup/shard_codec.hpp"

namespace plexichat::storage::backup {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kReadBlock = 1 << 20;

/// One backup in progress: the chunks it knows (from `previous` and its own files so far).
class backup_writer {
 public:
  backup_writer(const backup_keys& keys, const backup_options& options, const manifest* previous)
      : keys_(keys), options_(options), coder_(options.k, options.m) {
    if (previous != nullptr) {
      for (const auto& c : previous->chunks) {
        known_.emplace(c.name, c);
      }
    }
    out_.contents.backup_id = options.backup_id;
    out_.contents.node = options.node;
    out_.contents.created_ms = options.created_ms;
    out_.contents.k = options.k;
    out_.contents.m = options.m;
  }

  status add_file(const fs::path& file, std::string relative);
  result<backup_output> finish(const master_key& master);

 private:
  /// Records the chunk `plaintext` in `entry`, sealing and coding it when it is new.
  status add_chunk(std::string_view plaintext, file_entry& entry);
  item_shards make_shards(std::string_view name, std::string_view sealed, chunk_entry* entry);

  const backup_keys& keys_;
  const backup_options& options_;
  erasure_coder coder_;
  std::map<std::string, chunk_entry> known_;  // previous backup's chunks, by name
  std::map<std::string, chunk_entry> used_;   // this backup's chunks, by name
  backup_output out_;
};

item_shards backup_writer::make_shards(std::string_view name, std::string_view sealed,
                                       chunk_entry* entry) {
  auto coded = coder_.encode(sealed);
  item_shards out{std::string(name), {}};
  shard_header h{options_.backup_id,
                 std::string(name),
                 0,
                 static_cast<uint8_t>(options_.k),
                 static_cast<uint8_t>(options_.m),
                 sealed.size(),
                 0,
                 0};
  for (std::size_t i = 0; i < coded.shards.size(); ++i) {
    h.index = static_cast<uint8_t>(i);
    out.shards.push_back(encode_shard(h, coded.shards[i]));
    if (entry != nullptr) {
      entry->shard_digests.push_back(shard_digest(static_cast<int>(i), coded.shards[i]));
    }
  }
  return out;
}

status backup_writer::add_chunk(std::string_view plaintext, file_entry& file) {
  std::string name = chunk_name(keys_.naming, plaintext);
  file.chunks.push_back(name);
  file.size += plaintext.size();
  if (used_.count(name) != 0) {
    return {};
  }
  if (auto it = known_.find(name); it != known_.end()) {
    used_.emplace(name, it->second);
    return {};
  }
  auto item = seal(sealed_kind::chunk, name, plaintext, keys_.wrapping, options_.zstd_level);
  if (!item.ok()) {
    return item.error();
  }
  chunk_entry entry{name,       plaintext.size(),   item.value().sealed.size(), options_.k,
                    options_.m, options_.backup_id, item.value().wrapped_key,   {}};
  out_.new_chunks.push_back(make_shards(name, item.value().sealed, &entry));
  for (const auto& s : out_.new_chunks.back().shards) {
    out_.shard_bytes += s.size();
  }
  out_.new_bytes += plaintext.size();
  used_.emplace(name, std::move(entry));
  return {};
}

status backup_writer::add_file(const fs::path& file, std::string relative) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return {errc::io_error, "cannot open " + file.string() + " to back it up"};
  }
  file_entry entry{std::move(relative), 0, {}};
  chunker cut(options_.chunking);
  std::string pending;  // bytes read but not yet in a chunk
  std::string block(kReadBlock, '\0');
  uint64_t pending_start = 0;  // stream offset of pending[0]
  bool more = true;
  while (more) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    std::size_t got = static_cast<std::size_t>(in.gcount());
    more = got == block.size();
    if (in.bad()) {
      return {errc::io_error, "cannot read " + file.string() + " to back it up"};
    }
    std::string_view piece(block.data(), got);
    pending.append(piece);
    auto ends = cut.feed(piece);
    if (!more) {
      auto last = cut.finish();
      ends.insert(ends.end(), last.begin(), last.end());
    }
    std::size_t used = 0;
    for (uint64_t end : ends) {
      std::size_t stop = static_cast<std::size_t>(end - pending_start);
      if (auto s = add_chunk(std::string_view(pending).substr(used, stop - used), entry); !s.ok()) {
        return s;
      }
      used = stop;
    }
    pending.erase(0, used);
    pending_start += used;
  }
  out_.bytes_read += entry.size;
  out_.contents.files.push_back(std::move(entry));
  return {};
}

result<backup_output> backup_writer::finish(const master_key& master) {
  for (auto& [name, entry] : used_) {
    out_.contents.chunks.push_back(std::move(entry));
  }
  auto sealed = seal_manifest(out_.contents, master);
  if (!sealed.ok()) {
    return sealed.error();
  }
  out_.sealed_manifest = std::move(sealed.value());
  out_.manifest_shards = make_shards(manifest_item_name(keys_.naming, options_.backup_id),
                                     out_.sealed_manifest, nullptr);
  return std::move(out_);
}

status check_options(const fs::path& dir, const backup_options& o) {
  if (auto s = erasure_coder::validate(o.k, o.m); !s.ok()) {
    return s;
  }
  if (auto s = validate(o.chunking); !s.ok()) {
    return s;
  }
  if (o.backup_id.empty() || o.backup_id.size() > max_backup_id_bytes) {
    return {errc::invalid_argument, "a backup id has 1 to 64 bytes"};
  }
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return {errc::invalid_argument, "nothing to back up: " + dir.string() + " is not a directory"};
  }
  return {};
}

/// The regular files under `dir`, as paths relative to it, sorted; invalid_argument for
/// anything that is neither a file nor a directory.
result<std::vector<std::string>> list_files(const fs::path& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto type = it->symlink_status(ec).type();
    if (type == fs::file_type::regular) {
      files.push_back(fs::relative(it->path(), dir, ec).generic_string());
    } else if (type != fs::file_type::directory) {
      return status{errc::invalid_argument,
                    "cannot back up " + it->path().string() + ": not a regular file"};
    }
  }
  if (ec) {
    return status{errc::io_error, "cannot list " + dir.string() + ": " + ec.message()};
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

result<backup_output> back_up_directory(const fs::path& dir, const master_key& master,
                                        const backup_options& options, const manifest* previous) {
  auto keys = derive_keys(master);
  if (!keys.ok()) {
    return keys.error();
  }
  if (auto s = check_options(dir, options); !s.ok()) {
    return s;
  }
  auto files = list_files(dir);
  if (!files.ok()) {
    return files.error();
  }
  backup_writer writer(keys.value(), options, previous);
  for (const auto& relative : files.value()) {
    if (auto s = writer.add_file(dir / relative, relative); !s.ok()) {
      return s;
    }
  }
  return writer.finish(master);
}

}  // namespace plexichat::storage::backup
