#include "support/browser.hpp"

#include <httplib.h>
#include <sodium.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

namespace loa::test {
namespace {

// A live page re-renders (the overview on each event of its feed), so an element found a
// moment ago may have been replaced by an identical one: WebDriver calls it stale. Find
// it again and retry, a few times.
template <typename Find, typename Act>
auto retry_if_replaced(Find find, Act act) -> decltype(act(std::string())) {
  for (int attempt = 0;; ++attempt) {
    const std::string id = find();
    try {
      return act(id);
    } catch (const std::runtime_error& e) {
      if (attempt >= 4 || std::string(e.what()).find("stale element") == std::string::npos) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

using nlohmann::json;

constexpr const char* kElementKey = "element-6066-11e4-a52e-4f735466cecf";

}  // namespace

struct Browser::Impl {
  std::string artifacts;
  int port = 0;
  std::unique_ptr<ChildProcess> driver;
  std::string session;

  json call(const std::string& method, const std::string& path, const json& body = json::object()) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(5);
    client.set_read_timeout(60);
    const std::string full = "/session/" + session + path;
    auto res = method == "POST"     ? client.Post(full, body.dump(), "application/json")
               : method == "DELETE" ? client.Delete(full)
                                    : client.Get(full);
    if (!res) throw std::runtime_error("chromedriver did not answer " + method + " " + path);
    auto out = json::parse(res->body, nullptr, false);
    if (res->status >= 400) {
      throw std::runtime_error("webdriver " + method + " " + path + ": " + res->body.substr(0, 300));
    }
    return out.is_object() && out.contains("value") ? out["value"] : json();
  }
};

bool Browser::available() {
  return std::filesystem::exists("/usr/bin/chromium") && std::filesystem::exists("/usr/bin/chromedriver");
}

Browser::Browser(std::string artifacts_dir) : impl_(std::make_unique<Impl>()) {
  impl_->artifacts = std::move(artifacts_dir);
  std::filesystem::create_directories(impl_->artifacts);
  impl_->port = free_port();
  impl_->driver = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/chromedriver", "--port=" + std::to_string(impl_->port)},
      impl_->artifacts + "/chromedriver.log");
  httplib::Client client("127.0.0.1", impl_->port);
  client.set_connection_timeout(1);
  if (!eventually([&] { return static_cast<bool>(client.Get("/status")); }, std::chrono::seconds(10))) {
    throw std::runtime_error("chromedriver did not start");
  }
  const json capabilities = {
      {"capabilities",
       {{"alwaysMatch",
         {{"browserName", "chrome"},
          {"goog:chromeOptions",
           {{"binary", "/usr/bin/chromium"},
            // Root in a container: no sandbox; a phone-sized window is not what is tested here.
            {"args", {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                      "--window-size=1280,1000", "--lang=vi"}}}}}}}}};
  client.set_read_timeout(60);
  auto res = client.Post("/session", capabilities.dump(), "application/json");
  if (!res || res->status != 200) {
    throw std::runtime_error("no browser session: " + (res ? res->body.substr(0, 300) : std::string("no answer")));
  }
  impl_->session = json::parse(res->body)["value"]["sessionId"];
}

Browser::~Browser() {
  try {
    if (!impl_->session.empty()) (void)impl_->call("DELETE", "");
  } catch (...) {
  }
  impl_->driver.reset();
}

void Browser::go(const std::string& url) { (void)impl_->call("POST", "/url", {{"url", url}}); }

void Browser::resize(int width, int height) {
  (void)impl_->call("POST", "/window/rect", {{"width", width}, {"height", height}});
}

std::string Browser::element(const std::string& css) {
  auto found = impl_->call("POST", "/elements", {{"using", "css selector"}, {"value", css}});
  if (!found.is_array() || found.empty()) return {};
  return found[0][kElementKey];
}

bool Browser::wait_for(const std::string& css, std::chrono::milliseconds timeout) {
  return eventually([&] { return !element(css).empty(); }, timeout, std::chrono::milliseconds(100));
}

bool Browser::wait_for_text(const std::string& css, const std::string& wanted, std::chrono::milliseconds timeout) {
  return eventually([&] { return text(css).find(wanted) != std::string::npos; }, timeout,
                    std::chrono::milliseconds(100));
}

void Browser::click(const std::string& css) {
  retry_if_replaced([&] { return element(css); }, [&](const std::string& id) {
    if (id.empty()) throw std::runtime_error("nothing to click at " + css);
    (void)impl_->call("POST", "/element/" + id + "/click");
    return 0;
  });
}

void Browser::type(const std::string& css, const std::string& text) {
  retry_if_replaced([&] { return element(css); }, [&](const std::string& id) {
    if (id.empty()) throw std::runtime_error("no field at " + css);
    (void)impl_->call("POST", "/element/" + id + "/clear");
    (void)impl_->call("POST", "/element/" + id + "/value", {{"text", text}});
    return 0;
  });
}

void Browser::upload(const std::string& css, const std::string& path) {
  const auto id = element(css);
  if (id.empty()) throw std::runtime_error("no file field at " + css);
  (void)impl_->call("POST", "/element/" + id + "/value", {{"text", path}});
}

std::string Browser::script(const std::string& body) {
  return impl_->call("POST", "/execute/sync", {{"script", body}, {"args", nlohmann::json::array()}}).dump();
}

std::string Browser::text(const std::string& css) {
  return retry_if_replaced([&] { return element(css); }, [&](const std::string& id) -> std::string {
    if (id.empty()) return {};
    auto value = impl_->call("GET", "/element/" + id + "/text");
    return value.is_string() ? value.get<std::string>() : std::string();
  });
}

bool Browser::visible(const std::string& css) {
  return retry_if_replaced([&] { return element(css); }, [&](const std::string& id) {
    return !id.empty() && impl_->call("GET", "/element/" + id + "/displayed") == true;
  });
}

void Browser::accept_dialog() { (void)impl_->call("POST", "/alert/accept"); }

std::string Browser::screenshot(const std::string& name) {
  const std::string b64 = impl_->call("GET", "/screenshot");
  std::string png(b64.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(png.data()), png.size(), b64.data(), b64.size(), nullptr,
                        &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    throw std::runtime_error("screenshot is not base64");
  }
  png.resize(length);
  const auto path = impl_->artifacts + "/" + name + ".png";
  write_file(path, png);
  return path;
}

}  // namespace loa::test
