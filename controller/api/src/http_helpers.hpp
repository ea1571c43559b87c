#pragma once

#include <httplib.h>
#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace loa::api {

using json = nlohmann::json;

// Every error has the same shape: HTTP status, a stable machine-readable code (which the
// console words in the reader's language), a message in English, and where the wording
// needs them, the refusal's figures as details.
inline void send_error(httplib::Response& res, int status, std::string_view code, std::string_view message,
                       const json& details = nullptr) {
  res.status = status;
  json error{{"code", code}, {"message", message}};
  if (!details.is_null() && !details.empty()) error["details"] = details;
  res.set_content(json{{"error", error}}.dump(), "application/json");
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

// A field holding a list of strings (absent: empty).
inline std::vector<std::string> strings_of(const json& body, const char* key) {
  std::vector<std::string> out;
  if (!body.contains(key)) return out;
  for (const auto& v : body[key]) out.push_back(v.get<std::string>());
  return out;
}

// A CSV field (RFC 4180): quoted, with its quotes doubled, when it holds a separator.
inline std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// At most `max_bytes` of `text`, cut at a character boundary (names made from Vietnamese
// text must stay valid UTF-8, or the JSON that carries them cannot be written).
inline std::string utf8_prefix(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// Every list route pages the same way: ?limit= and ?offset=, answered as
// {"items": [...], "limit": L, "offset": O, "total": N} with "next_offset" when more rows
// follow. A list the store cuts (audit, as-run, telemetry ...) is asked for fetch() rows,
// one more than the page needs so that "next_offset" is known; "total" is then absent.
struct Page {
  std::size_t limit = 100;
  std::size_t offset = 0;
  [[nodiscard]] std::size_t fetch() const { return offset + limit + 1; }
  // Rows to fetch when they are cut to a scoped person's part of the tree afterwards:
  // the cut comes before the paging, so it must see the rows before the page too.
  [[nodiscard]] std::size_t fetch(bool cut_after) const {
    constexpr std::size_t kCutFetch = 100000;
    return cut_after ? std::max(fetch(), kCutFetch) : fetch();
  }
};

// The page a request asks for; on a malformed value answers 400 and returns nullopt.
inline std::optional<Page> page_of(const httplib::Request& req, httplib::Response& res, std::size_t default_limit,
                                   std::size_t max_limit) {
  Page page{default_limit, 0};
  for (const char* key : {"limit", "offset"}) {
    if (!req.has_param(key)) continue;
    const auto text = req.get_param_value(key);
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
      send_error(res, 400, "bad_request", std::string(key) + " must be a whole number, not '" + text.substr(0, 40) + "'");
      return std::nullopt;
    }
    (std::string_view(key) == "limit" ? page.limit : page.offset) = value;
  }
  page.limit = std::clamp<std::size_t>(page.limit, 1, max_limit);
  page.offset = std::min<std::size_t>(page.offset, 100'000'000);
  return page;
}

// Answers one page of `rows` (every row from the first, or the first fetch() of them);
// `extra` adds fields beside the items.
inline void send_page(httplib::Response& res, const json& rows, const Page& page, bool complete = true,
                      json extra = json::object()) {
  json items = json::array();
  const std::size_t end = std::min(rows.size(), page.offset + page.limit);
  for (std::size_t i = page.offset; i < end; ++i) items.push_back(rows[i]);
  extra["items"] = std::move(items);
  extra["limit"] = page.limit;
  extra["offset"] = page.offset;
  if (complete) extra["total"] = rows.size();
  if (rows.size() > end) extra["next_offset"] = end;
  send_json(res, extra);
}

}  // namespace loa::api
