#include "loa/config/config_section.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace loa::config {

ConfigError::ConfigError(std::string file, int line, std::string option, const std::string& message)
    : std::runtime_error(file + ":" + std::to_string(line) + ": " +
                         (option.empty() ? std::string() : option + ": ") + message),
      file_(std::move(file)),
      line_(line),
      option_(std::move(option)) {}

struct ConfigSection::Impl {
  std::string file;
  std::string path;  // dotted path of this section, "" at the top
  YAML::Node node;
  int line = 0;
  std::set<std::string> read_keys;

  [[nodiscard]] std::string option(const std::string& key) const {
    return path.empty() ? key : path + "." + key;
  }
  [[nodiscard]] int line_of(const YAML::Node& n) const {
    return n.Mark().is_null() ? line : n.Mark().line + 1;
  }
  // The value node of `key`, or a null node; marks the key as read.
  YAML::Node get(const std::string& key) {
    read_keys.insert(key);
    if (!node.IsMap()) return YAML::Node();
    return node[key];
  }
  template <typename T>
  T as(const YAML::Node& n, const std::string& key, const char* what) {
    if (!n.IsScalar()) throw ConfigError(file, line_of(n), option(key), std::string("expected ") + what);
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      throw ConfigError(file, line_of(n), option(key),
                        std::string("expected ") + what + ", got '" + n.Scalar() + "'");
    }
  }
};

ConfigSection ConfigSection::load_text(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(name, e.mark.line + 1, "", "YAML syntax: " + e.msg);
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) throw ConfigError(name, 1, "", "expected a mapping of options at the top");
  auto impl = std::make_shared<Impl>();
  impl->file = name;
  impl->node = root;
  impl->line = 1;
  return ConfigSection(impl);
}

ConfigSection ConfigSection::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path, 0, "", "cannot open the file");
  std::stringstream text;
  text << in.rdbuf();
  return load_text(text.str(), path);
}

ConfigSection::ConfigSection(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
ConfigSection::ConfigSection(const ConfigSection&) = default;
ConfigSection& ConfigSection::operator=(const ConfigSection&) = default;
ConfigSection::ConfigSection(ConfigSection&&) noexcept = default;
ConfigSection& ConfigSection::operator=(ConfigSection&&) noexcept = default;
ConfigSection::~ConfigSection() = default;

const std::string& ConfigSection::file() const { return impl_->file; }

bool ConfigSection::has(const std::string& key) const {
  return impl_->node.IsMap() && impl_->node[key].IsDefined() && !impl_->node[key].IsNull();
}

void ConfigSection::read(const std::string& key, std::string& value) {
  auto n = impl_->get(key);
  if (!n.IsDefined() || n.IsNull()) return;
  value = impl_->as<std::string>(n, key, "a string");
}

void ConfigSection::read(const std::string& key, bool& value) {
  auto n = impl_->get(key);
  if (!n.IsDefined() || n.IsNull()) return;
  value = impl_->as<bool>(n, key, "true or false");
}

void ConfigSection::read(const std::string& key, std::int64_t& value, std::int64_t min,
                         std::int64_t max) {
  auto n = impl_->get(key);
  if (!n.IsDefined() || n.IsNull()) return;
  auto v = impl_->as<std::int64_t>(n, key, "an integer");
  if (v < min || v > max) {
    throw ConfigError(impl_->file, impl_->line_of(n), impl_->option(key),
                      "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                          ", got " + std::to_string(v));
  }
  value = v;
}

void ConfigSection::read(const std::string& key, std::uint32_t& value, std::uint32_t min,
                         std::uint32_t max) {
  std::int64_t wide = value;
  read(key, wide, min, max);
  value = static_cast<std::uint32_t>(wide);
}

void ConfigSection::read(const std::string& key, std::chrono::milliseconds& value, std::chrono::milliseconds min,
                         std::chrono::milliseconds max) {
  std::int64_t ms = value.count();
  read(key, ms, min.count(), max.count());
  value = std::chrono::milliseconds(ms);
}

void ConfigSection::read(const std::string& key, std::vector<std::string>& value) {
  auto n = impl_->get(key);
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) throw ConfigError(impl_->file, impl_->line_of(n), impl_->option(key), "expected a list");
  value.clear();
  for (const auto& item : n) value.push_back(impl_->as<std::string>(item, key, "a string"));
}

void ConfigSection::read(const std::string& key, double& value) {
  auto n = impl_->get(key);
  if (!n.IsDefined() || n.IsNull()) return;
  value = impl_->as<double>(n, key, "a number");
}

void ConfigSection::read(const std::string& key, std::optional<double>& value) {
  auto n = impl_->get(key);
  if (!n.IsDefined() || n.IsNull()) return;
  value = impl_->as<double>(n, key, "a number");
}

void ConfigSection::read(const std::string& key, std::vector<double>& value) {
  auto n = impl_->get(key);
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) throw ConfigError(impl_->file, impl_->line_of(n), impl_->option(key), "expected a list");
  value.clear();
  for (const auto& item : n) value.push_back(impl_->as<double>(item, key, "a number"));
}

std::vector<ConfigSection> ConfigSection::sections(const std::string& key) {
  auto n = impl_->get(key);
  std::vector<ConfigSection> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) throw ConfigError(impl_->file, impl_->line_of(n), impl_->option(key), "expected a list");
  std::size_t i = 0;
  for (const auto& item : n) {
    auto child = std::make_shared<Impl>();
    child->file = impl_->file;
    child->path = impl_->option(key) + "[" + std::to_string(i++) + "]";
    child->line = impl_->line_of(item);
    if (!item.IsMap()) throw ConfigError(child->file, child->line, child->path, "expected a mapping");
    child->node = YAML::Node(item);
    out.push_back(ConfigSection(child));
  }
  return out;
}

int ConfigSection::line() const { return impl_->line; }

int ConfigSection::line_of(const std::string& key) const {
  if (impl_->node.IsMap() && impl_->node[key].IsDefined()) return impl_->line_of(impl_->node[key]);
  return impl_->line;
}

ConfigSection ConfigSection::section(const std::string& key) {
  auto n = impl_->get(key);
  auto child = std::make_shared<Impl>();
  child->file = impl_->file;
  child->path = impl_->option(key);
  child->line = impl_->line_of(n);
  if (!n.IsDefined() || n.IsNull()) {
    child->node = YAML::Node(YAML::NodeType::Map);
  } else if (!n.IsMap()) {
    throw ConfigError(impl_->file, impl_->line_of(n), child->path, "expected a mapping of options");
  } else {
    child->node = n;
  }
  return ConfigSection(child);
}

void ConfigSection::fail(const std::string& key, const std::string& message) const {
  int line = impl_->line;
  if (impl_->node.IsMap() && impl_->node[key].IsDefined()) line = impl_->line_of(impl_->node[key]);
  throw ConfigError(impl_->file, line, impl_->option(key), message);
}

void ConfigSection::finish() const {
  if (!impl_->node.IsMap()) return;
  for (const auto& kv : impl_->node) {
    // A key that is a list or a map (YAML allows "? [a, b]: 1") names no option.
    if (!kv.first.IsScalar()) {
      throw ConfigError(impl_->file, impl_->line_of(kv.first), impl_->option("?"), "an option's name must be a word");
    }
    auto key = kv.first.as<std::string>();
    if (!impl_->read_keys.contains(key)) {
      throw ConfigError(impl_->file, impl_->line_of(kv.first), impl_->option(key), "unknown option");
    }
  }
}

}  // namespace loa::config
