#include <gtest/gtest.h>

#include "loa/store/store.hpp"
#include "loa/users/user_directory.hpp"
#include "support/process.hpp"

namespace loa::users {
namespace {

using namespace std::chrono_literals;

class UserDirectoryTest : public ::testing::Test {
 protected:
  test::ScratchDir dir;
  std::unique_ptr<store::Store> store = store::open_sqlite_store(dir.path() + "/c.db");
  time::ManualClock clock;
  UserDirectory users{*store, clock};
};

TEST_F(UserDirectoryTest, APasswordIsKeptOnlyAsAHashAndChecked) {
  ASSERT_EQ(users.put("lan", "correct horse battery", {"operator"}, {"hue"}), "");
  const auto record = store->find_user("lan");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->password_hash.find("correct horse"), std::string::npos);
  EXPECT_EQ(record->password_hash.rfind("$argon2id$", 0), 0u);
  const auto me = users.authenticate("lan", "correct horse battery");
  ASSERT_TRUE(me);
  EXPECT_EQ(me->roles, std::vector<std::string>{"operator"});
  EXPECT_EQ(me->zones, std::vector<std::string>{"hue"});
  EXPECT_TRUE(me->is_person());
  EXPECT_FALSE(users.authenticate("lan", "correct horse batterY"));
  EXPECT_FALSE(users.authenticate("nobody", "correct horse battery"));
}

TEST_F(UserDirectoryTest, ShortPasswordsAndUnknownRolesAreRefusedWithAReason) {
  EXPECT_NE(users.put("lan", "short", {"operator"}, {}), "");
  EXPECT_NE(users.put("lan", "long enough password", {"wizard"}, {}), "");
  EXPECT_FALSE(users.find("lan"));
  EXPECT_TRUE(UserDirectory::is_role("technician"));
  EXPECT_FALSE(UserDirectory::is_role("root"));
}

TEST_F(UserDirectoryTest, ATokenActsWithItsUsersRolesTodayUntilItExpires) {
  ASSERT_EQ(users.put("minh", "a long password here", {"viewer"}, {}), "");
  const auto token = users.issue_token("minh", "script", 60'000);
  ASSERT_TRUE(token);
  EXPECT_EQ(store->find_token_by_hash(token->secret), std::nullopt);  // only its hash is kept
  auto caller = users.token_caller(token->secret);
  ASSERT_TRUE(caller);
  EXPECT_EQ(caller->name, "minh");
  EXPECT_TRUE(caller->by_token);
  EXPECT_FALSE(caller->is_person());  // a script is never the second person
  // Roles are read at each use: a change reaches the token at once.
  ASSERT_EQ(users.put("minh", "a long password here", {"operator"}, {}), "");
  EXPECT_EQ(users.token_caller(token->secret)->roles, std::vector<std::string>{"operator"});
  clock.advance(61s);
  EXPECT_FALSE(users.token_caller(token->secret));
  EXPECT_FALSE(users.token_caller("not-a-token"));
  EXPECT_FALSE(users.issue_token("ghost", "x", 0));
}

TEST(Caller, AdminHasEveryRole) {
  Caller admin{"root", {"admin"}, {}, false, {}};
  EXPECT_TRUE(admin.has_role("emergency"));
  Caller tech{"t", {"technician"}, {}, false, {}};
  EXPECT_TRUE(tech.has_role("technician"));
  EXPECT_FALSE(tech.has_role("operator"));
}

}  // namespace
}  // namespace loa::users
