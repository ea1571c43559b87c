#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace loa::config {

// A configuration error that names where it is: "FILE:LINE: OPTION: what is wrong".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, std::string option, const std::string& message);
  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] int line() const { return line_; }  // 1-based; 0 when unknown
  [[nodiscard]] const std::string& option() const { return option_; }

 private:
  std::string file_;
  int line_;
  std::string option_;
};

// One mapping of a YAML configuration file. Reading an option leaves the caller's
// default in place when the option is absent, and throws ConfigError (with file, line
// and the option's dotted path) when it is present but wrong. `finish()` rejects options
// that nobody read, so a misspelt option is an error instead of a silent default.
// This is the only place that sees YAML: the rest of Loa reads plain structs.
class ConfigSection {
 public:
  // Parses a file; a missing file or a YAML syntax error throws ConfigError.
  static ConfigSection load_file(const std::string& path);
  // Parses text (tests, embedded defaults); `name` stands in for the file name.
  static ConfigSection load_text(const std::string& text, const std::string& name);

  ConfigSection(const ConfigSection&);
  ConfigSection& operator=(const ConfigSection&);
  ConfigSection(ConfigSection&&) noexcept;
  ConfigSection& operator=(ConfigSection&&) noexcept;
  ~ConfigSection();

  [[nodiscard]] bool has(const std::string& key) const;
  void read(const std::string& key, std::string& value);
  void read(const std::string& key, bool& value);
  void read(const std::string& key, std::int64_t& value, std::int64_t min, std::int64_t max);
  void read(const std::string& key, std::uint32_t& value, std::uint32_t min, std::uint32_t max);
  // A duration given in milliseconds (options named *_ms), between min and max.
  void read(const std::string& key, std::chrono::milliseconds& value, std::chrono::milliseconds min,
            std::chrono::milliseconds max);
  void read(const std::string& key, std::vector<std::string>& value);
  void read(const std::string& key, double& value);
  void read(const std::string& key, std::optional<double>& value);
  void read(const std::string& key, std::vector<double>& value);
  // A list of mappings (e.g. a profile's points); absent gives an empty list. Each
  // item is named "key[i]" in errors.
  [[nodiscard]] std::vector<ConfigSection> sections(const std::string& key);
  // A nested mapping; absent gives an empty section.
  [[nodiscard]] ConfigSection section(const std::string& key);
  // Throws a ConfigError at `key` (or at this section when the key is absent).
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  // Throws on the first option of this section that was never read.
  void finish() const;

  [[nodiscard]] const std::string& file() const;
  // Line of this section in its file (1-based).
  [[nodiscard]] int line() const;
  // Line of `key` in this section, or this section's line when absent.
  [[nodiscard]] int line_of(const std::string& key) const;

 private:
  struct Impl;
  explicit ConfigSection(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace loa::config
