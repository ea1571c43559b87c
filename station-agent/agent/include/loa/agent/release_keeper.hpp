#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loa/v1/command.pb.h"

namespace loa::agent {

// The agent releases a station was sent, beside the program installed on it. Each
// release is a signed loa-agent package unpacked under `<state>/releases/<version>/`,
// and `releases/current` (a symbolic link) names the one in force; without it the
// installed program (/usr/bin/loa-agent) is. A switch is one rename, and the release
// before stays, so the way back is there.
//
// A release that has just come into force is on probation: unless it proves itself
// (controller reached, every device answering) before its deadline, the agent goes back
// to the one before. The installed program, which the service manager starts, checks
// the probation at each start too, so a release that crashes before it can prove itself
// is undone after a few starts. A package installed by hand (apt, dpkg) wins over the
// releases sent: the installed program notices its own version changed and runs itself.
class ReleaseKeeper {
 public:
  // `running_version`: this program's own version (loa::kVersion).
  ReleaseKeeper(std::string state_dir, std::string running_version);

  // At each start, before anything else: the program to run in place of this one, or ""
  // to carry on. Rolls back a release on probation that outlived its deadline or was
  // started too often without proving itself.
  [[nodiscard]] std::string program_to_run(std::int64_t now_ms);

  struct Installed {
    bool ok = false;
    bool refused = true;  // when not ok: the package was refused (false: this station could not take it)
    std::string detail;   // what was done, or why nothing was installed
  };
  // Verifies the package's signature against the trusted keys, checks that it is
  // loa-agent of the version announced and that its program runs here, unpacks it and
  // stages it. On any failure nothing is kept. The package file is removed either way.
  Installed install(const std::string& package, const loa::v1::UpdateAgent& update,
                    const std::vector<std::string>& trusted_keys);
  // A version the agent can be switched to: "" none.
  [[nodiscard]] std::string staged() const;
  // Puts the staged release in force; on probation until `now_ms` + confirm_within_ms
  // unless it is a revert. The caller restarts into program_to_run().
  void switch_to_staged(std::int64_t now_ms);
  // Stages the release that ran before the last update (no probation: it has run here
  // before). Returns its version, or nullopt when there is nothing to go back to.
  [[nodiscard]] std::optional<std::string> revert();

  struct Probation {
    std::string version;
    std::int64_t deadline_ms = 0;
    std::string previous;  // the version to go back to ("" the installed program)
    int starts = 0;        // by the installed program, while on probation
  };
  [[nodiscard]] std::optional<Probation> probation() const;
  // The release on probation proved itself; releases older than the one before go.
  void confirm();
  // Back to the release before the one on probation, recording why.
  void roll_back(const std::string& reason);
  // The reason of a rollback not yet reported, and forgets it.
  [[nodiscard]] std::optional<std::string> take_rollback_reason();

  // The update or revert command being carried out, kept across the restarts it causes
  // so that it is answered once its outcome is known.
  void keep_command(const loa::v1::Command& command);
  [[nodiscard]] std::optional<loa::v1::Command> pending_command() const;
  void forget_command();

  [[nodiscard]] std::string packages_dir() const { return dir() + "/incoming"; }
  [[nodiscard]] const std::string& running_version() const { return running_version_; }
  // The version name is safe as a folder name.
  [[nodiscard]] static bool valid_version(const std::string& version);

  static constexpr int kMaxProbationStarts = 3;
  static constexpr std::uint32_t kDefaultConfirmWithinMs = 120'000;

 private:
  [[nodiscard]] std::string dir() const { return state_dir_ + "/releases"; }
  [[nodiscard]] std::string decide_program(std::int64_t now_ms);
  [[nodiscard]] std::string program_of(const std::string& version) const;
  [[nodiscard]] std::string current_version() const;  // "" the installed program
  [[nodiscard]] std::string installed_program() const;
  void point_current_at(const std::string& version);
  void write_probation(const Probation& p);

  std::string state_dir_;
  std::string running_version_;
};

}  // namespace loa::agent
