#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <caf/meta/type_name.hpp>

#include "actors/api_error.hpp"
#include "storage/records.hpp"

/// Who may manage a channel (docs/API.md "Roles"). Pure functions, unit-tested; the channel
/// actor calls them with what its ledger knows. `can_view` is whether the caller may see the
/// channel at all (public, or a member); `by_admin` whether the caller is a node admin.
/// Callers that may not see a private channel get not_found, as for any hidden channel.
namespace plexichat::actors::channel {

/// A change of a channel's name and/or topic (PATCH /channels/{id}).
struct channel_patch {
  bool set_name = false;
  std::string name;
  bool set_topic = false;
  std::string topic;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, channel_patch& x) {
  return f(caf::meta::type_name("channel_patch"), x.set_name, x.name, x.set_topic, x.topic);
}

/// The record after the patch.
storage::channel_record patched(storage::channel_record rec, const channel_patch& p);

/// Renaming and changing the topic: the owner or an admin.
std::optional<api_error> check_update(const storage::channel_record& rec, std::string_view by,
                                      bool can_view, bool by_admin);

/// Adding someone: to a public channel, any member or an admin; to a private channel, only
/// its owner or an admin.
std::optional<api_error> check_add(const storage::channel_record& rec, std::string_view by,
                                   bool by_is_member, bool can_view, bool by_admin);

/// Removing a member: the owner or an admin (anyone may remove themselves, which is leaving).
std::optional<api_error> check_remove(const storage::channel_record& rec, std::string_view by,
                                      std::string_view target, bool can_view, bool by_admin);

}  // namespace plexichat::actors::channel
