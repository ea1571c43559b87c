#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "support/process.hpp"

namespace loa::test {

// Debian's Chromium, headless, driven through ChromeDriver's WebDriver protocol: for
// tests of the web console as a person uses it.
class Browser {
 public:
  // Whether chromium and chromedriver are installed.
  [[nodiscard]] static bool available();

  // Starts chromedriver and a browser session; screenshots go to `artifacts_dir`.
  explicit Browser(std::string artifacts_dir);
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;
  ~Browser();

  void go(const std::string& url);
  // The window's size in CSS pixels (a phone: 390 x 844).
  void resize(int width, int height);
  // Waits (up to `timeout`) for an element matching the CSS selector; false if none came.
  bool wait_for(const std::string& css, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits for the element's visible text to contain `text`.
  bool wait_for_text(const std::string& css, const std::string& text,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void click(const std::string& css);
  void type(const std::string& css, const std::string& text);  // clears the field first
  // Chooses a file in an <input type=file>.
  void upload(const std::string& css, const std::string& path);
  // Runs a script in the page ("return ...;") and gives its result as JSON text.
  [[nodiscard]] std::string script(const std::string& body);
  [[nodiscard]] std::string text(const std::string& css);
  [[nodiscard]] bool visible(const std::string& css);
  void accept_dialog();  // a confirm() the page opened
  // Saves a PNG of the page as <artifacts_dir>/<name>.png and returns its path.
  std::string screenshot(const std::string& name);

 private:
  [[nodiscard]] std::string element(const std::string& css);  // "" when there is none
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loa::test
