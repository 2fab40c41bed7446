// plexichat-audit-tamper: damages one audit record of a STOPPED node's database on purpose,
// so that integration tests can prove the hash chain catches it. Test builds only.
//   plexichat-audit-tamper --data-dir DIR --seq N --edit     rewrite the record's detail
//   plexichat-audit-tamper --data-dir DIR --seq N --delete   delete the record
// Exit 0 when done, 1 when the record is missing or the database cannot be opened, 2 for a
// usage error.
#include <charconv>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>

#include "storage/database.hpp"

namespace {

using plexichat::storage::database;

struct tamper_args {
  std::string data_dir;
  uint64_t seq = 0;
  std::string action;  // "--edit" or "--delete"
};

bool parse(int argc, char** argv, tamper_args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string_view w = argv[i];
    if (w == "--data-dir" && i + 1 < argc) {
      a.data_dir = argv[++i];
    } else if (w == "--seq" && i + 1 < argc) {
      std::string_view v = argv[++i];
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), a.seq);
      if (ec != std::errc{} || p != v.data() + v.size()) {
        return false;
      }
    } else if (w == "--edit" || w == "--delete") {
      a.action = std::string(w);
    } else {
      return false;
    }
  }
  return !a.data_dir.empty() && a.seq > 0 && !a.action.empty();
}

}  // namespace

int main(int argc, char** argv) {
  tamper_args a;
  if (!parse(argc, argv, a)) {
    std::cerr << "usage: plexichat-audit-tamper --data-dir DIR --seq N --edit|--delete\n";
    return 2;
  }
  plexichat::storage::database_options options{(std::filesystem::path{a.data_dir} / "db").string()};
  options.create_if_missing = false;
  auto opened = database::open(options);
  if (!opened.ok()) {
    std::cerr << "plexichat-audit-tamper: " << opened.error().message << "\n";
    return 1;
  }
  auto db = std::move(opened).value();
  auto page = db->read_audit(a.seq - 1, 1);
  if (page.records.empty() || page.records.front().seq != a.seq) {
    std::cerr << "plexichat-audit-tamper: no audit record " << a.seq << "\n";
    return 1;
  }
  plexichat::storage::write_batch batch;
  if (a.action == "--delete") {
    batch.delete_audit(a.seq);
  } else {
    auto rec = page.records.front();
    rec.detail = R"({"tampered":true})";  // the old MAC stays: it no longer matches
    batch.put_audit(rec);
  }
  if (auto st = db->write(batch, true); !st.ok()) {
    std::cerr << "plexichat-audit-tamper: " << st.message << "\n";
    return 1;
  }
  std::cout << "audit record " << a.seq << (a.action == "--delete" ? " deleted" : " edited")
            << "\n";
  return 0;
}
