#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "loa/loactl/api.hpp"

namespace loa::loactl {

// Makes the API a command talks to, once the command line has been understood.
using ApiFactory = std::function<std::unique_ptr<IApi>(const Connection&)>;

// loactl as a whole: parses the command line (every command declares its options),
// and only when all of it is understood connects and runs the command. An unknown or
// misspelt option, a missing value or a value outside its set is exit 2 with a message
// naming the option and the nearest valid one, and nothing is sent.
int run(const std::vector<std::string>& args, const ApiFactory& connect);

// The edit distance between two words (insertions, deletions, substitutions).
[[nodiscard]] std::size_t edit_distance(const std::string& a, const std::string& b);
// The candidate nearest to `word`, or "" when none is near enough to be a slip.
[[nodiscard]] std::string nearest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace loa::loactl
