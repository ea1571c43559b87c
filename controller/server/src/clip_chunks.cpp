#include "clip_chunks.hpp"

#include <algorithm>
#include <fstream>

#include "loa/digest/sha256.hpp"

namespace loa::server {

std::optional<loa::v1::ClipChunk> read_clip_chunk(const std::string& clips_dir, const loa::v1::ClipRequest& request,
                                                  std::uint64_t limit, const std::string& extension) {
  const auto& sha = request.clip_sha256();
  if (!digest::is_sha256_hex(sha)) return std::nullopt;  // never a path of the station's choosing
  std::ifstream in(clips_dir + "/" + sha + extension, std::ios::binary | std::ios::ate);
  if (!in) return std::nullopt;
  const auto total = static_cast<std::uint64_t>(in.tellg());
  const std::uint64_t want = request.max_bytes() ? std::min<std::uint64_t>(request.max_bytes(), limit) : limit;
  const std::uint64_t offset = std::min(request.offset(), total);
  std::string data(static_cast<std::size_t>(std::min(want, total - offset)), '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  loa::v1::ClipChunk chunk;
  chunk.set_clip_sha256(sha);
  chunk.set_total_bytes(total);
  chunk.set_offset(offset);
  chunk.set_data(std::move(data));
  return chunk;
}

}  // namespace loa::server
