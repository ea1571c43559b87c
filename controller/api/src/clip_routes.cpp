#include "clip_routes.hpp"


#include <fstream>

#include "http_helpers.hpp"
#include "loa/log/log.hpp"

namespace loa::api {
namespace {

const log::Logger kLog("api");

json clip_json(const store::ClipRecord& c) {
  return {{"id", c.sha256},
          {"sha256", c.sha256},
          {"name", c.name},
          {"duration_ms", c.duration_ms},
          {"bytes", c.bytes},
          {"source_lufs", c.source_lufs},
          {"gain_db", c.gain_db},
          {"source_format", c.source_format},
          {"created_ms", c.created_ms}};
}

}  // namespace

void install_clip_routes(RouteTable& routes, ApiContext& ctx, std::size_t max_clip_bytes) {
  // The front has spooled the body to a file as it arrived, within the upload limit, and
  // removes it once the request is done.
  routes.post("/api/v1/clips", Access::operator_, "Upload a clip (raw body, ?name=)",
              [&ctx](const httplib::Request& req, httplib::Response& res, const std::string& upload) {
                std::string name = req.get_param_value("name");
                if (name.empty()) name = "clip";
                auto result = ctx.clips.add(upload, name);
                if (auto* e = std::get_if<clips::TranscodeError>(&result)) {
                  const int status = e->code == "storage_failed" ? 507 : 422;
                  return send_error(res, status, e->code, e->message);
                }
                send_json(res, clip_json(std::get<store::ClipRecord>(result)), 201);
              });
  routes.post("/api/v1/clips/tts", Access::operator_, "Read a text aloud into a clip", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto body = parse_body(req, res);
    if (!body) return;
    const auto text = string_field(*body, "text");
    const auto voice = body->value("voice", std::string("vi"));
    auto name = string_field(*body, "name");
    if (name.empty()) name = utf8_prefix(text, 40);
    auto result = ctx.clips.add_speech(text, voice, name);
    if (auto* e = std::get_if<clips::TranscodeError>(&result)) {
      return send_error(res, e->code == "storage_failed" ? 507 : 422, e->code, e->message);
    }
    send_json(res, clip_json(std::get<store::ClipRecord>(result)), 201);
  });
  routes.get("/api/v1/clips", Access::viewer, Reads::anywhere, "The clip library (?all=1: with the standard alert clips)", [&ctx, max_clip_bytes](const httplib::Request& req, httplib::Response& res) {
    // The alert desk's standard clips ("loa:" names) only with ?all=1.
    const bool all = req.get_param_value("all") == "1";
    const auto page = page_of(req, res, 10000, 100000);
    if (!page) return;
    json items = json::array();
    for (const auto& c : ctx.store.list_clips()) {
      if (all || c.name.rfind("loa:", 0) != 0) items.push_back(clip_json(c));
    }
    send_page(res, items, *page, true, {{"max_upload_bytes", max_clip_bytes}});
  });
  routes.get(R"(/api/v1/clips/([0-9a-f]{64}))", Access::viewer, Reads::anywhere, "One clip", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto c = ctx.store.find_clip(req.matches[1]);
    if (!c) return send_error(res, 404, "not_found", "no clip " + std::string(req.matches[1]));
    send_json(res, clip_json(*c));
  });
  routes.get(R"(/api/v1/clips/([0-9a-f]{64})/audio)", Access::viewer, Reads::anywhere, "A clip's audio (Ogg Opus)", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    if (!ctx.store.find_clip(id)) return send_error(res, 404, "not_found", "no clip " + id);
    std::ifstream in(ctx.clips.path_of(id), std::ios::binary);
    if (!in) return send_error(res, 500, "missing_file", "the clip's file is missing");
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    res.set_content(std::move(bytes), "audio/ogg");
  });
  routes.del(R"(/api/v1/clips/([0-9a-f]{64}))", Access::operator_, "Remove a clip", [&ctx](const httplib::Request& req, httplib::Response& res) {
    if (auto c = ctx.store.find_clip(req.matches[1]); c && c->name.rfind("loa:", 0) == 0) {
      return send_error(res, 409, "standard_clip", "clip " + c->name + " is kept on every station for alerts");
    }
    if (!ctx.clips.remove(req.matches[1])) return send_error(res, 404, "not_found", "no clip " + std::string(req.matches[1]));
    kLog.info("clip removed: sha256={}", std::string(req.matches[1]));
    res.status = 204;
  });
}

}  // namespace loa::api
