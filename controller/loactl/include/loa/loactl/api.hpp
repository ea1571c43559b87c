#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace loa::loactl {

using json = nlohmann::json;

// loactl's exit codes, which operators' scripts test.
constexpr int kExitOk = 0;
constexpr int kExitApiError = 1;     // the controller refused, or a station failed
constexpr int kExitUsage = 2;        // the command line is wrong: nothing was sent
constexpr int kExitUnreachable = 3;  // no answer from the controller

class ApiError : public std::runtime_error {
 public:
  ApiError(int code, const std::string& message, json answer = nullptr)
      : std::runtime_error(message), exit_code(code), body(std::move(answer)) {}
  int exit_code;
  json body;  // the API's answer, when there was one
};

// The controller's HTTP API as the commands use it. Paths are the API's own
// ("/api/v1/…"); the implementation adds the URL's base path.
class IApi {
 public:
  virtual ~IApi() = default;
  // A JSON exchange; throws ApiError on a refusal (exit 1) or no answer (exit 3).
  virtual json call(const std::string& method, const std::string& path, const json& body = nullptr) = 0;
  // A non-JSON answer (iCalendar, CSV), as it came.
  virtual std::string fetch_text(const std::string& path) = 0;
  // A non-JSON request (CAP XML, iCalendar) with a JSON answer; 207 is an answer too.
  virtual json post_text(const std::string& path, const std::string& body, const std::string& content_type) = 0;
  // A file streamed as the body (clip uploads), with a progress bar on a terminal.
  virtual json upload(const std::string& path, const std::string& file, const std::string& label) = 0;
};

// Where the controller is and who is asking.
struct Connection {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  std::string user;  // act as this console user (with password) instead of the token
  std::string password;
};

// A URL split into what the HTTP client connects to and the path the API is under:
// "http://host:8080/" and "https://host/loa/" both work.
struct ParsedUrl {
  std::string origin;     // scheme://host[:port]
  std::string base_path;  // "" or "/loa", never ending in '/'
};
// nullopt-free: throws ApiError(kExitUsage) naming what is wrong with the URL.
[[nodiscard]] ParsedUrl parse_url(const std::string& url);

// The API over HTTP(S) with cpp-httplib. Logs in first when a user is given.
[[nodiscard]] std::unique_ptr<IApi> connect_http(const Connection& connection);

}  // namespace loa::loactl
