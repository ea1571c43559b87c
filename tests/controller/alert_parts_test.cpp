// The alert desk's pure parts: how a CAP message becomes an alert definition, and how
// one station's delivery moves with what the station reports.
#include <gtest/gtest.h>

#include "loa/alerts/alert_desk.hpp"
#include "loa/alerts/cap_mapping.hpp"
#include "loa/alerts/delivery_tracking.hpp"

namespace loa::alerts {
namespace {

namespace v1 = ::loa::v1;
constexpr std::int64_t kBefore = 1'779'900'000'000;  // 2026-05-27 16:40 UTC
constexpr std::int64_t kAfter = 1'780'000'000'000;   // 2026-05-28 20:26 UTC

CapMessage flood_warning() {
  CapMessage m;
  m.identifier = "KTTV-2026-0042";
  m.sender = "kttv@nchmf.gov.vn";
  m.status = "Actual";
  m.msg_type = "Alert";
  CapInfo en;
  en.language = "en-US";
  en.event = "Flood";
  en.headline = "Flood warning";
  CapInfo vi;
  vi.language = "vi-VN";
  vi.event = "Lũ";
  vi.urgency = "Immediate";
  vi.severity = "Severe";
  vi.certainty = "Observed";
  vi.headline = "Cảnh báo lũ";
  vi.description = "Nước sông Hương dâng cao";
  vi.instruction = "Di chuyển lên vùng cao!";
  vi.expires = "2026-05-28T12:00:00+07:00";
  // The second area's name in decomposed form (NFD), as some systems write it.
  vi.areas = {{"Xã Cẩm Bình", {{"VN-GSO", "18571"}}}, {"Tho\u0302n \u0110o\u0302ng", {}}};
  en.areas = vi.areas;
  m.infos = {en, vi};
  return m;
}

std::vector<store::ZoneRecord> zones() {
  store::ZoneRecord by_code, by_name, elsewhere;
  by_code.id = "cam-binh";
  by_code.cap_areas = {"VN-GSO=18571"};
  by_name.id = "thon-dong";
  by_name.cap_areas = {"thôn đông"};  // names match whatever their case, in any script
  elsewhere.id = "ky-anh";
  elsewhere.cap_areas = {"VN-GSO=18600", "Kỳ Anh"};
  return {by_code, by_name, elsewhere};
}

TEST(CapMapping, ThePreferredLanguagesInfoBecomesTheAlertForTheZonesItsAreasMatch) {
  const auto body = alert_definition_of(flood_warning(), "actual", {"vi", "en"}, zones(), kBefore);
  EXPECT_EQ(body["language"], "vi");
  EXPECT_EQ(body["severity"], "severe");
  EXPECT_EQ(body["headline"], "Cảnh báo lũ");
  EXPECT_EQ(body["tts"], "Cảnh báo lũ. Nước sông Hương dâng cao. Di chuyển lên vùng cao!");
  EXPECT_EQ(body["to"], nlohmann::json::array({"zone:cam-binh", "zone:thon-dong"}));
  EXPECT_EQ(body["expires_at_ms"], 1'779'944'400'000);  // 05:00 UTC
  EXPECT_EQ(body["cap"]["identifier"], "KTTV-2026-0042");
  EXPECT_EQ(body["cap"]["severity"], "Severe");
  // English first: the English block, whose only text is its headline.
  const auto english = alert_definition_of(flood_warning(), "actual", {"en"}, {zones()[0]}, kBefore);
  EXPECT_EQ(english["tts"], "Flood warning.");
}

TEST(CapMapping, NoMatchingZoneOrAPastExpiryIsRefused) {
  try {
    (void)alert_definition_of(flood_warning(), "actual", {"vi"}, {zones()[2]}, kBefore);
    FAIL() << "no zone matches";
  } catch (const AlertError& e) {
    EXPECT_EQ(e.problem(), AlertProblem::no_area);
    EXPECT_NE(std::string(e.what()).find("VN-GSO=18571"), std::string::npos) << e.what();
  }
  try {
    (void)alert_definition_of(flood_warning(), "actual", {"vi"}, zones(), kAfter);  // after 12:00 +07
    FAIL() << "expired";
  } catch (const AlertError& e) {
    EXPECT_EQ(e.problem(), AlertProblem::expiry_passed);
  }
}

TEST(CapMapping, SeverityFoldsInUrgencyAndCertainty) {
  CapInfo i;
  i.severity = "Extreme";
  EXPECT_EQ(severity_of(i), "extreme");
  i.urgency = "Past";
  EXPECT_EQ(severity_of(i), "minor");
  i = {};
  i.severity = "Severe";
  i.certainty = "Unlikely";
  EXPECT_EQ(severity_of(i), "minor");
  i = {};
  i.severity = "Unknown";
  i.urgency = "Immediate";
  i.certainty = "Observed";
  EXPECT_EQ(severity_of(i), "moderate");
  i.certainty = "Possible";
  EXPECT_EQ(severity_of(i), "minor");
}

store::AlertDelivery sent(int parts) {
  store::AlertDelivery d;
  d.alert_id = "a1";
  d.station_id = "xa-1";
  d.state = "sent";
  d.parts_expected = parts;
  return d;
}
v1::CommandResult result(v1::CommandResult::Outcome outcome, const std::string& detail) {
  v1::CommandResult r;
  r.set_outcome(outcome);
  r.set_detail(detail);
  return r;
}
v1::PlaybackReport playback(v1::PlaybackReport::Outcome outcome, std::int64_t start_ms, const std::string& detail = "") {
  v1::PlaybackReport r;
  r.set_outcome(outcome);
  r.set_actual_start_ms(start_ms);
  r.set_detail(detail);
  return r;
}

TEST(DeliveryTracking, SentAcknowledgedPlayingPlayedOverEveryPart) {
  auto d = sent(2);
  EXPECT_TRUE(delivery::on_result(d, result(v1::CommandResult::OUTCOME_APPLIED, "amplifier warming up"), 10));
  EXPECT_EQ(d.state, "acknowledged");
  EXPECT_EQ(d.detail, "amplifier warming up");
  EXPECT_FALSE(delivery::on_result(d, result(v1::CommandResult::OUTCOME_APPLIED, "queued"), 11));  // the second command
  EXPECT_TRUE(delivery::on_playback(d, playback(v1::PlaybackReport::OUTCOME_PLAYING, 500), 12));   // first sound
  EXPECT_EQ(d.state, "playing");
  EXPECT_EQ(d.first_sound_ms, 500);
  EXPECT_FALSE(delivery::on_playback(d, playback(v1::PlaybackReport::OUTCOME_PLAYED, 500), 13));
  EXPECT_EQ(d.state, "acknowledged");
  EXPECT_EQ(d.detail, "played 1 of 2 parts");
  EXPECT_FALSE(delivery::on_playback(d, playback(v1::PlaybackReport::OUTCOME_PLAYING, 4000), 14));  // not the first
  EXPECT_FALSE(delivery::on_playback(d, playback(v1::PlaybackReport::OUTCOME_PLAYED, 4000), 15));
  EXPECT_EQ(d.state, "played");
  EXPECT_EQ(d.detail, "");
  EXPECT_EQ(d.first_sound_ms, 500);
  EXPECT_EQ(d.updated_ms, 15);
  EXPECT_TRUE(delivery::is_final(d.state));
  EXPECT_FALSE(delivery::stop(d, "cancelled", 16));  // played stays played
}

TEST(DeliveryTracking, RefusedPreemptedAndStoppedAreFinal) {
  auto refused = sent(1);
  EXPECT_TRUE(delivery::on_result(refused, result(v1::CommandResult::OUTCOME_FAILED, ""), 1));
  EXPECT_EQ(refused.state, "failed");
  EXPECT_EQ(refused.detail, "refused by the station");
  EXPECT_FALSE(delivery::on_result(refused, result(v1::CommandResult::OUTCOME_APPLIED, ""), 2));

  auto preempted = sent(1);
  (void)delivery::on_playback(preempted, playback(v1::PlaybackReport::OUTCOME_PLAYING, 100), 1);
  (void)delivery::on_playback(preempted, playback(v1::PlaybackReport::OUTCOME_PREEMPTED, 100, "preempted by bao-dong-2"), 2);
  EXPECT_EQ(preempted.state, "failed");
  EXPECT_EQ(preempted.detail, "preempted by bao-dong-2");

  auto missed = sent(1);
  (void)delivery::on_playback(missed, playback(v1::PlaybackReport::OUTCOME_MISSED, 0), 1);
  EXPECT_EQ(missed.state, "failed");
  EXPECT_EQ(missed.detail, "did not play");

  auto cancelled = sent(3);
  EXPECT_TRUE(delivery::stop(cancelled, "cancelled by lan", 5));
  EXPECT_EQ(cancelled.state, "stopped");
  (void)delivery::on_playback(cancelled, playback(v1::PlaybackReport::OUTCOME_PLAYED, 100), 6);
  EXPECT_EQ(cancelled.state, "stopped");  // a late report does not undo the stop
  EXPECT_EQ(cancelled.detail, "cancelled by lan");
}

}  // namespace
}  // namespace loa::alerts
