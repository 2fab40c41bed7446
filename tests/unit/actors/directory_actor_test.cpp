#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "actors/account_types.hpp"
#include "runtime/clock.hpp"
#include "tests/unit/actors/test_node.hpp"

// The directory actor (directory.hpp) on a real actor system, database and blocking pool.
namespace plexichat::actors::testing {
namespace {

const std::string kPassword = "correct horse battery";

class DirectoryActorTest : public ::testing::Test {
 protected:
  caf::expected<storage::user_record> register_user(const std::string& name,
                                                    const std::string& password = kPassword,
                                                    const caf::actor* dir = nullptr) {
    return call<storage::user_record>(self_, dir ? *dir : node_.ctx().directory,
                                      register_atom::value, name, password);
  }

  caf::expected<login_result> login(const std::string& name,
                                    const std::string& password = kPassword,
                                    const caf::actor* dir = nullptr) {
    return call<login_result>(self_, dir ? *dir : node_.ctx().directory, login_atom::value, name,
                              password);
  }

  test_node node_;
  caf::scoped_actor self_{node_.sys()};
};

TEST_F(DirectoryActorTest, RegisterStoresAHashedUser) {
  auto user = register_user("alice");
  ASSERT_TRUE(user) << to_string(user.error());
  EXPECT_EQ(user->username, "alice");
  EXPECT_FALSE(user->id.empty());
  EXPECT_GT(user->created_at, 0);
  EXPECT_EQ(user->password_hash.rfind("$argon2id$", 0), 0u) << user->password_hash;
  EXPECT_EQ(user->password_hash.find(kPassword), std::string::npos);
  EXPECT_EQ(node_.db().find_user_id("alice"), user->id);
  EXPECT_EQ(node_.db().get_user(user->id), *user);
}

TEST_F(DirectoryActorTest, DuplicateUsernameIsAConflict) {
  ASSERT_TRUE(register_user("alice"));
  EXPECT_EQ(error_code(register_user("alice", "another password")), api_errc::conflict);
  EXPECT_TRUE(login("alice")) << "the first registration still holds";
}

TEST_F(DirectoryActorTest, ConcurrentRegistrationsOfOneNameOneWins) {
  auto dir = node_.ctx().directory;
  auto h1 = self_->request(dir, kDeadline, register_atom::value, std::string{"bob"}, kPassword);
  auto h2 = self_->request(dir, kDeadline, register_atom::value, std::string{"bob"}, kPassword);
  int ok = 0;
  int conflicts = 0;
  for (auto* h : {&h1, &h2}) {
    h->receive([&](storage::user_record&) { ++ok; },
               [&](caf::error& err) { conflicts += to_api_error(err).code == api_errc::conflict; });
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflicts, 1);
}

TEST_F(DirectoryActorTest, LoginIssuesAVerifiableToken) {
  auto user = register_user("alice");
  ASSERT_TRUE(user);
  auto before = runtime::now_seconds();
  auto result = login("alice");
  ASSERT_TRUE(result) << to_string(result.error());
  EXPECT_EQ(result->user, *user);
  auto verified = node_.signer().verify(result->token, runtime::now_seconds());
  ASSERT_TRUE(std::holds_alternative<runtime::token_claims>(verified))
      << runtime::to_string(std::get<runtime::token_error>(verified));
  auto claims = std::get<runtime::token_claims>(verified);
  EXPECT_EQ(claims.user_id, user->id);
  EXPECT_EQ(claims.username, "alice");
  EXPECT_EQ(claims.issuer, node_.config().name);
  EXPECT_FALSE(claims.token_id.empty());
  EXPECT_GE(claims.issued_at, before);
  EXPECT_EQ(claims.expires_at - claims.issued_at, node_.config().auth.token_ttl.count());
  EXPECT_EQ(result->expires_at, claims.expires_at * 1000) << "expires_at is in ms";
  EXPECT_EQ(node_.metrics().logins.Value(), 1.0);
}

TEST_F(DirectoryActorTest, WrongPasswordOrUnknownUserIsUnauthorized) {
  ASSERT_TRUE(register_user("alice"));
  EXPECT_EQ(error_code(login("alice", "wrong password")), api_errc::unauthorized);
  EXPECT_EQ(error_code(login("nobody")), api_errc::unauthorized);
  EXPECT_EQ(node_.metrics().login_failures.Value(), 2.0);
  EXPECT_EQ(node_.metrics().logins.Value(), 0.0);
}

TEST_F(DirectoryActorTest, GetFindsUsersById) {
  auto user = register_user("alice");
  ASSERT_TRUE(user);
  auto got = call<storage::user_record>(self_, node_.ctx().directory, get_atom::value, user->id);
  ASSERT_TRUE(got) << to_string(got.error());
  EXPECT_EQ(*got, *user);
  EXPECT_EQ(error_code(call<storage::user_record>(self_, node_.ctx().directory, get_atom::value,
                                                  std::string{"u-missing"})),
            api_errc::not_found);
}

TEST_F(DirectoryActorTest, LogoutRevokesTheToken) {
  ASSERT_TRUE(register_user("alice"));
  auto session = login("alice");
  ASSERT_TRUE(session);
  auto claims = std::get<runtime::token_claims>(
      node_.signer().verify(session->token, runtime::now_seconds()));
  EXPECT_FALSE(node_.revocations().is_revoked(claims.token_id));
  auto out = call<bool>(self_, node_.ctx().directory, logout_atom::value, claims.token_id,
                        session->expires_at);
  ASSERT_TRUE(out) << to_string(out.error());
  EXPECT_TRUE(*out);
  EXPECT_TRUE(node_.revocations().is_revoked(claims.token_id));
  auto stored = node_.db().revocations();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0], std::make_pair(claims.token_id, session->expires_at));
}

TEST_F(DirectoryActorTest, FreshDirectoryFindsUsersInStorage) {
  auto user = register_user("alice");
  ASSERT_TRUE(user);
  // A second directory starts with an empty cache, like a restarted node.
  auto fresh = directory::spawn_directory(node_.sys(), &node_.ctx());
  node_.stop_at_shutdown(fresh);
  EXPECT_EQ(error_code(register_user("alice", kPassword, &fresh)), api_errc::conflict);
  auto result = login("alice", kPassword, &fresh);
  ASSERT_TRUE(result) << to_string(result.error());
  EXPECT_EQ(result->user, *user);
  EXPECT_EQ(error_code(login("alice", "wrong password", &fresh)), api_errc::unauthorized);
  auto got = call<storage::user_record>(self_, fresh, get_atom::value, user->id);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, *user);
}

TEST_F(DirectoryActorTest, StorageFailureAnswersUnavailable) {
  node_.writer().stop();
  EXPECT_EQ(error_code(register_user("alice")), api_errc::unavailable);
  EXPECT_EQ(node_.db().find_user_id("alice"), std::nullopt);
  // The failed registration released the name: it is not stuck as "taken".
  EXPECT_EQ(error_code(register_user("alice")), api_errc::unavailable);
  EXPECT_EQ(error_code(call<bool>(self_, node_.ctx().directory, logout_atom::value,
                                  std::string{"t-x"}, int64_t{1})),
            api_errc::unavailable);
  EXPECT_FALSE(node_.revocations().is_revoked("t-x"));
}

TEST_F(DirectoryActorTest, AnUnreadableUserIsUnavailableNotUnknown) {
  auto user = register_user("alice");
  ASSERT_TRUE(user);
  auto fresh = directory::spawn_directory(node_.sys(), &node_.ctx());
  node_.stop_at_shutdown(fresh);
  // Without the blocking pool the fresh directory cannot read alice from storage.
  caf::anon_send_exit(node_.ctx().blocking, caf::exit_reason::user_shutdown);
  password_change change{user->id, "", kPassword, "a new password for alice"};
  EXPECT_EQ(error_code(call<bool>(self_, fresh, password_atom::value, change)),
            api_errc::unavailable)
      << "a user whose record cannot be read is not \"no such user\"";
  EXPECT_EQ(error_code(login("alice", kPassword, &fresh)), api_errc::unavailable);
  EXPECT_EQ(error_code(call<storage::user_record>(self_, fresh, get_atom::value, user->id)),
            api_errc::unavailable);
}

}  // namespace
}  // namespace plexichat::actors::testing
