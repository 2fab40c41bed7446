#include "net/rest_parser.hpp"

#include <vector>

#include "net/account_bodies.hpp"
#include "net/admin_input.hpp"
#include "net/field_checks.hpp"
#include "net/json_input.hpp"
#include "runtime/text.hpp"

namespace plexichat::net {

namespace {

using actors::api_errc;
using actors::api_error;
using actors::session::rest_call;
using actors::session::rest_route;
using nlohmann::json;
using result = std::variant<rest_call, rest_refusal>;

rest_refusal refuse(api_error e) {
  auto status = actors::http_status(e.code);
  return {std::move(e), status, {}};
}

rest_refusal not_found() {
  return refuse({api_errc::not_found, "no such endpoint"});
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    auto slash = path.find('/');
    auto part = path.substr(0, slash);
    if (!part.empty()) {
      parts.push_back(part);
    }
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return parts;
}

/// A route's methods: one entry per method the path allows.
struct route_entry {
  std::string_view method;
  rest_route route;
};

/// The routes under /auth; sets the session id of /auth/sessions/{id}.
std::vector<route_entry> auth_routes(const std::vector<std::string_view>& p, rest_call& c) {
  auto n = p.size();
  if (n == 2) {
    if (p[1] == "register")
      return {{"POST", rest_route::register_user}};
    if (p[1] == "login")
      return {{"POST", rest_route::login}};
    if (p[1] == "logout")
      return {{"POST", rest_route::logout}};
    if (p[1] == "password")
      return {{"POST", rest_route::change_password}};
    if (p[1] == "mfa")
      return {{"GET", rest_route::mfa_status}};
    if (p[1] == "sessions")
      return {{"GET", rest_route::list_sessions}, {"DELETE", rest_route::revoke_sessions}};
    return {};
  }
  if (n == 3 && p[1] == "sessions") {
    c.session_id = std::string{p[2]};
    return {{"DELETE", rest_route::revoke_session}};
  }
  if (n == 4 && p[1] == "mfa" && p[2] == "totp") {
    if (p[3] == "enroll")
      return {{"POST", rest_route::totp_enroll}};
    if (p[3] == "confirm")
      return {{"POST", rest_route::totp_confirm}};
    if (p[3] == "disable")
      return {{"POST", rest_route::totp_disable}};
  }
  return {};
}

/// Finds the routes of a path (after /api/v1); empty when the path is unknown.
std::vector<route_entry> routes_for(const std::vector<std::string_view>& p, rest_call& c) {
  auto n = p.size();
  if (n >= 2 && p[0] == "admin") {
    auto r = admin_input::admin_route(p, c.user_id, c.backup_id);
    if (!r) {
      return {};
    }
    if (*r == rest_route::admin_backups) {
      return {{"GET", rest_route::admin_backups}, {"POST", rest_route::admin_backup_create}};
    }
    if (*r == rest_route::admin_backup_repair) {
      return {{"POST", *r}};
    }
    return {{*r == rest_route::admin_set_role ? "PUT" : "GET", *r}};
  }
  if (n >= 2 && p[0] == "auth") {
    return auth_routes(p, c);
  }
  if (n == 2 && p[0] == "users" && p[1] == "me")
    return {{"GET", rest_route::me}};
  if (n == 0 || p[0] != "channels")
    return {};
  if (n == 1)
    return {{"GET", rest_route::list_channels}, {"POST", rest_route::create_channel}};
  c.channel_id = std::string{p[1]};
  if (n == 2)
    return {{"GET", rest_route::get_channel}, {"PATCH", rest_route::update_channel}};
  if (n == 3 && p[2] == "members")
    return {{"POST", rest_route::join_channel}};
  if (n == 4 && p[2] == "members" && p[3] == "me")
    return {{"DELETE", rest_route::leave_channel}};
  if (n == 4 && p[2] == "members") {
    c.user_id = std::string{p[3]};
    return {{"DELETE", rest_route::remove_member}};
  }
  if (n == 3 && p[2] == "messages") {
    return {{"GET", rest_route::history}, {"POST", rest_route::post_message}};
  }
  return {};
}

std::optional<api_error> parse_query(std::string_view query, rest_call& c,
                                     const config::limits_config& limits) {
  c.limit = limits.history_default_limit;
  return fields::for_each_query_pair(
      query, [&](std::string_view key, std::string_view value) -> std::optional<api_error> {
        if (key != "after" && key != "before" && key != "limit") {
          return std::nullopt;
        }
        uint64_t v = 0;
        if (auto e = fields::read_uint(key, value, v)) {
          return e;
        }
        if (key == "after") {
          c.after = v;
        } else if (key == "before") {
          c.before = v;
        } else if (v < 1 || v > limits.history_max_limit) {
          return fields::invalid("limit must be between 1 and " +
                                 std::to_string(limits.history_max_limit));
        } else {
          c.limit = static_cast<uint32_t>(v);
        }
        return std::nullopt;
      });
}

std::optional<api_error> read_credentials(const json& b, rest_call& c,
                                          const config::limits_config& limits, bool registering) {
  std::string username;
  if (auto e = fields::get_string(b, "username", username))
    return e;
  if (auto e = fields::get_string(b, "password", c.password))
    return e;
  auto normal = runtime::normalize_username(username);
  if (!normal) {
    return fields::invalid("username must be 3 to 32 characters of a-z, 0-9, _ . -");
  }
  c.username = *normal;
  if (c.password.size() > limits.max_password_bytes || !runtime::is_valid_utf8(c.password)) {
    return fields::invalid("password must be valid UTF-8 of at most " +
                           std::to_string(limits.max_password_bytes) + " bytes");
  }
  if (registering && runtime::count_code_points(c.password) < limits.min_password_chars) {
    return fields::invalid("password must be at least " +
                           std::to_string(limits.min_password_chars) + " characters");
  }
  return registering ? std::nullopt : read_login_otp(b, c);
}

std::optional<api_error> read_channel(const json& b, rest_call& c,
                                      const config::limits_config& limits) {
  if (auto e = fields::get_string(b, "name", c.name))
    return e;
  if (auto e = fields::check_text("name", c.name, 1, limits.max_channel_name_chars, false)) {
    return e;
  }
  if (auto e = fields::get_optional_string(b, "topic", c.topic))
    return e;
  if (auto e = fields::check_text("topic", c.topic, 0, limits.max_topic_chars, false))
    return e;
  if (auto i = b.find("private"); i != b.end() && !i->is_null()) {
    if (!i->is_boolean())
      return fields::invalid("field \"private\" must be a boolean");
    c.is_private = i->get<bool>();
  }
  return std::nullopt;
}

std::optional<api_error> read_post(const json& b, rest_call& c,
                                   const config::limits_config& limits) {
  if (auto e = fields::get_string(b, "content", c.content))
    return e;
  if (auto e = fields::check_text("content", c.content, 1, limits.max_message_chars, true)) {
    return e;
  }
  if (auto e = fields::get_optional_string(b, "nonce", c.nonce))
    return e;
  return c.nonce.empty() ? std::nullopt : fields::check_nonce(c.nonce);
}

std::optional<api_error> read_body(const json& b, rest_call& c,
                                   const config::limits_config& limits) {
  switch (c.route) {
    case rest_route::register_user:
      return read_credentials(b, c, limits, true);
    case rest_route::login:
      return read_credentials(b, c, limits, false);
    case rest_route::create_channel:
      return read_channel(b, c, limits);
    case rest_route::post_message:
      return read_post(b, c, limits);
    case rest_route::admin_set_role:
      return admin_input::read_role(b, c);
    case rest_route::update_channel:
      return admin_input::read_patch(b, c, limits);
    case rest_route::join_channel:
      if (auto e = fields::get_optional_string(b, "user_id", c.user_id))
        return e;
      if (b.contains("user_id") && !b["user_id"].is_null()) {
        if (!fields::is_valid_id(c.user_id)) {
          return api_error{api_errc::not_found, "no such user"};
        }
        c.route = rest_route::add_member;
      }
      return std::nullopt;
    default:
      return read_account_body(b, c, limits);
  }
}

bool takes_body(rest_route r) {
  return is_account_body_route(r) || r == rest_route::register_user || r == rest_route::login ||
         r == rest_route::create_channel || r == rest_route::post_message ||
         r == rest_route::join_channel || r == rest_route::admin_set_role ||
         r == rest_route::update_channel;
}

std::optional<api_error> parse_body(std::string_view body, rest_call& c,
                                    const config::limits_config& limits) {
  if (!takes_body(c.route)) {
    return std::nullopt;
  }
  // Joining takes an empty body as `{}`.
  if (body.empty() && c.route == rest_route::join_channel) {
    return std::nullopt;
  }
  auto parsed = parse_json(body, limits.max_json_depth);
  if (!parsed.value) {
    return fields::invalid(body.empty() ? "a JSON body is required" : parsed.error);
  }
  if (!parsed.value->is_object()) {
    return fields::invalid("the body must be a JSON object");
  }
  return read_body(*parsed.value, c, limits);
}

std::string bearer(std::string_view header) {
  constexpr std::string_view prefix = "Bearer ";
  if (header.size() <= prefix.size()) {
    return {};
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return {};
    }
  }
  return std::string{header.substr(prefix.size())};
}

}  // namespace

result parse_rest(const http_input& in, const config::limits_config& limits) {
  auto qmark = in.target.find('?');
  auto path = in.target.substr(0, qmark);
  auto query = qmark == std::string_view::npos ? std::string_view{} : in.target.substr(qmark + 1);
  constexpr std::string_view prefix = "/api/v1/";
  if (path.substr(0, prefix.size()) != prefix) {
    return not_found();
  }
  rest_call c;
  auto routes = routes_for(split_path(path.substr(prefix.size())), c);
  if (routes.empty()) {
    return not_found();
  }
  auto match = std::find_if(routes.begin(), routes.end(),
                            [&](const route_entry& r) { return r.method == in.method; });
  if (match == routes.end()) {
    rest_refusal r{{api_errc::invalid_request, "method not allowed here"}, 405, {}};
    for (auto& e : routes) {
      r.allow += (r.allow.empty() ? "" : ", ") + std::string{e.method};
    }
    return r;
  }
  c.route = match->route;
  if (!c.channel_id.empty() && !fields::is_valid_id(c.channel_id)) {
    return refuse({api_errc::not_found, "no such channel"});
  }
  if (!c.user_id.empty() && !fields::is_valid_id(c.user_id)) {
    return refuse({api_errc::not_found, "no such user"});
  }
  if (c.route == rest_route::revoke_session && !fields::is_valid_id(c.session_id)) {
    return refuse({api_errc::not_found, "no such session"});
  }
  c.token = bearer(in.authorization);
  if (c.route == rest_route::admin_audit || c.route == rest_route::admin_list_users) {
    if (auto e = admin_input::parse_query(query, c)) {
      return refuse(*e);
    }
  } else if (auto e = parse_query(c.route == rest_route::history ? query : "", c, limits)) {
    return refuse(*e);
  }
  if (auto e = read_revoke_query(c.route == rest_route::revoke_sessions ? query : "", c)) {
    return refuse(*e);
  }
  if (auto e = parse_body(in.body, c, limits)) {
    return refuse(*e);
  }
  return c;
}

}  // namespace plexichat::net
