#include "words.hpp"

#include <cstdlib>
#include <functional>
#include <map>

namespace loa::loactl {
namespace {

using json = nlohmann::json;

std::string locale_name() {
  for (const char* variable : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(variable);
    if (value != nullptr && *value != '\0') return value;
  }
  return "";
}

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump(); }

// The Vietnamese of each refusal; `m` is the API's English message, for the codes whose
// words need what it names.
using Words = std::function<std::string(const json& body, const std::string& m)>;
const std::map<std::string, Words>& vietnamese_words() {
  static const std::map<std::string, Words> kWords{
      {"conflict",
       [](const json& b, const std::string&) {
         const auto n = b.value("conflicts_total", b.value("conflicts", json::array()).size());
         if (!b.contains("conflicts") || b["conflicts"].empty()) return std::string("trùng lịch với một chương trình khác");
         const auto& c = b["conflicts"][0];
         const auto stations = c.value("stations", json::array());
         return "trùng " + std::to_string(n) + " lần phát, lần đầu với " + text_of(c["broadcast_id"]) + " (" +
                text_of(c["priority"]) + ") lúc " + text_of(c["other_at"]) + " tại " +
                (stations.empty() ? std::string("?") : text_of(stations[0])) + "; thêm --override để xếp đè";
       }},
      {"count_mismatch",
       [](const json& b, const std::string& m) {
         const auto d = b["error"].value("details", json::object());
         if (!d.contains("stations")) return "số trạm không khớp (" + m + ")";
         return "cảnh báo sẽ phát trên " + text_of(d["stations"]) + " trạm; hãy xác nhận bằng đúng số đó (đã nhập " +
                text_of(d["given"]) + ")";
       }},
      {"two_person_rule",
       [](const json&, const std::string&) {
         return std::string("cảnh báo mức này cần người thứ hai có quyền khẩn cấp xác nhận, không phải người soạn");
       }},
      {"no_stations", [](const json&, const std::string&) { return std::string("nơi nhận không có trạm nào đã duyệt"); }},
      {"expired", [](const json&, const std::string&) { return std::string("đã hết hạn"); }},
      {"wrong_state", [](const json&, const std::string& m) { return "không làm được ở trạng thái hiện tại (" + m + ")"; }},
      {"not_found", [](const json&, const std::string& m) { return "không tìm thấy (" + m + ")"; }},
      {"exists", [](const json&, const std::string& m) { return "đã có rồi (" + m + ")"; }},
      {"forbidden", [](const json&, const std::string&) { return std::string("tài khoản này không có quyền làm việc này"); }},
      {"out_of_scope", [](const json&, const std::string&) { return std::string("nơi này ngoài vùng được giao"); }},
      {"invalid", [](const json&, const std::string& m) { return "dữ liệu chưa đúng: " + m; }},
      {"bad_request", [](const json&, const std::string& m) { return "yêu cầu chưa đúng: " + m; }},
      {"unauthenticated",
       [](const json&, const std::string&) { return std::string("chưa đăng nhập: hãy đặt --token hoặc LOA_TOKEN"); }},
      {"bad_credentials", [](const json&, const std::string&) { return std::string("sai tên đăng nhập hoặc mật khẩu"); }},
      {"throttled", [](const json&, const std::string&) { return std::string("thử quá nhiều lần; hãy đợi rồi thử lại"); }},
      {"busy", [](const json&, const std::string&) { return std::string("máy chủ đang bận; hãy thử lại sau ít giây"); }},
      {"storage_full",
       [](const json&, const std::string&) {
         return std::string("đĩa của máy chủ đã đầy: việc mới bị từ chối, dữ liệu cũ vẫn an toàn");
       }},
      {"store_unavailable",
       [](const json&, const std::string&) { return std::string("cơ sở dữ liệu đang không trả lời; hãy thử lại"); }},
      {"internal", [](const json&, const std::string&) { return std::string("máy chủ gặp lỗi; việc chưa được làm"); }},
  };
  return kWords;
}

}  // namespace

bool vietnamese() {
  static const bool vi = locale_name().rfind("vi", 0) == 0;
  return vi;
}

std::string refusal_text(int status, const json& body) {
  if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) return "HTTP " + std::to_string(status);
  const auto code = body["error"].value("code", "");
  const auto message = body["error"].value("message", "");
  std::string words = message;
  if (vietnamese()) {
    const auto& catalogue = vietnamese_words();
    const auto it = catalogue.find(code);
    words = it != catalogue.end() ? it->second(body, message) : "bị từ chối: " + message;
  }
  // Every error of a refused configuration, one FILE:LINE line each, after the first.
  if (const auto* details = body["error"].contains("details") ? &body["error"]["details"] : nullptr;
      details && details->is_object() && details->contains("errors") && (*details)["errors"].is_array()) {
    const auto& errors = (*details)["errors"];
    for (std::size_t i = 1; i < errors.size(); ++i) {
      if (errors[i].is_string()) words += "\n" + errors[i].get<std::string>();
    }
  }
  return code + ": " + words;
}

}  // namespace loa::loactl
