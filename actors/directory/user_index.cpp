#include "actors/directory/user_index.hpp"

namespace plexichat::actors::directory {

const storage::user_record* user_index::by_id(std::string_view id) const {
  auto i = users_.find(std::string{id});
  return i == users_.end() ? nullptr : &i->second;
}

const storage::user_record* user_index::by_name(std::string_view username) const {
  auto i = ids_by_name_.find(std::string{username});
  return i == ids_by_name_.end() ? nullptr : by_id(i->second);
}

bool user_index::reserve(const std::string& username) {
  if (ids_by_name_.count(username) > 0) {
    return false;
  }
  return reserved_.insert(username).second;
}

void user_index::release(const std::string& username) {
  reserved_.erase(username);
}

void user_index::insert(storage::user_record user) {
  ids_by_name_[user.username] = user.id;
  auto id = user.id;
  users_.insert_or_assign(std::move(id), std::move(user));
}

}  // namespace plexichat::actors::directory
