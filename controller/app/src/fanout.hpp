#pragma once

#include <span>
#include <string>

#include "loa/federation/member_desk.hpp"
#include "loa/server/control_server.hpp"

namespace loa::app {

// The control server hands what stations report to one keeper: these pass it on to the
// report keeper (stations' reports) and the member desk (member controllers' reports).
class ReportsFanout final : public server::IStationReports {
 public:
  ReportsFanout(server::IStationReports& stations, federation::MemberDesk& members)
      : stations_(stations), members_(members) {}
  void keep(std::span<const server::StationReport> reports) override {
    stations_.keep(reports);
    members_.keep(reports);
  }
  void tidy() override { stations_.tidy(); }

 private:
  server::IStationReports& stations_;
  federation::MemberDesk& members_;
};

// Results and playouts go to the alert desk; a member's answer to a relay to the member desk.
class EventsFanout final : public server::IStationEvents {
 public:
  EventsFanout(server::IStationEvents& alerts, federation::MemberDesk& members) : alerts_(alerts), members_(members) {}
  void on_command_result(const std::string& station_id, const loa::v1::CommandResult& result) override {
    alerts_.on_command_result(station_id, result);
    members_.on_command_result(station_id, result);
  }
  void on_playback(const std::string& station_id, const loa::v1::PlaybackReport& report) override {
    alerts_.on_playback(station_id, report);
  }

 private:
  server::IStationEvents& alerts_;
  federation::MemberDesk& members_;
};

}  // namespace loa::app
