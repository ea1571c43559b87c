// release keygen|sign and update push|status|halt|rollback: signed agent releases, made
// where releases are made, and their staged rollouts from the controller.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "loa/signing/release_signature.hpp"
#include "output.hpp"

namespace loa::loactl {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ApiError(kExitUsage, "cannot read " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

void write_text(const std::string& path, const std::string& text, bool secret) {
  const auto old_mask = secret ? ::umask(077) : ::umask(022);
  std::ofstream out(path, std::ios::trunc);
  out << text << '\n';
  out.close();
  ::umask(old_mask);
  if (!out) throw ApiError(kExitApiError, "cannot write " + path);
}

void print_rollout(json r) {
  std::cout << "rollout " << text(r["id"]) << ": release " << text(r["version"]) << " (" << text(r["release_sha256"]).substr(0, 12)
            << "), " << text(r["state"]) << ", canary " << text(r["canary"]) << '\n';
  if (!text(r["reason"]).empty() && text(r["reason"]) != "-") std::cout << "reason: " << text(r["reason"]) << '\n';
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : r["stations"]) {
    rows.push_back({text(s["station_id"]), s.value("canary", false) ? "canary" : "-", text(s["state"]),
                    when(s["updated_ms"]), s.contains("detail") ? text(s["detail"]) : "-"});
  }
  print_table({"STATION", "ROLE", "STATE", "CHANGED", "DETAIL"}, rows);
}

}  // namespace

void add_update_commands(Commands& c) {
  auto* release = c.root().add_subcommand("release", "agent release keys and signatures (where releases are made)");
  release->require_subcommand(1);
  auto out_dir = std::make_shared<std::string>(".");
  auto* keygen = release->add_subcommand(
      "keygen", "make a release key pair: release.key (secret, keep it off the controller) and release.pub");
  keygen->add_option("--out", *out_dir, "folder to write them in")->check(CLI::ExistingDirectory);
  c.on(keygen, [out_dir](IApi&, const Globals& g) {
    const auto secret = *out_dir + "/release.key";
    if (std::filesystem::exists(secret)) throw ApiError(kExitUsage, secret + " exists: not overwritten");
    const auto key = signing::generate_release_key();
    write_text(secret, key.secret_key, true);
    write_text(*out_dir + "/release.pub", key.public_key, false);
    if (g.as_json) {
      std::cout << json{{"public_key", key.public_key}, {"key_id", signing::key_id(key.public_key)}}.dump(2) << '\n';
    } else {
      std::cout << "release key " << signing::key_id(key.public_key) << " written to " << secret << " and "
                << *out_dir << "/release.pub\n"
                << "each station's agent.yaml:\n  updates:\n    release_keys: [\"" << key.public_key << "\"]\n";
    }
    return kExitOk;
  });

  struct SignOpts {
    std::string file, key, out;
  };
  auto so = std::make_shared<SignOpts>();
  auto* sign = release->add_subcommand("sign", "sign a loa-agent package: writes FILE.sig");
  sign->add_option("file", so->file, "the package (.deb)")->required()->check(CLI::ExistingFile);
  sign->add_option("--key", so->key, "the release secret key file")->required()->check(CLI::ExistingFile);
  sign->add_option("--out", so->out, "where to write the signature (default FILE.sig)");
  c.on(sign, [so](IApi&, const Globals&) {
    std::string signature;
    try {
      signature = signing::sign_file(so->file, read_text(so->key));
    } catch (const signing::SigningError& e) {
      throw ApiError(kExitUsage, e.what());
    }
    const auto out = so->out.empty() ? so->file + ".sig" : so->out;
    write_text(out, signature, false);
    std::cout << "signed: " << out << '\n';
    return kExitOk;
  });

  auto* update = c.root().add_subcommand("update", "agent releases rolled out to stations, canaries first");
  update->require_subcommand(1);
  struct PushOpts {
    std::string file, signature, canary = "5%";
    std::vector<std::string> to;
    int confirm_s = 0;
  };
  auto po = std::make_shared<PushOpts>();
  auto* push = update->add_subcommand("push", "upload a signed loa-agent package and start a staged rollout of it");
  push->add_option("file", po->file, "the package (.deb)")->required()->check(CLI::ExistingFile);
  push->add_option("--signature", po->signature, "its signature file (default FILE.sig)");
  push->add_option("--canary", po->canary, "canaries: a percentage of the stations (5%) or station ids (a,b)");
  push->add_option("--to", po->to, "STATION, zone:ID, station:ID or all (repeatable; default all)");
  push->add_option("--confirm-within", po->confirm_s,
                   "seconds a station has to reach the controller and every device on the new release (0: its default)")
      ->check(CLI::Range(0, 3600));
  c.on(push, [po](IApi& api, const Globals& g) {
    const auto sig_file = po->signature.empty() ? po->file + ".sig" : po->signature;
    const auto signature = std::filesystem::exists(sig_file) ? read_text(sig_file) : std::string();
    const auto kept = api.upload("/api/v1/releases?signature=" + encode(signature), po->file,
                                    std::filesystem::path(po->file).filename().string());
    json body{{"release", kept["sha256"]}, {"to", po->to.empty() ? json::array({"all"}) : targets_of(po->to)},
              {"canary", po->canary}};
    if (po->confirm_s > 0) body["confirm_within_ms"] = po->confirm_s * 1000;
    emit(g.as_json, api.call("POST", "/api/v1/updates", body), print_rollout);
    return kExitOk;
  });

  auto* releases = update->add_subcommand("releases", "agent releases kept on the controller, newest first");
  c.on(releases, [](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/releases");
    emit(g.as_json, g.as_json ? out : out["items"], [](json items) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& r : items) {
        rows.push_back({text(r["version"]), text(r["sha256"]).substr(0, 12), text(r["bytes"]),
                        r.value("signed", false) ? "yes" : "NO", when(r["uploaded_ms"]), text(r["uploaded_by"])});
      }
      print_table({"VERSION", "PACKAGE", "BYTES", "SIGNED", "UPLOADED", "BY"}, rows);
    });
    return kExitOk;
  });
  c.on(update->add_subcommand("list", "rollouts, newest first"), [](IApi& api, const Globals& g) {
    auto out = api.call("GET", "/api/v1/updates");
    emit(g.as_json, g.as_json ? out : out["items"], [](json items) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& r : items) {
        rows.push_back({text(r["id"]), text(r["version"]), text(r["state"]), text(r["canary"]), when(r["created_ms"]),
                        text(r["created_by"]), text(r["reason"]).empty() ? "-" : text(r["reason"])});
      }
      print_table({"ROLLOUT", "VERSION", "STATE", "CANARY", "STARTED", "BY", "REASON"}, rows);
    });
    return kExitOk;
  });

  auto id = std::make_shared<std::string>("latest");
  auto* status = update->add_subcommand("status", "a rollout station by station (default: the latest)");
  status->add_option("rollout", *id, "the rollout's id");
  c.on(status, [id](IApi& api, const Globals& g) {
    emit(g.as_json, api.call("GET", "/api/v1/updates/" + encode(*id)), print_rollout);
    return kExitOk;
  });
  auto* halt = update->add_subcommand("halt", "send a rollout to no more stations (default: the latest)");
  halt->add_option("rollout", *id, "the rollout's id");
  c.on(halt, [id](IApi& api, const Globals& g) {
    emit(g.as_json, api.call("POST", "/api/v1/updates/" + encode(*id) + "/halt", json::object()), print_rollout);
    return kExitOk;
  });
  auto* rollback = update->add_subcommand(
      "rollback", "send every station a rollout reached back to the release it ran before (default: the latest)");
  rollback->add_option("rollout", *id, "the rollout's id");
  c.on(rollback, [id](IApi& api, const Globals& g) {
    emit(g.as_json, api.call("POST", "/api/v1/updates/" + encode(*id) + "/rollback", json::object()), print_rollout);
    return kExitOk;
  });
}

}  // namespace loa::loactl
