#include "actors/inspector/inspector.hpp"

#include <algorithm>
#include <chrono>
#include <memory>

#include <spdlog/spdlog.h>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>

#include "actors/actor_probe.hpp"
#include "actors/atoms.hpp"
#include "actors/audit/audit_log.hpp"
#include "actors/backup/backup_json.hpp"
#include "actors/inspector/inspector_reports.hpp"
#include "actors/run_blocking.hpp"
#include "runtime/clock.hpp"
#include "runtime/process_status.hpp"
#include "runtime/text.hpp"

namespace plexichat::actors::inspector {

/// Users and channels in storage (a blocking count, for the summary).
struct storage_counts {
  uint64_t users = 0;
  uint64_t channels = 0;
};

}  // namespace plexichat::actors::inspector

// Both stay on the node: the blocking pool's answers to the inspector.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plexichat::actors::inspector::storage_counts)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<plexichat::actors::inspector::channel_line>)

namespace plexichat::actors::inspector {

namespace {

using answer = caf::typed_response_promise<std::string>;

constexpr uint64_t default_page = 100;
constexpr uint64_t max_page = 1000;

uint32_t page_size(uint64_t limit) {
  return static_cast<uint32_t>(limit == 0 ? default_page : std::min(limit, max_page));
}

std::vector<runtime::actor_row> actor_rows(node_context* ctx) {
  return ctx->actor_table != nullptr ? ctx->actor_table->snapshot()
                                     : std::vector<runtime::actor_row>{};
}

/// How long the inspector waits for a session's note; one that does not answer in time (a
/// deep mailbox) is listed without it.
constexpr std::chrono::seconds note_timeout{2};

/// Asks each session among `rows` for its note (note_of in ws_session.cpp), then runs
/// `done(rows)` with the notes that came back filled in. Sessions keep no note of their own:
/// it is made when the console asks. Other kinds have none.
template <class Done>
void with_notes(caf::event_based_actor* self, std::vector<runtime::actor_row> rows, Done done) {
  struct gathering {
    std::vector<runtime::actor_row> rows;
    std::size_t waiting = 0;
    Done done;
    void answered() {
      if (--waiting == 0) {
        done(std::move(rows));
      }
    }
  };
  auto g = std::make_shared<gathering>(gathering{std::move(rows), 0, std::move(done)});
  for (std::size_t i = 0; i < g->rows.size(); ++i) {
    if (g->rows[i].kind != "session") {
      continue;
    }
    auto session = caf::actor_cast<caf::actor>(g->rows[i].address);
    if (!session) {
      continue;  // stopped since the snapshot
    }
    ++g->waiting;
    self->request(session, note_timeout, inspect_atom::value)
        .then(
            [g, i](std::string& note) {
              g->rows[i].note = std::move(note);
              g->answered();
            },
            [g](caf::error&) { g->answered(); });
  }
  if (g->waiting == 0) {
    g->done(std::move(g->rows));
  }
}

/// The rows a query shows, each session's note asked for; the answer, `render(rows)`, is
/// delivered to `rp`.
template <class Render>
caf::result<std::string> rows_with_notes(caf::event_based_actor* self,
                                         std::vector<runtime::actor_row> rows, Render render) {
  auto rp = self->make_response_promise<std::string>();
  with_notes(self, std::move(rows), [rp, render](std::vector<runtime::actor_row> shown) mutable {
    rp.deliver(render(shown).dump());
  });
  return rp;
}

/// Only `rows` that `keep` accepts.
template <class Keep>
std::vector<runtime::actor_row> only(std::vector<runtime::actor_row> rows, Keep keep) {
  rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const auto& r) { return !keep(r); }),
             rows.end());
  return rows;
}

cluster::cluster_view current_view(node_context* ctx) {
  if (ctx->cluster_view != nullptr) {
    if (auto v = ctx->cluster_view->get()) {
      return *v;
    }
  }
  cluster::cluster_view alone;
  alone.self = ctx->config->name;
  alone.members = {single_member(ctx->config->name, ctx->config->listen.to_string())};
  return alone;
}

auto fail_to(answer rp) {
  return [rp](api_error e) mutable { rp.deliver(error_answer(e.message).dump()); };
}

void summary(caf::event_based_actor* self, node_context* ctx, answer rp) {
  auto* db = ctx->db;
  run_blocking(
      self, ctx->blocking,
      [db] {
        uint64_t users = 0;
        std::string after;
        for (;;) {
          auto page = db->list_users(after, 1000);
          users += page.users.size();
          if (!page.has_more || page.users.empty()) {
            break;
          }
          after = page.users.back().id;
        }
        return storage_counts{users, static_cast<uint64_t>(db->list_channels().size())};
      },
      [ctx, rp](storage_counts counts) mutable {
        auto view = current_view(ctx);
        node_facts f;
        f.name = ctx->config->name;
        f.client_address = ctx->config->listen.to_string();
        f.cluster_address =
            ctx->config->cluster_listen ? ctx->config->cluster_listen->to_string() : "";
        for (const auto& m : view.members) {
          if (m.name == f.name) {
            f.state = cluster::to_string(m.state);
          }
        }
        f.started_ms = ctx->started_ms;
        f.now_ms = runtime::now_ms();
        f.users = counts.users;
        f.channels = counts.channels;
        auto rows = actor_rows(ctx);
        f.actors = rows.size();
        for (const auto& r : rows) {
          f.sessions += r.kind == "session" ? 1 : 0;
        }
        f.connections = static_cast<uint64_t>(ctx->metrics->http_connections.Value());
        f.rss_kib = runtime::own_rss_kib();
        rp.deliver(summary_answer(f).dump());
      },
      fail_to(rp));
}

void channels(caf::event_based_actor* self, node_context* ctx, answer rp) {
  auto* db = ctx->db;
  run_blocking(
      self, ctx->blocking,
      [db] {
        std::vector<channel_line> lines;
        for (auto& rec : db->list_channels()) {
          auto members = db->channel_members(rec.id).size();
          auto last = db->last_seq(rec.id);
          lines.push_back({std::move(rec), members, last});
        }
        return lines;
      },
      // Whether each channel's actor runs is read once the records are in.
      [ctx, rp](std::vector<channel_line> lines) mutable {
        auto answer = channels_answer(lines, actor_rows(ctx));
        // In a cluster, the node placement gives each channel to; alone, this one.
        auto view = current_view(ctx);
        for (auto& c : answer["channels"]) {
          auto owners = view.placement(c.value("id", ""), 1);
          c["owner"] = owners.empty() ? "" : owners.front();
        }
        rp.deliver(answer.dump());
      },
      fail_to(rp));
}

void users(caf::event_based_actor* self, node_context* ctx, const inspector_query& q, answer rp) {
  auto* db = ctx->db;
  run_blocking(
      self, ctx->blocking,
      [db, after = q.arg, limit = page_size(q.limit)] {
        auto page = db->list_users(after, limit);
        json list = json::array();
        for (auto& u : page.users) {
          list.push_back({{"id", u.id},
                          {"username", u.username},
                          {"created_at", u.created_at},
                          {"role", db->get_role(u.id).value_or("user")},
                          {"account", !u.password_hash.empty()}});
        }
        return json{{"users", list}, {"has_more", page.has_more}}.dump();
      },
      [rp](std::string body) mutable { rp.deliver(std::move(body)); }, fail_to(rp));
}

void audit_page(caf::event_based_actor* self, node_context* ctx, const inspector_query& q,
                answer rp) {
  self->request(ctx->audit, caf::infinite, read_atom::value, q.after, page_size(q.limit))
      .then(
          [rp](storage::audit_page& p) mutable {
            json records = json::array();
            for (auto& r : p.records) {
              records.push_back(audit_record_json(r));
            }
            rp.deliver(json{{"records", records}, {"has_more", p.has_more}}.dump());
          },
          [rp](caf::error& err) mutable {
            rp.deliver(error_answer(to_api_error(err).message).dump());
          });
}

void audit_verify(caf::event_based_actor* self, node_context* ctx, answer rp) {
  self->request(ctx->audit, caf::infinite, verify_atom::value)
      .then([rp](audit::verify_result& r) mutable { rp.deliver(verify_answer(r).dump()); },
            [rp](caf::error& err) mutable {
              rp.deliver(error_answer(to_api_error(err).message).dump());
            });
}

/// Grants (admin) or revokes (user) the node admin role of a username.
void set_role(caf::event_based_actor* self, node_context* ctx, const std::string& username,
              const std::string& role, answer rp) {
  auto name = runtime::normalize_username(username);
  if (!name) {
    rp.deliver(error_answer("not a username: '" + username + "'").dump());
    return;
  }
  auto* db = ctx->db;
  run_blocking(
      self, ctx->blocking, [db, n = *name] { return db->find_user_id(n).value_or(""); },
      [self, ctx, rp, username, role](std::string uid) mutable {
        if (uid.empty()) {
          rp.deliver(error_answer("no user named '" + username + "' on this node").dump());
          return;
        }
        self->request(ctx->access, caf::infinite, grant_atom::value, std::string("console"), uid,
                      role, std::string(""))
            .then(
                [rp, username, uid](std::string& now) mutable {
                  rp.deliver(json{{"user", username}, {"user_id", uid}, {"role", now}}.dump());
                },
                [rp](caf::error& err) mutable {
                  rp.deliver(error_answer(to_api_error(err).message).dump());
                });
      },
      fail_to(rp));
}

/// Where a channel's actor runs and how far its replicas are, from the actor itself (started
/// on its owner when it was idle, as a client's use would), with the placement this node
/// computes next to it.
void where(caf::event_based_actor* self, node_context* ctx, const std::string& channel, answer rp) {
  auto errors = [rp](caf::error& err) mutable {
    rp.deliver(error_answer(to_api_error(err).message).dump());
  };
  self->request(ctx->channels, std::chrono::seconds{10}, lookup_atom::value, channel)
      .then(
          [self, ctx, rp, errors](caf::actor& ch) mutable {
            self->request(ch, std::chrono::seconds{10}, where_atom::value)
                .then(
                    [ctx, rp](std::string& report) mutable {
                      auto j = json::parse(report);
                      j["asked"] = ctx->config->name;
                      if (ctx->cluster_view != nullptr) {
                        if (auto v = ctx->cluster_view->get()) {
                          j["placement"] = v->placement(j.value("channel", ""),
                                                        ctx->config->cluster.replication_factor);
                        }
                      }
                      rp.deliver(j.dump());
                    },
                    errors);
          },
          errors);
}

/// Starts or stops draining this node (cluster/membership.hpp).
void drain(caf::event_based_actor* self, node_context* ctx, const std::string& how, answer rp) {
  if (!ctx->cluster) {
    rp.deliver(error_answer("node " + ctx->config->name + " is not in a cluster").dump());
    return;
  }
  if (how != "on" && how != "off") {
    rp.deliver(error_answer("drain: '" + how + "' is neither on nor off").dump());
    return;
  }
  self->request(ctx->cluster, std::chrono::seconds{10}, drain_atom::value, how == "on")
      .then(
          [ctx, rp](bool on) mutable {
            rp.deliver(json{{"node", ctx->config->name}, {"draining", on}}.dump());
          },
          [rp](caf::error& err) mutable {
            rp.deliver(error_answer(to_api_error(err).message).dump());
          });
}

/// Asks `whom` (the backup coordinator or the shard holder) and answers `render` of its
/// reply; jobs may run for long, so the console's own timeout bounds the wait.
template <class Reply, class Render, class... Ts>
void ask_json(caf::event_based_actor* self, const caf::actor& whom, answer rp, Render render,
              Ts&&... xs) {
  self->request(whom, caf::infinite, std::forward<Ts>(xs)...)
      .then([rp, render](Reply& r) mutable { rp.deliver(render(r).dump()); },
            [rp](caf::error& err) mutable {
              rp.deliver(error_answer(to_api_error(err).message).dump());
            });
}

/// backup create|list|verify|repair|restore|rotate-key, through the backup coordinator.
void backup_command(caf::event_based_actor* self, node_context* ctx, const inspector_query& q,
                    answer rp) {
  namespace bk = plexichat::actors::backup;
  if (!ctx->backups) {
    rp.deliver(
        error_answer("node " + ctx->config->name + " is not in a cluster: backups need peers")
            .dump());
    return;
  }
  auto arg = [&q](std::size_t i) { return i < q.args.size() ? q.args[i] : std::string{}; };
  const auto& verb = q.arg;
  if (verb == "create") {
    ask_json<bk::backup_status>(
        self, ctx->backups, rp,
        [](bk::backup_status& b) {
          return json{{"backup", bk::status_json(b)}};
        },
        create_atom::value);
  } else if (verb == "list") {
    ask_json<std::vector<bk::backup_status>>(
        self, ctx->backups, rp,
        [](std::vector<bk::backup_status>& list) {
          json backups = json::array();
          for (const auto& b : list) {
            backups.push_back(bk::status_json(b));
          }
          return json{{"backups", backups}};
        },
        list_atom::value);
  } else if (verb == "verify" || verb == "repair") {
    auto render = [](bk::verify_report& r) { return bk::report_json(r); };
    if (verb == "verify") {
      ask_json<bk::verify_report>(self, ctx->backups, rp, render, verify_atom::value, arg(0));
    } else {
      ask_json<bk::verify_report>(self, ctx->backups, rp, render, repair_atom::value, arg(0));
    }
  } else if (verb == "restore") {
    if (arg(1).empty()) {
      rp.deliver(error_answer("backup restore needs a target directory (--into DIR)").dump());
      return;
    }
    ask_json<bk::restore_outcome>(
        self, ctx->backups, rp, [](bk::restore_outcome& r) { return bk::restore_json(r); },
        restore_atom::value, arg(0), arg(1));
  } else if (verb == "rotate-key") {
    ask_json<bk::key_rotation>(
        self, ctx->backups, rp, [](bk::key_rotation& r) { return bk::rotation_json(r); },
        rotate_atom::value);
  } else {
    rp.deliver(error_answer("unknown backup command '" + verb + "'").dump());
  }
}

/// The shards this node holds for its peers, counted now, and its last scrub.
void shard_stats(caf::event_based_actor* self, node_context* ctx, answer rp) {
  if (!ctx->shards) {
    rp.deliver(
        error_answer("node " + ctx->config->name + " is not in a cluster: it holds no shards")
            .dump());
    return;
  }
  ask_json<backup::holder_stats>(
      self, ctx->shards, rp,
      [name = ctx->config->name](backup::holder_stats& s) {
        auto j = backup::holder_json(s);
        j["node"] = name;
        return j;
      },
      stats_atom::value);
}

std::string log_level(const std::string& level) {
  auto parsed = parse_log_level(level);
  if (!parsed) {
    return error_answer("not a log level: '" + level +
                        "' (trace, debug, info, warn, error, critical, off)")
        .dump();
  }
  spdlog::set_level(static_cast<spdlog::level::level_enum>(*parsed));
  spdlog::warn("log level set to {} from the console", level);
  return json{{"log_level", level}}.dump();
}

caf::result<std::string> on_query(caf::event_based_actor* self, node_context* ctx,
                                  const inspector_query& q) {
  auto now = runtime::now_ms();
  if (q.what == "members") {
    return members_answer(current_view(ctx)).dump();
  }
  if (q.what == "actors") {
    auto rows =
        only(actor_rows(ctx), [&](const auto& r) { return q.arg.empty() || r.kind == q.arg; });
    return rows_with_notes(self, std::move(rows), [kind = q.arg, now](const auto& shown) {
      return actors_answer(shown, kind, now);
    });
  }
  if (q.what == "actor") {
    // Every row, for actor_answer's errors; only the one asked for is asked for its note.
    auto rows = actor_rows(ctx);
    for (auto& r : rows) {
      if (std::to_string(r.id) != q.arg) {
        r.address = caf::actor_addr{};
      }
    }
    return rows_with_notes(self, std::move(rows), [id = q.arg, now](const auto& shown) {
      return actor_answer(shown, id, now);
    });
  }
  if (q.what == "sessions") {
    auto rows = only(actor_rows(ctx), [](const auto& r) { return r.kind == "session"; });
    return rows_with_notes(self, std::move(rows),
                           [](const auto& shown) { return sessions_answer(shown); });
  }
  if (q.what == "metrics") {
    return json{{"metrics", ctx->metrics->render()}}.dump();
  }
  if (q.what == "log_level") {
    return log_level(q.arg);
  }
  auto rp = self->make_response_promise<std::string>();
  if (q.what == "summary") {
    summary(self, ctx, rp);
  } else if (q.what == "channels") {
    channels(self, ctx, rp);
  } else if (q.what == "users") {
    users(self, ctx, q, rp);
  } else if (q.what == "audit") {
    audit_page(self, ctx, q, rp);
  } else if (q.what == "audit_verify") {
    audit_verify(self, ctx, rp);
  } else if (q.what == "where") {
    where(self, ctx, q.arg, rp);
  } else if (q.what == "drain") {
    drain(self, ctx, q.arg, rp);
  } else if (q.what == "backup") {
    backup_command(self, ctx, q, rp);
  } else if (q.what == "shards") {
    shard_stats(self, ctx, rp);
  } else if (q.what == "grant" || q.what == "revoke") {
    set_role(self, ctx, q.arg, q.what == "grant" ? "admin" : "user", rp);
  } else {
    rp.deliver(error_answer("unknown query '" + q.what + "'").dump());
  }
  return rp;
}

caf::behavior inspector_behavior(caf::event_based_actor* self, node_context* ctx) {
  return probed(
      self, ctx, "inspector",
      {
          [self, ctx](inspect_atom, const inspector_query& q) { return on_query(self, ctx, q); },
      });
}

}  // namespace

caf::actor spawn_inspector(caf::actor_system& sys, node_context* ctx) {
  return sys.spawn(inspector_behavior, ctx);
}

}  // namespace plexichat::actors::inspector
