#pragma once

namespace loa::api {

extern const char* const kIndexHtml;  // controller/web/index.html

}  // namespace loa::api
