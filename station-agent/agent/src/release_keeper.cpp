#include "loa/agent/release_keeper.hpp"

#include <filesystem>
#include <sstream>

#include "loa/log/log.hpp"
#include "loa/process/run_program.hpp"
#include "loa/signing/release_signature.hpp"
#include "state_files.hpp"

namespace loa::agent {
namespace {

namespace fs = std::filesystem;
using state_files::read_small;
using state_files::write_atomically;
const log::Logger kLog("releases");

// Where a loa-agent package puts its program.
constexpr const char* kProgramInPackage = "usr/bin/loa-agent";
// The installed program's name in the probation file and the logs.
constexpr const char* kInstalled = "installed";
std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string real_path(const fs::path& p) {
  std::error_code ec;
  auto r = fs::canonical(p, ec);
  return ec ? std::string() : r.string();
}

}  // namespace

ReleaseKeeper::ReleaseKeeper(std::string state_dir, std::string running_version)
    : state_dir_(std::move(state_dir)), running_version_(std::move(running_version)) {}

bool ReleaseKeeper::valid_version(const std::string& version) {
  return !version.empty() && version.size() <= 64 && version[0] != '.' && version != kInstalled &&
         version.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+~-") ==
             std::string::npos;
}

std::string ReleaseKeeper::program_of(const std::string& version) const {
  return version.empty() ? installed_program() : dir() + "/" + version + "/" + kProgramInPackage;
}

std::string ReleaseKeeper::current_version() const {
  std::error_code ec;
  const auto target = fs::read_symlink(fs::path(dir()) / "current", ec);
  return ec ? std::string() : target.filename().string();
}

std::string ReleaseKeeper::installed_program() const { return trimmed(read_small(fs::path(dir()) / "installed-program")); }

std::string ReleaseKeeper::program_to_run(std::int64_t now_ms) {
  try {
    return decide_program(now_ms);
  } catch (const std::exception& e) {
    // A full or read-only disk must not keep the station from starting: the program
    // that runs now carries on, and says why.
    kLog.error("cannot read or record the release in force, running this program: error={}", e.what());
    return {};
  }
}

std::string ReleaseKeeper::decide_program(std::int64_t now_ms) {
  std::error_code ec;
  fs::create_directories(dir(), ec);
  const auto self = real_path("/proc/self/exe");
  const auto releases = real_path(dir());
  const bool self_is_installed = !self.empty() && !releases.empty() && self.rfind(releases + "/", 0) != 0;
  if (self_is_installed) {
    if (installed_program() != self) write_atomically(fs::path(dir()) / "installed-program", self + "\n");
    const auto current = current_version();
    if (!current.empty()) {
      // A package installed by hand since the switch wins over the releases sent.
      const auto base = trimmed(read_small(fs::path(dir()) / "base"));
      if (!base.empty() && base != running_version_) {
        kLog.warn("the installed program changed ({} -> {}): it runs, not release {}", base, running_version_, current);
        point_current_at("");
        fs::remove(fs::path(dir()) / "probation", ec);
        fs::remove(fs::path(dir()) / "staged", ec);
        return {};
      }
      if (auto p = probation()) {
        ++p->starts;
        write_probation(*p);
        if (p->starts > kMaxProbationStarts) {
          roll_back("release " + p->version + " was started " + std::to_string(p->starts - 1) +
                    " times without proving itself");
        } else if (now_ms > p->deadline_ms) {
          roll_back("release " + p->version + " did not prove itself before its deadline");
        }
      }
    }
  }
  const auto target = real_path(program_of(current_version()));
  if (target.empty() || target == self) return {};
  return target;
}

ReleaseKeeper::Installed ReleaseKeeper::install(const std::string& package, const v1::UpdateAgent& update,
                                                const std::vector<std::string>& trusted_keys) {
  Installed out;
  std::error_code ec;
  struct RemoveAfter {
    std::string path;
    ~RemoveAfter() {
      std::error_code e;
      fs::remove_all(path, e);
    }
  } package_gone{package};
  const auto verdict = signing::verify_file(package, update.signature(), trusted_keys);
  if (!verdict.ok) {
    out.detail = "refused, nothing installed: " + verdict.reason;
    return out;
  }
  const auto fields = process::run_program({"dpkg-deb", "--field", package, "Package"});
  if (!fields.ok || trimmed(fields.output) != "loa-agent") {
    out.detail = "refused, nothing installed: not a loa-agent package" +
                 (fields.ok ? " (it is " + trimmed(fields.output) + ")" : ": " + fields.problem);
    return out;
  }
  const auto unpacking = dir() + "/" + update.version() + ".unpacking";
  RemoveAfter unpacking_gone{unpacking};
  fs::remove_all(unpacking, ec);
  fs::create_directories(unpacking);
  if (auto x = process::run_program({"dpkg-deb", "--extract", package, unpacking}); !x.ok) {
    // A good package that does not unpack here: a full disk, most likely.
    out.refused = false;
    out.detail = "not installed: the package does not unpack here (disk full?): " + x.problem;
    return out;
  }
  // The program must run on this board (architecture, libraries) and be what it says.
  const auto program = unpacking + "/" + kProgramInPackage;
  const auto said = process::run_program({program, "--version"});
  const auto expected = "loa-agent " + update.version();
  if (!said.ok || trimmed(said.output) != expected) {
    out.detail = "refused, nothing installed: its program " +
                 (said.ok ? "says '" + trimmed(said.output) + "', not '" + expected + "'" : "does not run here");
    return out;
  }
  const auto final_dir = dir() + "/" + update.version();
  if (current_version() == update.version()) {
    out.detail = "refused: release " + update.version() + " is the one in force";
    return out;
  }
  fs::remove_all(final_dir, ec);
  fs::rename(unpacking, final_dir);
  write_atomically(fs::path(dir()) / "staged", update.version() + " " +
                                                   std::to_string(update.confirm_within_ms()
                                                                      ? update.confirm_within_ms()
                                                                      : kDefaultConfirmWithinMs) +
                                                   "\n");
  out.ok = true;
  out.detail = "release " + update.version() + " verified (key " + verdict.key_id +
               ") and unpacked; it runs once nothing is on air";
  kLog.info("release staged: version={} key={}", update.version(), verdict.key_id);
  return out;
}

std::string ReleaseKeeper::staged() const {
  std::istringstream in(read_small(fs::path(dir()) / "staged"));
  std::string version;
  in >> version;
  return version;
}

void ReleaseKeeper::switch_to_staged(std::int64_t now_ms) {
  std::istringstream in(read_small(fs::path(dir()) / "staged"));
  std::string version;
  std::int64_t confirm_ms = 0;  // 0: a revert, no probation
  if (!(in >> version)) return;
  in >> confirm_ms;
  const auto previous = current_version();
  std::error_code ec;
  if (previous.empty()) {
    // Leaving the installed program: remember its version, so that a package installed
    // by hand later is noticed (program_to_run).
    write_atomically(fs::path(dir()) / "base", running_version_ + "\n");
  }
  const auto target = version == kInstalled ? std::string() : version;
  if (confirm_ms > 0) write_probation({target, now_ms + confirm_ms, previous, 0});
  point_current_at(target);
  fs::remove(fs::path(dir()) / "staged", ec);
  kLog.info("release {} in force{}", version.empty() ? kInstalled : version,
            confirm_ms > 0 ? ", on probation for " + std::to_string(confirm_ms) + " ms" : "");
}

std::optional<std::string> ReleaseKeeper::revert() {
  const auto current = current_version();
  if (current.empty()) return std::nullopt;
  auto previous = trimmed(read_small(fs::path(dir()) / "previous"));
  if (previous.empty() || (previous != kInstalled && !fs::exists(program_of(previous)))) previous = kInstalled;
  write_atomically(fs::path(dir()) / "staged", previous + " 0\n");
  return previous;
}

void ReleaseKeeper::write_probation(const Probation& p) {
  write_atomically(fs::path(dir()) / "probation", (p.version.empty() ? kInstalled : p.version) + " " +
                                                      std::to_string(p.deadline_ms) + " " +
                                                      (p.previous.empty() ? kInstalled : p.previous) + " " +
                                                      std::to_string(p.starts) + "\n");
}

std::optional<ReleaseKeeper::Probation> ReleaseKeeper::probation() const {
  std::istringstream in(read_small(fs::path(dir()) / "probation"));
  Probation p;
  if (!(in >> p.version >> p.deadline_ms >> p.previous >> p.starts)) return std::nullopt;
  if (p.version == kInstalled) p.version.clear();
  if (p.previous == kInstalled) p.previous.clear();
  return p;
}

void ReleaseKeeper::confirm() {
  const auto p = probation();
  if (!p) return;
  std::error_code ec;
  write_atomically(fs::path(dir()) / "previous", (p->previous.empty() ? kInstalled : p->previous) + "\n");
  fs::remove(fs::path(dir()) / "probation", ec);
  // Kept: the release in force and the one before it. Older ones only take room.
  for (const auto& e : fs::directory_iterator(dir(), ec)) {
    const auto name = e.path().filename().string();
    if (!e.is_directory() || e.is_symlink() || name == "incoming" || name == p->version || name == p->previous) continue;
    fs::remove_all(e.path(), ec);
  }
  kLog.info("release {} proved itself", p->version.empty() ? kInstalled : p->version);
}

void ReleaseKeeper::roll_back(const std::string& reason) {
  const auto p = probation();
  if (!p) return;
  point_current_at(p->previous);
  const auto back_to = p->previous.empty() ? std::string("the installed program (") + kInstalled + ")" : p->previous;
  write_atomically(fs::path(dir()) / "rolled-back",
                   "release " + p->version + " rolled back to " + back_to + ": " + reason);
  std::error_code ec;
  fs::remove(fs::path(dir()) / "probation", ec);
  kLog.warn("release {} rolled back to {}: reason={}", p->version, back_to, reason);
}

std::optional<std::string> ReleaseKeeper::take_rollback_reason() {
  return state_files::take(fs::path(dir()) / "rolled-back");
}

void ReleaseKeeper::keep_command(const v1::Command& command) {
  fs::create_directories(dir());
  write_atomically(fs::path(dir()) / "command", command.SerializeAsString());
}

std::optional<v1::Command> ReleaseKeeper::pending_command() const {
  const auto bytes = read_small(fs::path(dir()) / "command");
  v1::Command c;
  if (bytes.empty() || !c.ParseFromString(bytes)) return std::nullopt;
  return c;
}

void ReleaseKeeper::forget_command() {
  std::error_code ec;
  fs::remove(fs::path(dir()) / "command", ec);
}

void ReleaseKeeper::point_current_at(const std::string& version) {
  fs::create_directories(dir());
  state_files::point_link_at(fs::path(dir()) / "current", version);
}

}  // namespace loa::agent
