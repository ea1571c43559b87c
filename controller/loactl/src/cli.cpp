#include "loa/loactl/cli.hpp"

#include <httplib.h>

#include <algorithm>
#include <iostream>
#include <set>

#include "commands.hpp"
#include "loa/version.hpp"

namespace loa::loactl {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& c : candidates) {
    const auto d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // A slip is a few letters: past that, a suggestion would only mislead.
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  return best_distance <= limit ? best : std::string();
}

CLI::Validator one_of(std::vector<std::string> allowed) {
  std::string names;
  for (const auto& a : allowed) names += (names.empty() ? "" : "|") + a;
  return CLI::Validator(
      [allowed, names](std::string& value) -> std::string {
        if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return {};
        const auto near = nearest(value, allowed);
        return "'" + value + "' is not one of " + names + (near.empty() ? "" : "; did you mean " + near + "?");
      },
      names);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto end = std::min(s.find(',', start), s.size());
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string encode(const std::string& value) { return httplib::detail::encode_query_param(value); }

json targets_of(const std::vector<std::string>& to) {
  json out = json::array();
  for (const auto& t : to) out.push_back(t == "all" || t.find(':') != std::string::npos ? t : "station:" + t);
  return out;
}

std::string query(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string q;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    q += (q.empty() ? "?" : "&") + k + "=" + encode(v);
  }
  return q;
}

namespace {

// The command the person was giving when the parse failed: the deepest one named.
CLI::App* deepest(CLI::App* app) {
  while (!app->get_subcommands().empty()) app = app->get_subcommands().front();
  return app;
}

std::string command_path(CLI::App* app) {
  std::string path;
  for (auto* a = app; a && a->get_parent(); a = a->get_parent()) path = a->get_name() + (path.empty() ? "" : " " + path);
  return path.empty() ? "loactl" : "loactl " + path;
}

// Every long option a command accepts, its own and the global ones.
std::vector<std::string> options_of(CLI::App* app) {
  std::vector<std::string> out;
  for (auto* a = app; a; a = a->get_parent()) {
    for (const auto* o : a->get_options()) {
      for (const auto& name : o->get_lnames()) out.push_back("--" + name);
    }
  }
  return out;
}

std::vector<std::string> subcommands_of(CLI::App* app) {
  std::vector<std::string> out;
  for (const auto* s : app->get_subcommands({})) out.push_back(s->get_name());
  return out;
}

// What was wrong, said about the option, with the nearest valid one.
std::string explain(CLI::App& root, const CLI::ParseError& e) {
  auto* command = deepest(&root);
  const auto where = command_path(command);
  // An argument nobody took explains the failure best (a misspelt option or command
  // makes CLI11 complain of what is then missing, too).
  {
    for (const auto& arg : root.remaining(true)) {
      if (arg.rfind("--", 0) == 0) {
        const auto name = arg.substr(0, arg.find('='));
        const auto near = nearest(name, options_of(command));
        return "unknown option " + name + " for '" + where + "'" + (near.empty() ? "" : "; did you mean " + near + "?");
      }
      if (arg.rfind('-', 0) == 0) return "unknown option " + arg + " for '" + where + "'";
      const auto subs = subcommands_of(command);
      if (!subs.empty()) {
        const auto near = nearest(arg, subs);
        return "unknown command '" + arg + "' for '" + where + "'" + (near.empty() ? "" : "; did you mean " + near + "?");
      }
      return "unexpected argument '" + arg + "' for '" + where + "'";
    }
  }
  return std::string(e.what()) + " ('" + where + "')";
}

// `source <(loactl completion bash)`: made from the command tree, so it cannot miss one.
void print_completion(CLI::App& root) {
  std::cout << "_loactl() {\n  local cur=${COMP_WORDS[COMP_CWORD]} words=\"${COMP_WORDS[*]:1:COMP_CWORD-1}\"\n"
               "  case \" $words \" in\n";
  std::vector<std::pair<std::string, CLI::App*>> stack;
  for (auto* s : root.get_subcommands({})) stack.emplace_back(s->get_name(), s);
  std::vector<std::pair<std::string, CLI::App*>> all;
  while (!stack.empty()) {
    auto [path, app] = stack.back();
    stack.pop_back();
    all.emplace_back(path, app);
    for (auto* s : app->get_subcommands({})) stack.emplace_back(path + " " + s->get_name(), s);
  }
  // Longest paths first: "station amp" before "station".
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (const auto& [path, app] : all) {
    std::string words;
    for (const auto& s : subcommands_of(app)) words += s + " ";
    for (const auto& o : options_of(app)) words += o + " ";
    std::cout << "    *\" " << path << " \"*) COMPREPLY=($(compgen -W \"" << words << "\" -- \"$cur\")); return ;;\n";
  }
  std::string top;
  for (const auto& s : subcommands_of(&root)) top += s + " ";
  for (const auto& o : options_of(&root)) top += o + " ";
  std::cout << "  esac\n  COMPREPLY=($(compgen -W \"" << top << "\" -- \"$cur\"))\n}\ncomplete -F _loactl loactl\n";
}

}  // namespace

int run(const std::vector<std::string>& args, const ApiFactory& connect) {
  Globals globals;
  CLI::App root("loactl: the command-line client of the Loa controller's API", "loactl");
  root.fallthrough();  // the global options may come after the command too
  root.require_subcommand(1);
  root.set_version_flag("--version", std::string("loactl ") + loa::kVersion);
  root.add_option("--url", globals.connection.url, "the controller's URL (default http://127.0.0.1:8080); a standby pair's URLs separated by commas: the active one is used")
      ->envname("LOA_URL");
  root.add_option("--token", globals.connection.token, "an API token")->envname("LOA_TOKEN");
  root.add_option("--user", globals.connection.user, "act as this console user (password in LOA_PASSWORD)")
      ->envname("LOA_USER");
  root.add_flag("--json", globals.as_json, "print the API's JSON instead of a table");
  root.footer(
      "The controller's URL and token come from --url/--token or LOA_URL/LOA_TOKEN.\n"
      "Exit codes: 0 done, 1 refused by the controller, 2 wrong command line (nothing sent), 3 no answer.\n");
  if (const char* password = std::getenv("LOA_PASSWORD")) globals.connection.password = password;

  Commands commands(root, globals);
  add_station_commands(commands);
  add_playing_commands(commands);
  add_schedule_commands(commands);
  add_alert_commands(commands);
  add_report_commands(commands);
  add_admin_commands(commands);
  add_federation_commands(commands);
  add_config_commands(commands);
  add_update_commands(commands);
  auto* completion = root.add_subcommand("completion", "shell completion: source <(loactl completion bash)");
  std::string shell;
  completion->add_option("shell", shell, "the shell")->required()->check(one_of({"bash"}));
  bool want_completion = false;
  completion->callback([&] { want_completion = true; });

  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  try {
    root.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return root.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return root.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return root.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "loactl: " << explain(root, e) << "\n"
              << "see '" << command_path(deepest(&root)) << " --help'\n";
    return kExitUsage;
  }
  if (want_completion) {
    print_completion(root);
    return kExitOk;
  }
  if (!commands.selected()) {
    std::cerr << "loactl: '" << command_path(deepest(&root)) << "' needs a command; see its --help\n";
    return kExitUsage;
  }
  try {
    auto api = connect(globals.connection);
    return commands.selected()(*api, globals);
  } catch (const ApiError& e) {
    std::cerr << "loactl: " << e.what() << '\n';
    return e.exit_code;
  } catch (const std::exception& e) {
    std::cerr << "loactl: " << e.what() << '\n';
    return kExitApiError;
  }
}

}  // namespace loa::loactl
