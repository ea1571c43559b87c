// The station list reader behind `loactl station import`.
#include <gtest/gtest.h>

#include "loa/loactl/station_csv.hpp"

namespace loa::loactl {
namespace {

TEST(StationCsv, AQuotedFieldKeepsItsCommaAndAHeaderOrCommentIsSkipped) {
  const auto list = parse_station_csv(
      "id,public_key,name,commune,location\n"
      "# pilot stations\n"
      "ky-anh-1,KEY1,\"Trạm \"\"Chợ\"\"\",Kỳ Anh,\"18.07,106.29\"\r\n"
      "ky-anh-2,KEY2\n");
  ASSERT_TRUE(list.errors.empty());
  ASSERT_EQ(list.rows.size(), 2u);
  EXPECT_EQ(list.rows[0].row, 3);
  EXPECT_EQ(list.rows[0].name, "Trạm \"Chợ\"");
  EXPECT_EQ(list.rows[0].location, "18.07,106.29");
  EXPECT_EQ(list.rows[1].id, "ky-anh-2");
  EXPECT_EQ(list.rows[1].location, "");
}

TEST(StationCsv, AByteOrderMarkIsSkipped) {
  const auto list = parse_station_csv("\xEF\xBB\xBFid,public_key\na,k\n");
  ASSERT_EQ(list.rows.size(), 1u);
  EXPECT_EQ(list.rows[0].id, "a");
}

TEST(StationCsv, ARowNotInUtf8IsRefusedWithItsNumberAndTheOthersAreTaken) {
  const auto list = parse_station_csv("a,k,Tr\xE1m,K\xFD Anh\nb,k2,Trạm,Kỳ Anh\n");
  ASSERT_EQ(list.errors.size(), 1u);
  EXPECT_EQ(list.errors[0].row, 1);
  EXPECT_NE(list.errors[0].message.find("UTF-8"), std::string::npos);
  ASSERT_EQ(list.rows.size(), 1u);
  EXPECT_EQ(list.rows[0].id, "b");
}

TEST(StationCsv, TooManyFieldsOrAnOpenQuoteIsNamed) {
  auto list = parse_station_csv("a,k,n,c,lat,lon\n");
  ASSERT_EQ(list.errors.size(), 1u);
  EXPECT_NE(list.errors[0].message.find("6 fields"), std::string::npos);
  list = parse_station_csv("a,k\nb,k,\"open\n");
  ASSERT_EQ(list.rows.size(), 1u);
  ASSERT_EQ(list.errors.size(), 1u);
  EXPECT_EQ(list.errors[0].row, 2);
}

}  // namespace
}  // namespace loa::loactl
