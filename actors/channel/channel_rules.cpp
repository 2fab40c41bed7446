#include "actors/channel/channel_rules.hpp"

namespace plexichat::actors::channel {

namespace {

bool is_owner(const storage::channel_record& rec, std::string_view by) {
  return !by.empty() && rec.owner_id == by;
}

api_error hidden() {
  return {api_errc::not_found, "no such channel"};
}

}  // namespace

storage::channel_record patched(storage::channel_record rec, const channel_patch& p) {
  if (p.set_name) {
    rec.name = p.name;
  }
  if (p.set_topic) {
    rec.topic = p.topic;
  }
  return rec;
}

std::optional<api_error> check_update(const storage::channel_record& rec, std::string_view by,
                                      bool can_view, bool by_admin) {
  if (by_admin || is_owner(rec, by)) {
    return std::nullopt;
  }
  if (!can_view) {
    return hidden();
  }
  return api_error{api_errc::forbidden, "only the channel's owner or an admin can change it"};
}

std::optional<api_error> check_add(const storage::channel_record& rec, std::string_view by,
                                   bool by_is_member, bool can_view, bool by_admin) {
  if (by_admin || is_owner(rec, by)) {
    return std::nullopt;
  }
  if (!can_view) {
    return hidden();
  }
  if (!by_is_member) {
    return api_error{api_errc::forbidden, "only members can add members"};
  }
  if (rec.is_private) {
    return api_error{api_errc::forbidden,
                     "only the owner or an admin can add members to a private channel"};
  }
  return std::nullopt;
}

std::optional<api_error> check_remove(const storage::channel_record& rec, std::string_view by,
                                      std::string_view target, bool can_view, bool by_admin) {
  if (by_admin || is_owner(rec, by) || (!by.empty() && by == target && can_view)) {
    return std::nullopt;
  }
  if (!can_view) {
    return hidden();
  }
  return api_error{api_errc::forbidden, "only the channel's owner or an admin can remove members"};
}

}  // namespace plexichat::actors::channel
