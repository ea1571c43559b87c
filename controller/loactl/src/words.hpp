#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace loa::loactl {

// loactl's words in the operator's language: Vietnamese when the locale asks for it
// (LC_ALL, else LC_MESSAGES, else LANG, starting "vi"), English otherwise. Options and
// --help stay in English, as the commands are typed.
[[nodiscard]] bool vietnamese();
[[nodiscard]] inline std::string say(std::string_view vi, std::string_view en) {
  return std::string(vietnamese() ? vi : en);
}

// A refusal of the API worded from its stable code (and its details), as the console
// words it; the API's own English message where the locale is not Vietnamese, or for a
// code this list does not know.
[[nodiscard]] std::string refusal_text(int status, const nlohmann::json& body);

}  // namespace loa::loactl
