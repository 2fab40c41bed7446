#include "tools/console/console_command.hpp"

#include <gtest/gtest.h>

#include "tools/console/console_render.hpp"

namespace plexichat::tools::console {
namespace {

using nlohmann::json;

console_command ok(const std::vector<std::string>& words) {
  auto parsed = parse_command(words);
  if (auto* err = std::get_if<command_error>(&parsed)) {
    ADD_FAILURE() << err->message;
    return {};
  }
  return std::get<console_command>(parsed);
}

std::string error_of(const std::vector<std::string>& words) {
  auto parsed = parse_command(words);
  auto* err = std::get_if<command_error>(&parsed);
  return err != nullptr ? err->message : "";
}

TEST(console_command, parses_commands_with_their_options) {
  auto a = ok({"actors", "--node", "n2", "--kind", "session"});
  EXPECT_EQ(a.name, "actors");
  EXPECT_EQ(a.node, "n2");
  EXPECT_EQ(a.kind, "session");
  EXPECT_EQ(ok({"actor", "42"}).id, "42");
  auto audit = ok({"audit", "--after", "5", "--limit", "10"});
  EXPECT_EQ(audit.after, 5u);
  EXPECT_EQ(audit.limit, 10u);
  EXPECT_EQ(ok({"audit", "verify"}).name, "audit-verify");
  EXPECT_EQ(ok({"grant", "alice"}).user, "alice");
  auto level = ok({"log-level", "n1", "debug"});
  EXPECT_EQ(level.node, "n1");
  EXPECT_EQ(level.level, "debug");
  auto where = ok({"where", "c1", "--node", "n3"});
  EXPECT_EQ(where.id, "c1");
  EXPECT_EQ(where.node, "n3");
  EXPECT_EQ(ok({"drain", "n2"}).node, "n2");
  EXPECT_EQ(ok({"undrain", "n2"}).name, "undrain");
}

TEST(console_command, refuses_what_it_does_not_know_in_one_line) {
  EXPECT_EQ(error_of({"frobnicate"}), "unknown command 'frobnicate' (try `help`)");
  EXPECT_NE(error_of({"actors", "--colour", "x"}).find("unknown option '--colour'"),
            std::string::npos);
  EXPECT_NE(error_of({"actors", "--node"}).find("needs a value"), std::string::npos);
  EXPECT_NE(error_of({"audit", "--after", "x"}).find("needs a number"), std::string::npos);
  EXPECT_NE(error_of({"grant"}).find("usage: grant USER"), std::string::npos);
  EXPECT_NE(error_of({"audit", "check"}).find("unknown argument"), std::string::npos);
  EXPECT_NE(error_of({"log-level", "n1"}).find("usage"), std::string::npos);
  EXPECT_FALSE(error_of({}).empty());
  EXPECT_NE(error_of({"where"}).find("usage: where CHANNEL"), std::string::npos);
  EXPECT_NE(error_of({"drain"}).find("usage: drain NODE"), std::string::npos);
  EXPECT_NE(error_of({"backup"}).find("usage: backup"), std::string::npos);
  EXPECT_NE(error_of({"backup", "erase"}).find("unknown command 'erase'"), std::string::npos);
  EXPECT_NE(error_of({"backup", "restore"}).find("--into DIR"), std::string::npos);
  EXPECT_NE(error_of({"backup", "list", "b1"}).find("takes no backup id"), std::string::npos);
  EXPECT_NE(error_of({"backup", "verify", "--into", "/x"}).find("--into is for restore"),
            std::string::npos);
  EXPECT_NE(error_of({"shards", "x"}).find("usage: shards"), std::string::npos);
}

TEST(console_command, parses_backup_commands) {
  auto create = ok({"backup", "create", "--node", "n2"});
  EXPECT_EQ(create.name, "backup");
  EXPECT_EQ(create.verb, "create");
  EXPECT_EQ(create.node, "n2");
  EXPECT_EQ(ok({"backup", "verify"}).id, "");
  EXPECT_EQ(ok({"backup", "repair", "b17"}).id, "b17");
  auto restore = ok({"backup", "restore", "b17", "--into", "/srv/restored"});
  EXPECT_EQ(restore.verb, "restore");
  EXPECT_EQ(restore.id, "b17");
  EXPECT_EQ(restore.into, "/srv/restored");
  EXPECT_EQ(ok({"backup", "restore", "--into", "/srv/r"}).id, "");
  EXPECT_EQ(ok({"backup", "rotate-key"}).verb, "rotate-key");
  EXPECT_EQ(ok({"shards", "--node", "n4"}).node, "n4");
}

TEST(console_render, renders_backups_and_shards) {
  console_command list;
  list.name = "backup";
  list.verb = "list";
  auto table = render_answer(
      list, {{"backups",
              {{{"id", "b1"},
                {"state", "done"},
                {"size", 3 * 1024 * 1024},
                {"chunks", 4},
                {"new_bytes", 1536},
                {"created_ms", 1}},
               {{"id", "b2"}, {"state", "running"}, {"chunks_done", 3}, {"chunks_total", 9}}}}});
  EXPECT_NE(table.find("3.0 MiB"), std::string::npos) << table;
  EXPECT_NE(table.find("1.5 KiB"), std::string::npos) << table;
  EXPECT_NE(table.find("running 3/9"), std::string::npos) << table;
  console_command verify;
  verify.name = "backup";
  verify.verb = "verify";
  auto damaged = render_answer(verify, {{"backup_id", "b1"},
                                        {"checked", 12},
                                        {"clean", false},
                                        {"missing", {"b1 abcd#2"}},
                                        {"corrupt", json::array()}});
  EXPECT_NE(damaged.find("12 shards checked, 1 missing, 0 corrupt\n  missing b1 abcd#2"),
            std::string::npos)
      << damaged;
  console_command shards;
  shards.name = "shards";
  auto held = render_answer(
      shards,
      {{"holders",
        {{{"node", "n2"}, {"shards", 8}, {"bytes", 4096}, {"last_scrub_ms", 0}, {"corrupt", 0}},
         {{"node", "n3"}, {"error", "down"}}}}});
  EXPECT_NE(held.find("never"), std::string::npos) << held;
  EXPECT_NE(held.find("4.0 KiB"), std::string::npos) << held;
  EXPECT_NE(held.find("down"), std::string::npos) << held;
}

TEST(console_command, splits_lines_into_words) {
  EXPECT_EQ(split_words("  actors   --node n2 "),
            (std::vector<std::string>{"actors", "--node", "n2"}));
  EXPECT_EQ(split_words(R"(grant "a b")"), (std::vector<std::string>{"grant", "a b"}));
  EXPECT_TRUE(split_words(" \t ").empty());
}

TEST(console_command, help_lists_every_command) {
  auto help = help_text();
  for (const auto& name : command_names()) {
    EXPECT_NE(help.find(name), std::string::npos) << name;
  }
}

TEST(console_render, aligns_tables) {
  EXPECT_EQ(text_table({"A", "BB"}, {{"xyz", "1"}, {"q", "22"}}), "A    BB\nxyz  1\nq    22\n");
}

TEST(console_render, human_durations) {
  EXPECT_EQ(human_duration(850), "850ms");
  EXPECT_EQ(human_duration(12'000), "12s");
  EXPECT_EQ(human_duration(250'000), "4m10s");
  EXPECT_EQ(human_duration(7'500'000), "2h5m");
  EXPECT_EQ(human_duration(3LL * 86400'000 + 4 * 3600'000), "3d4h");
}

TEST(console_render, renders_answers_as_a_person_reads_them) {
  console_command sessions;
  sessions.name = "sessions";
  auto text = render_answer(sessions, {{"sessions",
                                        {{{"session_id", "s1"},
                                          {"user", "bob"},
                                          {"address", "127.0.0.1"},
                                          {"since", 5},
                                          {"channels", {"c1", "c2"}}}}}});
  EXPECT_NE(text.find("SESSION"), std::string::npos);
  EXPECT_NE(text.find("bob"), std::string::npos);
  EXPECT_NE(text.find("c1,c2"), std::string::npos);
  console_command verify;
  verify.name = "audit-verify";
  EXPECT_EQ(render_answer(verify, {{"ok", true}, {"records", 4}}), "audit log intact: 4 records\n");
  EXPECT_EQ(
      render_answer(verify, {{"ok", false}, {"first_bad_seq", 2}, {"reason", "mac mismatch"}}),
      "audit log damaged at seq 2: mac mismatch\n");
  console_command nodes;
  nodes.name = "nodes";
  auto table = render_answer(
      nodes, {{"nodes",
               {{{"name", "n1"}, {"state", "up"}, {"rss_kib", 2048}, {"uptime_ms", 61000}},
                {{"name", "n2"}, {"state", "down"}}}}});
  EXPECT_NE(table.find("2.0 MiB"), std::string::npos);
  EXPECT_NE(table.find("1m1s"), std::string::npos);
  EXPECT_NE(table.find("down"), std::string::npos);
}

}  // namespace
}  // namespace plexichat::tools::console
