#include "clip_routes.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
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

// The upload, spooled to a file next to the library, removed however the request ends.
class Spool {
 public:
  explicit Spool(const std::string& dir)
      : path_(dir + "/upload.tmp-" + std::to_string(::getpid()) + "-" + std::to_string(++counter_)) {}
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  ~Spool() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  static inline std::atomic<unsigned> counter_{0};
  std::string path_;
};

}  // namespace

void install_clip_routes(RouteTable& routes, ApiContext& ctx, std::size_t max_clip_bytes) {
  routes.post("/api/v1/clips", Access::operator_, "Upload a clip (raw body, ?name=)", [&ctx, max_clip_bytes](const httplib::Request& req, httplib::Response& res,
                                                     const httplib::ContentReader& read) {
    std::string name = req.get_param_value("name");
    const auto announced = req.get_header_value("Content-Length");
    try {
      if (!announced.empty() && std::stoull(announced) > max_clip_bytes) {
        return send_error(res, 413, "too_large",
                          "clip uploads are limited to " + std::to_string(max_clip_bytes >> 20) + " MiB");
      }
    } catch (const std::exception&) {
      return send_error(res, 400, "bad_request", "bad Content-Length");
    }
    Spool spool(ctx.clips.dir());
    std::size_t total = 0;
    bool too_large = false;
    bool write_failed = false;
    bool complete = false;
    {
      std::ofstream out(spool.path(), std::ios::binary);
      complete = read([&](const char* data, std::size_t length) {
        total += length;
        if (total > max_clip_bytes) {
          too_large = true;
          return false;
        }
        out.write(data, static_cast<std::streamsize>(length));
        if (!out) {
          write_failed = true;
          return false;
        }
        return true;
      });
    }
    if (too_large) {
      return send_error(res, 413, "too_large", "clip uploads are limited to " + std::to_string(max_clip_bytes >> 20) + " MiB");
    }
    if (write_failed) return send_error(res, 507, "storage_failed", "cannot store the upload (disk full?)");
    if (!complete) return send_error(res, 400, "upload_incomplete", "the upload was cut off before its end");
    if (name.empty()) name = "clip";
    auto result = ctx.clips.add(spool.path(), name);
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
  routes.get("/api/v1/clips", Access::viewer, "The clip library (?all=1: with the standard alert clips)", [&ctx, max_clip_bytes](const httplib::Request& req, httplib::Response& res) {
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
  routes.get(R"(/api/v1/clips/([0-9a-f]{64}))", Access::viewer, "One clip", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto c = ctx.store.find_clip(req.matches[1]);
    if (!c) return send_error(res, 404, "not_found", "no clip " + std::string(req.matches[1]));
    send_json(res, clip_json(*c));
  });
  routes.get(R"(/api/v1/clips/([0-9a-f]{64})/audio)", Access::viewer, "A clip's audio (Ogg Opus)", [&ctx](const httplib::Request& req, httplib::Response& res) {
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
