// plexichat-shard-tamper: damages one backup shard that a STOPPED node holds for a peer, on
// purpose, so that integration tests can prove verify, scrub and repair catch it. Test builds
// only.
//   plexichat-shard-tamper --data-dir DIR [--owner NODE]
// Flips one payload byte of the first shard held (of NODE's backups, when given) and prints
// "<owner> <backup id> <index>". Exit 0 when done, 1 when no shard is held or the database
// cannot be opened, 2 for a usage error.
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>

#include "storage/database.hpp"
#include "storage/keys.hpp"

int main(int argc, char** argv) {
  std::string data_dir, owner;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view w = argv[i];
    if (w == "--data-dir") {
      data_dir = argv[i + 1];
    } else if (w == "--owner") {
      owner = argv[i + 1];
    } else {
      data_dir.clear();
      break;
    }
  }
  if (data_dir.empty() || argc % 2 == 0) {
    std::cerr << "usage: plexichat-shard-tamper --data-dir DIR [--owner NODE]\n";
    return 2;
  }
  plexichat::storage::database_options options{(std::filesystem::path{data_dir} / "db").string()};
  options.create_if_missing = false;
  auto opened = plexichat::storage::database::open(options);
  if (!opened.ok()) {
    std::cerr << "plexichat-shard-tamper: " << opened.error().message << "\n";
    return 1;
  }
  auto db = std::move(opened).value();
  std::string key, shard;
  db->scan_shards(owner.empty() ? std::string{} : plexichat::storage::key_prefix(owner),
                  [&](std::string_view k, std::string_view s) {
                    key = k;
                    shard = s;
                    return false;
                  });
  auto parts = plexichat::storage::split_shard_key(key);
  if (shard.empty() || !parts) {
    std::cerr << "plexichat-shard-tamper: no shard held\n";
    return 1;
  }
  shard.back() = static_cast<char>(shard.back() ^ 0x5a);  // the payload's last byte
  plexichat::storage::write_batch batch;
  batch.put_shard(key, shard);
  if (auto st = db->write(batch, true); !st.ok()) {
    std::cerr << "plexichat-shard-tamper: " << st.message << "\n";
    return 1;
  }
  std::cout << parts->owner << " " << parts->backup_id << " " << int{parts->index} << "\n";
  return 0;
}
