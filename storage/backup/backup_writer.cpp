// back_up_directory: the writing half of backup_pipeline.hpp.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "storage/backup/backup_pipeline.hpp"
#include "storage/backup/erasure_coder.hpp"
#include "storage/backup/sealing.hpp"
#include "storage/backup/shard_codec.hpp"

namespace plexichat::storage::backup {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kReadBlock = 1 << 20;
// Chunks are named, sealed and coded in batches of about this many plaintext bytes: enough
// chunks to keep every thread busy, few enough to keep memory at a few tens of MiB.
constexpr std::size_t kBatchBytes = 16 << 20;

/// Runs fn(0) .. fn(n - 1) on up to `threads` threads, the calling one among them, and
/// returns when all are done. `fn` must not throw.
void run_parallel(std::size_t n, int threads, const std::function<void(std::size_t)>& fn) {
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < n;) {
      fn(i);
    }
  };
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < std::min<std::size_t>(static_cast<std::size_t>(threads), n); ++t) {
    helpers.emplace_back(work);
  }
  work();
  for (auto& h : helpers) {
    h.join();
  }
}

int thread_count(int requested) {
  if (requested > 0) {
    return requested;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

/// One backup in progress: the chunks it knows (from `previous` and its own files so far).
/// The calling thread reads and chunks; each batch of chunks is named, then its new chunks
/// sealed and coded, on `options.threads` threads. Results are taken in chunk order, so the
/// output is the same whatever the number of threads (but for the random keys and nonces).
class backup_writer {
 public:
  backup_writer(const backup_keys& keys, const backup_options& options, const manifest* previous)
      : keys_(keys),
        options_(options),
        coder_(options.k, options.m),
        threads_(thread_count(options.threads)) {
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
  /// A new chunk sealed and coded, or the error that stopped it.
  struct coded_chunk {
    status error;
    item_shards shards;
    chunk_entry entry;
  };

  /// Names the batch's chunks and records them in `file`, then seals and codes the new ones.
  status flush(file_entry& file);
  coded_chunk code_chunk(const std::string& name, std::string_view plaintext) const;
  item_shards make_shards(std::string_view name, std::string_view sealed, chunk_entry* entry) const;

  const backup_keys& keys_;
  const backup_options& options_;
  erasure_coder coder_;
  int threads_;
  std::map<std::string, chunk_entry> known_;  // previous backup's chunks, by name
  std::map<std::string, chunk_entry> used_;   // this backup's chunks, by name
  std::vector<std::string> batch_;            // plaintexts of chunks cut but not yet named
  std::size_t batch_bytes_ = 0;
  backup_output out_;
};

item_shards backup_writer::make_shards(std::string_view name, std::string_view sealed,
                                       chunk_entry* entry) const {
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

backup_writer::coded_chunk backup_writer::code_chunk(const std::string& name,
                                                     std::string_view plaintext) const {
  auto item = seal(sealed_kind::chunk, name, plaintext, keys_.wrapping, options_.compression);
  if (!item.ok()) {
    return {item.error(), {}, {}};
  }
  coded_chunk out{{},
                  {},
                  {name,
                   plaintext.size(),
                   item.value().sealed.size(),
                   options_.k,
                   options_.m,
                   options_.backup_id,
                   item.value().wrapped_key,
                   {}}};
  out.shards = make_shards(name, item.value().sealed, &out.entry);
  return out;
}

status backup_writer::flush(file_entry& file) {
  std::vector<std::string> names(batch_.size());
  run_parallel(batch_.size(), threads_,
               [&](std::size_t i) { names[i] = chunk_name(keys_.naming, batch_[i]); });
  std::vector<std::size_t> fresh;  // chunks no backup holds yet, first occurrence only
  for (std::size_t i = 0; i < batch_.size(); ++i) {
    file.chunks.push_back(names[i]);
    file.size += batch_[i].size();
    if (used_.count(names[i]) != 0) {
      continue;
    }
    if (auto it = known_.find(names[i]); it != known_.end()) {
      used_.emplace(names[i], it->second);
      continue;
    }
    used_.emplace(names[i], chunk_entry{});  // filled in below, once coded
    fresh.push_back(i);
  }
  std::vector<coded_chunk> coded(fresh.size());
  run_parallel(fresh.size(), threads_,
               [&](std::size_t j) { coded[j] = code_chunk(names[fresh[j]], batch_[fresh[j]]); });
  for (std::size_t j = 0; j < coded.size(); ++j) {
    if (!coded[j].error.ok()) {
      return coded[j].error;
    }
    for (const auto& s : coded[j].shards.shards) {
      out_.shard_bytes += s.size();
    }
    out_.new_bytes += batch_[fresh[j]].size();
    used_[names[fresh[j]]] = std::move(coded[j].entry);
    out_.new_chunks.push_back(std::move(coded[j].shards));
  }
  batch_.clear();
  batch_bytes_ = 0;
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
      batch_.emplace_back(pending, used, stop - used);
      batch_bytes_ += stop - used;
      used = stop;
      if (batch_bytes_ >= kBatchBytes) {
        if (auto s = flush(entry); !s.ok()) {
          return s;
        }
      }
    }
    pending.erase(0, used);
    pending_start += used;
  }
  if (auto s = flush(entry); !s.ok()) {
    return s;
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
