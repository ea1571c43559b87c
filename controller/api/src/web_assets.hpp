#pragma once

#include <string_view>

namespace loa::api {

// One file of the web console (controller/web), compiled in.
struct WebAsset {
  std::string_view path;  // as served: "/index.html", "/console/app.js"
  std::string_view content_type;
  std::string_view body;
};

// The file served at `path` ("/" is the page shell), or null.
[[nodiscard]] const WebAsset* find_web_asset(std::string_view path);

}  // namespace loa::api
