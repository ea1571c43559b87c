#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "loa/store/access_store.hpp"
#include "loa/store/alert_store.hpp"
#include "loa/store/asrun_store.hpp"
#include "loa/store/clip_store.hpp"
#include "loa/store/command_store.hpp"
#include "loa/store/federation_store.hpp"
#include "loa/store/health_store.hpp"
#include "loa/store/live_stream_store.hpp"
#include "loa/store/schedule_store.hpp"
#include "loa/store/station_store.hpp"
#include "loa/store/update_store.hpp"

namespace loa::store {

// Where the controller keeps what must survive a restart, one interface per aggregate
// (stations, commands, health, as-run, schedule, access, alerts, clips, live streams,
// federation, agent updates). Each part of
// the controller takes only the interfaces it uses; a Store is all of them, one SQLite
// or PostgreSQL database, and only the code that wires the controller together (and
// tools that copy or check a whole store) holds one.
// How busy the store's one connection has been since it opened: calls, time spent
// waiting for it (another call held it) and time holding it. What decides whether
// callers would gain from connections of their own.
struct StoreUse {
  std::uint64_t calls = 0;
  std::chrono::nanoseconds waited{0};
  std::chrono::nanoseconds held{0};
  std::chrono::nanoseconds longest_wait{0};
  std::int64_t library_memory_bytes = -1;  // what the embedded database holds in this process (-1: a server's)
};

class Store : public IStationStore,
              public ICommandStore,
              public IHealthStore,
              public IAsRunStore,
              public IScheduleStore,
              public IAccessStore,
              public IAlertStore,
              public IClipStore,
              public ILiveStreamStore,
              public IFederationStore,
              public IUpdateStore {
 public:
  ~Store() override = default;
  [[nodiscard]] virtual StoreUse use() const = 0;
};

// Opens (creating if needed) the SQLite store at `path` and brings its schema up to
// date. Thread-safe: calls are serialized on one connection.
[[nodiscard]] std::unique_ptr<Store> open_sqlite_store(const std::string& path);

// Connects to PostgreSQL (a libpq connection string or postgresql:// URL) and brings
// its schema up to date. The same statements as the SQLite store; thread-safe alike.
[[nodiscard]] std::unique_ptr<Store> open_postgres_store(const std::string& conninfo);

// Copies every record of a SQLite store into an empty PostgreSQL one, in one
// transaction (all or nothing). Returns the rows copied per table.
std::vector<std::pair<std::string, std::int64_t>> copy_sqlite_to_postgres(const std::string& sqlite_path,
                                                                          const std::string& conninfo);

// Schema version the SQLite store migrates to.
[[nodiscard]] int sqlite_schema_version();

}  // namespace loa::store
