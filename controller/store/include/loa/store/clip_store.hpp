#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "loa/store/records.hpp"
#include "loa/store/store_error.hpp"

namespace loa::store {

// The clip library's records (the files live beside the store).
class IClipStore {
 public:
  virtual ~IClipStore() = default;

  // Clips (metadata; the files live beside the store)
  virtual void put_clip(const ClipRecord& clip) = 0;
  [[nodiscard]] virtual std::optional<ClipRecord> find_clip(const std::string& sha256) = 0;
  // The clip made from this upload with these settings (ClipRecord::source_sha256).
  [[nodiscard]] virtual std::optional<ClipRecord> find_clip_by_source(const std::string& source_sha256) = 0;
  [[nodiscard]] virtual std::vector<ClipRecord> list_clips() = 0;
  [[nodiscard]] virtual bool delete_clip(const std::string& sha256) = 0;
  // A clip's bytes kept in the database too (a standby pair: the other controller gets
  // them with the database's replication). Gone with the clip's record.
  virtual void put_clip_bytes(const std::string& sha256, const std::string& bytes) = 0;
  [[nodiscard]] virtual std::optional<std::string> clip_bytes(const std::string& sha256) = 0;
};

}  // namespace loa::store
