#include "loa/agent/clip_cache.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <vector>

#include "loa/digest/sha256.hpp"
#include "loa/log/log.hpp"

namespace loa::agent {
namespace {

const log::Logger kLog("clips");
namespace fs = std::filesystem;
constexpr std::uint32_t kChunkBytes = 64 * 1024;
constexpr int kMaxAttempts = 3;

}  // namespace

ClipCache::ClipCache(std::string dir, std::uint64_t max_bytes, std::string extension)
    : dir_(std::move(dir)), max_bytes_(max_bytes), extension_(std::move(extension)) {
  fs::create_directories(dir_);
}

std::string ClipCache::path_of(const std::string& sha256) const { return dir_ + "/" + sha256 + extension_; }

std::uint64_t ClipCache::part_size(const std::string& sha256) const {
  std::error_code ec;
  auto n = fs::file_size(dir_ + "/" + sha256 + ".part", ec);
  return ec ? 0 : n;
}

bool ClipCache::has(const std::string& sha256) {
  if (!digest::is_sha256_hex(sha256)) return false;
  if (verified_.contains(sha256)) {
    if (fs::exists(path_of(sha256))) return true;
    verified_.erase(sha256);
  }
  if (!fs::exists(path_of(sha256))) return false;
  if (digest::sha256_file_hex(path_of(sha256)).value_or("") != sha256) {
    kLog.warn("corrupt clip removed: sha256={} (bytes on disk no longer match)", sha256);
    fs::remove(path_of(sha256));
    return false;
  }
  verified_.insert(sha256);
  return true;
}

void ClipCache::pin(const std::string& sha256, bool pinned) {
  const auto marker = dir_ + "/" + sha256 + ".pin";
  if (pinned) {
    std::ofstream(marker).put('\n');
  } else {
    fs::remove(marker);
  }
}

bool ClipCache::pinned(const std::string& sha256) const { return fs::exists(dir_ + "/" + sha256 + ".pin"); }

std::optional<v1::ClipRequest> ClipCache::want(const v1::Command& command) {
  const auto& c = command.cache_clip();
  if (c.pin() && digest::is_sha256_hex(c.clip_sha256())) pin(c.clip_sha256(), true);
  return want(c.clip_sha256(), c.total_bytes(), command);
}

std::optional<v1::ClipRequest> ClipCache::want(const std::string& sha256, std::uint64_t total_bytes,
                                               const v1::Command& command) {
  if (!digest::is_sha256_hex(sha256)) return std::nullopt;  // never a file name
  auto& fetch = fetching_[sha256];
  const bool fresh = fetch.commands.empty();
  fetch.total = total_bytes;
  if (std::none_of(fetch.commands.begin(), fetch.commands.end(),
                   [&](const v1::Command& k) { return k.id() == command.id(); })) {
    fetch.commands.push_back(command);
  }
  if (!fresh) return std::nullopt;
  make_room(total_bytes);
  v1::ClipRequest r;
  r.set_clip_sha256(sha256);
  r.set_offset(part_size(sha256));  // resume what an earlier run began
  r.set_max_bytes(kChunkBytes);
  kLog.info("fetching: sha256={} bytes={} from={}", sha256, total_bytes, r.offset());
  return r;
}

std::vector<v1::ClipRequest> ClipCache::stalled_requests(std::chrono::steady_clock::time_point now,
                                                          std::chrono::milliseconds quiet) {
  std::vector<v1::ClipRequest> out;
  for (auto& [sha, fetch] : fetching_) {
    if (now - fetch.last_heard < quiet) continue;
    fetch.last_heard = now;
    v1::ClipRequest r;
    r.set_clip_sha256(sha);
    r.set_offset(part_size(sha));
    r.set_max_bytes(kChunkBytes);
    kLog.warn("fetch stalled, asking again: sha256={} from={}", sha, r.offset());
    out.push_back(r);
  }
  return out;
}

std::vector<v1::ClipRequest> ClipCache::resume_requests() const {
  std::vector<v1::ClipRequest> out;
  for (const auto& [sha, fetch] : fetching_) {
    v1::ClipRequest r;
    r.set_clip_sha256(sha);
    r.set_offset(part_size(sha));
    r.set_max_bytes(kChunkBytes);
    out.push_back(r);
  }
  return out;
}

ClipCache::ChunkOutcome ClipCache::on_chunk(const v1::ClipChunk& chunk) {
  ChunkOutcome out;
  auto it = fetching_.find(chunk.clip_sha256());
  if (it == fetching_.end()) return out;  // nobody wants it (any more)
  it->second.last_heard = std::chrono::steady_clock::now();
  const std::string part = dir_ + "/" + chunk.clip_sha256() + ".part";
  // Only the piece that continues the file is taken; a repeat of an earlier one (after a
  // reconnect both may arrive) is dropped.
  if (chunk.offset() != part_size(chunk.clip_sha256())) return out;
  {
    std::ofstream f(part, std::ios::binary | std::ios::app);
    f.write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()));
    if (!f) {
      out.kind = ChunkOutcome::failed;
      out.reason = "cannot write to the clip cache (disk full?)";
      out.commands = std::move(it->second.commands);
      fetching_.erase(it);
      return out;
    }
  }
  const auto have = part_size(chunk.clip_sha256());
  if (have < chunk.total_bytes() && !chunk.data().empty()) {
    out.kind = ChunkOutcome::more;
    v1::ClipRequest r;
    r.set_clip_sha256(chunk.clip_sha256());
    r.set_offset(have);
    r.set_max_bytes(kChunkBytes);
    out.next = r;
    return out;
  }
  if (digest::sha256_file_hex(part).value_or("") == chunk.clip_sha256()) {
    fs::rename(part, path_of(chunk.clip_sha256()));
    verified_.insert(chunk.clip_sha256());
    kLog.info("cached: sha256={} bytes={}", chunk.clip_sha256(), have);
    out.kind = ChunkOutcome::complete;
    out.commands = std::move(it->second.commands);
    fetching_.erase(it);
    return out;
  }
  fs::remove(part);
  if (++it->second.attempts > kMaxAttempts) {
    out.kind = ChunkOutcome::failed;
    out.reason = "clip fetched " + std::to_string(kMaxAttempts) + " times, never with the right SHA-256";
    out.commands = std::move(it->second.commands);
    fetching_.erase(it);
    return out;
  }
  kLog.warn("hash mismatch, fetching again: sha256={} attempt={}", chunk.clip_sha256(), it->second.attempts);
  out.kind = ChunkOutcome::more;
  v1::ClipRequest r;
  r.set_clip_sha256(chunk.clip_sha256());
  r.set_offset(0);
  r.set_max_bytes(kChunkBytes);
  out.next = r;
  return out;
}

std::uint64_t ClipCache::used_bytes() const {
  std::uint64_t n = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

void ClipCache::make_room(std::uint64_t incoming) {
  struct Entry {
    fs::file_time_type used;
    std::string sha;
    std::uint64_t bytes;
  };
  std::vector<Entry> candidates;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().extension() != extension_) continue;
    const auto sha = e.path().stem().string();
    if (pinned(sha) || fetching_.contains(sha) || (needed_ && needed_(sha))) continue;
    candidates.push_back({e.last_write_time(), sha, e.file_size()});
  }
  std::sort(candidates.begin(), candidates.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
  auto used = used_bytes();
  for (const auto& c : candidates) {
    if (used + incoming <= max_bytes_) break;
    kLog.info("evicted: sha256={} bytes={} (cache full)", c.sha, c.bytes);
    fs::remove(path_of(c.sha));
    verified_.erase(c.sha);
    used -= std::min(used, c.bytes);
  }
}

}  // namespace loa::agent
