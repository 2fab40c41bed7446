// rebuild_chunk and restore_directory: the reading half of backup_pipeline.hpp.
#include <fstream>
#include <map>
#include <set>

#include "runtime/crypto.hpp"
#include "storage/backup/backup_pipeline.hpp"
#include "storage/backup/erasure_coder.hpp"
#include "storage/backup/sealing.hpp"
#include "storage/backup/shard_codec.hpp"

namespace plexichat::storage::backup {

namespace {

namespace fs = std::filesystem;

std::string short_name(std::string_view name) {
  return runtime::to_hex(name).substr(0, 16);
}

/// Why decoded shard `s` does not belong to `entry` at its index, or an empty string.
std::string mismatch(const shard& s, const chunk_entry& entry) {
  const auto& h = s.header;
  if (h.chunk_name != entry.name) {
    return "belongs to another chunk";
  }
  if (h.k != entry.k || h.m != entry.m || h.item_length != entry.sealed_size) {
    return "its k, m or length differ from the manifest's";
  }
  if (!runtime::equal_constant_time(shard_digest(h.index, s.payload),
                                    entry.shard_digests.at(h.index))) {
    return "index " + std::to_string(h.index) + " does not match the manifest's digest";
  }
  return {};
}

/// The good shards among `shards`, by index; a line in `rejected` for each other one.
std::map<int, std::string> good_shards(const chunk_entry& entry,
                                       const std::vector<std::string>& shards,
                                       std::vector<std::string>* rejected) {
  std::map<int, std::string> good;
  for (const auto& bytes : shards) {
    auto s = decode_shard(bytes);
    std::string why = s.ok() ? mismatch(s.value(), entry) : s.error().message;
    if (why.empty()) {
      good.emplace(s.value().header.index, std::move(s.value().payload));
    } else if (rejected != nullptr) {
      rejected->push_back("chunk " + short_name(entry.name) + ": shard rejected: " + why);
    }
  }
  return good;
}

/// Writes the chunks of `file` to `path`; the names of lost chunks go to `lost`.
status write_file(const file_entry& file, const manifest& m, const master_key& master,
                  const shard_fetch& fetch, const fs::path& path, restore_report& report,
                  std::set<std::string>& lost) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return {errc::io_error, "cannot create " + path.string()};
  }
  bool whole = true;
  for (const auto& name : file.chunks) {
    if (lost.count(name) != 0) {
      whole = false;
      continue;
    }
    const chunk_entry* entry = m.find(name);
    auto plain = entry == nullptr
                     ? result<std::string>(status{errc::corruption, "chunk not in the manifest"})
                     : rebuild_chunk(*entry, fetch(name), master, &report.rejected_shards);
    if (!plain.ok()) {
      lost.insert(name);
      report.lost_chunks.push_back(runtime::to_hex(name));
      whole = false;
      continue;
    }
    if (whole) {
      out.write(plain.value().data(), static_cast<std::streamsize>(plain.value().size()));
    }
  }
  out.close();
  if (!out) {
    return {errc::io_error, "cannot write " + path.string()};
  }
  if (!whole) {
    fs::remove(path, ec);
    report.incomplete_files.push_back(file.path);
    return {};
  }
  report.bytes_written += file.size;
  return {};
}

}  // namespace

result<std::string> rebuild_chunk(const chunk_entry& entry, const std::vector<std::string>& shards,
                                  const master_key& master, std::vector<std::string>* rejected) {
  auto keys = derive_keys(master);
  if (!keys.ok()) {
    return keys.error();
  }
  if (auto s = erasure_coder::validate(entry.k, entry.m); !s.ok()) {
    return s;
  }
  if (entry.shard_digests.size() != static_cast<std::size_t>(entry.k + entry.m)) {
    return status{errc::corruption, "chunk " + short_name(entry.name) +
                                        ": the manifest does not list k + m shard digests"};
  }
  auto good = good_shards(entry, shards, rejected);
  auto sealed = erasure_coder(entry.k, entry.m).decode(good, entry.sealed_size);
  if (!sealed.ok()) {
    return status{errc::corruption, "chunk " + short_name(entry.name) +
                                        " cannot be rebuilt: " + sealed.error().message};
  }
  auto plain = unseal(sealed_kind::chunk, entry.name,
                      sealed_item{std::move(sealed.value()), entry.wrapped_key},
                      keys.value().wrapping, entry.size);
  if (!plain.ok()) {
    return status{errc::corruption, "chunk " + short_name(entry.name) +
                                        " cannot be opened: " + plain.error().message};
  }
  if (plain.value().size() != entry.size) {
    return status{errc::corruption, "chunk " + short_name(entry.name) + " has the wrong size"};
  }
  return plain;
}

result<restore_report> restore_directory(const manifest& m, const master_key& master,
                                         const shard_fetch& fetch, const fs::path& target) {
  std::error_code ec;
  if (fs::exists(target, ec) && !fs::is_empty(target, ec)) {
    return status{errc::invalid_argument,
                  "will not restore into " + target.string() + ": it is not empty"};
  }
  fs::create_directories(target, ec);
  if (ec) {
    return status{errc::io_error, "cannot create " + target.string() + ": " + ec.message()};
  }
  for (const auto& file : m.files) {
    if (!is_safe_relative_path(file.path)) {
      return status{errc::invalid_argument, "will not restore the unsafe path " + file.path};
    }
  }
  restore_report report;
  std::set<std::string> lost;
  for (const auto& file : m.files) {
    if (auto s = write_file(file, m, master, fetch, target / file.path, report, lost); !s.ok()) {
      return s;
    }
  }
  return report;
}

}  // namespace plexichat::storage::backup
