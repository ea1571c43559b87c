#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "loa/v1/clip.pb.h"
#include "loa/v1/link.pb.h"

namespace loa::server {

// The piece of a clip a station asked for, read from the clip library's folder
// (<sha256>.opus; agent packages the same way from theirs, <sha256>.deb): at most
// `limit` bytes, or the station's own smaller max_bytes, from its offset. Nullopt for an
// id that is not a SHA-256 or names no file in the folder.
[[nodiscard]] std::optional<loa::v1::ClipChunk> read_clip_chunk(const std::string& clips_dir,
                                                                const loa::v1::ClipRequest& request,
                                                                std::uint64_t limit,
                                                                const std::string& extension = ".opus");

}  // namespace loa::server
