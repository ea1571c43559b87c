#pragma once

#include <httplib.h>
#include <sodium.h>

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace loa::api {

using json = nlohmann::json;

// Every error has the same shape: HTTP status, a machine-readable code, a message.
inline void send_error(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  res.status = status;
  res.set_content(json{{"error", {{"code", code}, {"message", message}}}}.dump(), "application/json");
}

inline void send_json(httplib::Response& res, const json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

inline bool equal_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

inline std::string cookie_value(const httplib::Request& req, const std::string& name) {
  auto header = req.get_header_value("Cookie");
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    auto part = header.substr(pos, end - pos);
    auto start = part.find_first_not_of(' ');
    if (start != std::string::npos) part = part.substr(start);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return {};
}

// Parses a JSON body; on failure answers 400 and returns nullopt.
inline std::optional<json> parse_body(const httplib::Request& req, httplib::Response& res) {
  try {
    auto body = json::parse(req.body);
    if (!body.is_object()) {
      send_error(res, 400, "bad_request", "body must be a JSON object");
      return std::nullopt;
    }
    return body;
  } catch (const json::parse_error& e) {
    send_error(res, 400, "bad_json", e.what());
    return std::nullopt;
  }
}

inline std::string string_field(const json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// At most `max_bytes` of `text`, cut at a character boundary (names made from Vietnamese
// text must stay valid UTF-8, or the JSON that carries them cannot be written).
inline std::string utf8_prefix(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace loa::api
