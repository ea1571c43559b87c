#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <vector>

#include "loa/loactl/api.hpp"
#include "words.hpp"

namespace loa::loactl {

ParsedUrl parse_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    throw ApiError(kExitUsage, "--url " + url + ": not a URL (write it as http://HOST:PORT or https://HOST)");
  }
  const auto scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    throw ApiError(kExitUsage, "--url " + url + ": the scheme must be http or https, not " + scheme);
  }
  const auto host_start = scheme_end + 3;
  const auto path_start = url.find('/', host_start);
  ParsedUrl out;
  out.origin = url.substr(0, path_start);
  if (out.origin.size() == host_start) throw ApiError(kExitUsage, "--url " + url + ": no host");
  if (path_start != std::string::npos) {
    out.base_path = url.substr(path_start);
    while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  }
  return out;
}

namespace {

// Why a TCP connection to the origin fails, as the kernel says it: cpp-httplib reports
// only "Connection" (its own errno is that of a non-blocking connect).
std::string connect_error(const std::string& origin) {
  const auto host_start = origin.find("://") + 3;
  auto host = origin.substr(host_start);
  std::string port = origin.rfind("https", 0) == 0 ? "443" : "80";
  if (auto colon = host.rfind(':'); colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return "cannot resolve " + host + ": " + ::gai_strerror(rc);
  }
  std::string cause = "no connection";
  for (auto* a = found; a; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    timeval timeout{3, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    const int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    const int err = errno;
    ::close(fd);
    if (rc == 0) {
      cause = "it accepted a connection but did not answer over HTTP";
      break;
    }
    cause = std::strerror(err);
  }
  ::freeaddrinfo(found);
  return cause;
}

// What went wrong, in words a person can act on.
std::string cause_of(httplib::Error error, const std::string& origin) {
  std::string cause;
  switch (error) {
    case httplib::Error::Connection: cause = connect_error(origin); break;
    case httplib::Error::ConnectionTimeout: cause = "timed out connecting"; break;
    case httplib::Error::Read: cause = "the connection broke while reading the answer"; break;
    case httplib::Error::Write: cause = "the connection broke while sending"; break;
    case httplib::Error::SSLConnection: cause = "the TLS handshake failed"; break;
    case httplib::Error::SSLServerVerification: cause = "the server's certificate was not trusted"; break;
    default: cause = httplib::to_string(error); break;
  }
  return cause;
}

class HttpApi : public IApi {
 public:
  explicit HttpApi(const Connection& c) : url_(c.url), parsed_(parse_url(c.url)), http_(parsed_.origin), token_(c.token) {
    http_.set_connection_timeout(5);
    http_.set_read_timeout(30);
    if (!c.user.empty()) {
      // A person acts under their own name (alerts record who drafted and who confirmed).
      auto res = send([&] {
        return http_.Post(path("/api/v1/login"), json{{"user", c.user}, {"password", c.password}}.dump(),
                          "application/json");
      });
      (void)check(res);
      const auto cookie = res->get_header_value("Set-Cookie");
      session_ = cookie.substr(0, cookie.find(';'));
    }
  }

  json call(const std::string& method, const std::string& api_path, const json& body) override {
    const auto headers = auth();
    const std::string payload = body.is_null() ? std::string("{}") : body.dump();
    const auto p = path(api_path);
    auto res = send([&] {
      return method == "POST"     ? http_.Post(p, headers, payload, "application/json")
             : method == "PUT"    ? http_.Put(p, headers, payload, "application/json")
             : method == "DELETE" ? http_.Delete(p, headers)
                                  : http_.Get(p, headers);
    });
    return check(res);
  }

  std::string fetch_text(const std::string& api_path) override {
    auto res = send([&] { return http_.Get(path(api_path), auth()); });
    if (res->status >= 400) (void)check(res);
    return res->body;
  }

  json post_text(const std::string& api_path, const std::string& body, const std::string& content_type) override {
    auto res = send([&] { return http_.Post(path(api_path), auth(), body, content_type); });
    if (res->status == 207) return json::parse(res->body, nullptr, false);
    return check(res);
  }

  json upload(const std::string& api_path, const std::string& file, const std::string& label) override {
    std::ifstream in(file, std::ios::binary | std::ios::ate);
    if (!in) throw ApiError(kExitUsage, "cannot read " + file);
    const auto size = static_cast<std::size_t>(in.tellg());
    const bool draw = ::isatty(2) != 0;
    // The answer comes once the controller has converted the whole clip, which for an
    // hour's programme on a busy controller takes minutes, not the usual 30 s.
    http_.set_read_timeout(600);
    struct Restore {
      httplib::Client& client;
      ~Restore() { client.set_read_timeout(30); }
    } restore{http_};
    auto res = send([&] {
      return http_.Post(
          path(api_path), auth(), size,
          [&](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
            std::vector<char> chunk(std::min<std::size_t>(length, 64 * 1024));
            in.seekg(static_cast<std::streamoff>(offset));
            in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
            sink.write(chunk.data(), static_cast<std::size_t>(in.gcount()));
            if (draw) {
              const auto done = offset + static_cast<std::size_t>(in.gcount());
              const int pct = size ? static_cast<int>(done * 100 / size) : 100;
              std::cerr << "\r" << label << " [" << std::string(static_cast<std::size_t>(pct / 5), '#')
                        << std::string(static_cast<std::size_t>(20 - pct / 5), ' ') << "] " << pct << "%" << std::flush;
            }
            return true;
          },
          "application/octet-stream");
    });
    if (draw) std::cerr << "\n";
    return check(res);
  }

 private:
  [[nodiscard]] std::string path(const std::string& api_path) const { return parsed_.base_path + api_path; }

  [[nodiscard]] httplib::Headers auth() const {
    if (!session_.empty()) return {{"Cookie", session_}};
    return {{"Authorization", "Bearer " + token_}};
  }

  // Runs one request; no answer at all is exit 3, naming the URL and the cause.
  template <typename F>
  httplib::Result send(F&& request) {
    auto res = request();
    if (!res) {
      throw ApiError(kExitUnreachable, say("không kết nối được máy chủ tại ", "cannot reach the controller at ") + url_ +
                                           ": " + cause_of(res.error(), parsed_.origin));
    }
    return res;
  }

  static json check(const httplib::Result& res) {
    if (res->status == 204) return json::object();
    json out = json::parse(res->body, nullptr, false);
    if (res->status >= 400) {
      const std::string message = out.is_object() && out.contains("error") ? refusal_text(res->status, out) : res->body;
      throw ApiError(kExitApiError, "HTTP " + std::to_string(res->status) + " " + message, out);
    }
    return out;
  }

  std::string url_;
  ParsedUrl parsed_;
  httplib::Client http_;
  std::string token_;
  std::string session_;
};

}  // namespace

namespace {

// Of several controllers (a standby pair: "--url http://a:8080,http://b:8080"), the one
// whose health says it is active. A controller that does not say (it runs alone) counts
// as active. Throws exit 3 when none is, naming what each answered.
std::string active_of(const std::string& urls) {
  std::vector<std::string> list;
  for (std::size_t start = 0; start <= urls.size();) {
    const auto comma = std::min(urls.find(',', start), urls.size());
    if (comma > start) list.push_back(urls.substr(start, comma - start));
    start = comma + 1;
  }
  if (list.size() < 2) return list.empty() ? urls : list.front();
  std::string answers;
  for (const auto& url : list) {
    const auto parsed = parse_url(url);
    httplib::Client client(parsed.origin);
    client.set_connection_timeout(3);
    client.set_read_timeout(5);
    auto res = client.Get(parsed.base_path + "/api/v1/health");
    if (!res) {
      answers += "\n  " + url + ": " + cause_of(res.error(), parsed.origin);
      continue;
    }
    const auto health = json::parse(res->body, nullptr, false);
    const auto role = health.is_object() ? health.value("role", std::string("active")) : std::string("?");
    if (role == "active") return url;
    answers += "\n  " + url + ": " + role;
  }
  throw ApiError(kExitUnreachable, "no active controller among " + urls + ":" + answers);
}

}  // namespace

std::unique_ptr<IApi> connect_http(const Connection& connection) {
  Connection chosen = connection;
  chosen.url = active_of(connection.url);
  return std::make_unique<HttpApi>(chosen);
}

}  // namespace loa::loactl
