#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/api_error.hpp"
#include "actors/session/rest_call.hpp"
#include "config/node_config.hpp"

/// Request parsing for the account-security routes (docs/API.md "Admin" and channel
/// management): the admin paths, their queries and bodies, and the channel PATCH body.
/// Called by rest_parser.cpp; pure, never throws.
namespace plexichat::net::admin_input {

/// The largest and default `limit` of the admin list routes.
inline constexpr unsigned max_limit = 1000;
inline constexpr unsigned default_limit = 100;

/// The route of an `/admin/...` path (parts after /api/v1); nullopt for an unknown path.
/// `user_id` gets the id in /admin/users/{id}/role, `backup_id` the id in
/// /admin/backups/{id}/verify|repair ("" for `latest`). Each admin path has one method: PUT
/// for admin_set_role, POST for admin_backup_repair, GET for the others (and POST too for
/// /admin/backups, admin_backup_create).
std::optional<actors::session::rest_route> admin_route(const std::vector<std::string_view>& parts,
                                                       std::string& user_id,
                                                       std::string& backup_id);

/// Reads `after` and `limit` of admin_audit (after: a seq) and admin_list_users (after: a
/// user id, the previous page's next_cursor). Unknown keys are ignored.
std::optional<actors::api_error> parse_query(std::string_view query, actors::session::rest_call& c);

/// {"role": "admin" | "user"}.
std::optional<actors::api_error> read_role(const nlohmann::json& body,
                                           actors::session::rest_call& c);

/// {"name"?: string, "topic"?: string}, at least one of them.
std::optional<actors::api_error> read_patch(const nlohmann::json& body,
                                            actors::session::rest_call& c,
                                            const config::limits_config& limits);

}  // namespace plexichat::net::admin_input
