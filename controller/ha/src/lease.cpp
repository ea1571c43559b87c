#include "loa/ha/lease.hpp"

#include "loa/log/log.hpp"
#include "loa/postgres/connection.hpp"
#include "loa/sql/connection.hpp"

namespace loa::ha {
namespace {

const log::Logger kLog("lease");

// The database's clock, ms since the epoch: both controllers judge expiry by it.
constexpr const char* kDbNowMs = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Lease::Lease(LeaseSettings settings) : settings_(std::move(settings)) {}

Lease::~Lease() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (renewer_.joinable()) renewer_.join();
  if (watcher_.joinable()) watcher_.join();
  release();
}

sql::IConnection* Lease::connection() {
  if (!db_) db_ = postgres::connect(settings_.conninfo, {});
  return db_.get();
}

bool Lease::try_acquire() {
  const auto asked = steady_ns();
  std::lock_guard lock(db_mutex_);
  try {
    sql::Statement s(*connection(),
                     std::string("INSERT INTO controller_lease (name, holder, epoch, expires_at_ms, url) "
                                 "VALUES ('active', ?1, 1, ") + kDbNowMs + " + ?2, ?3) "
                     "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, epoch = controller_lease.epoch + 1, "
                     "expires_at_ms = excluded.expires_at_ms, url = excluded.url "
                     "WHERE controller_lease.expires_at_ms < " + kDbNowMs + " RETURNING epoch");
    s.bind(1, settings_.holder).bind(2, static_cast<std::int64_t>(settings_.ttl.count())).bind(3, settings_.url);
    if (!s.step()) return false;
    epoch_ = static_cast<std::uint64_t>(s.column_int(0));
    valid_until_ns_ = asked + std::chrono::duration_cast<std::chrono::nanoseconds>(settings_.ttl * 3 / 4).count();
    lost_ = false;
    kLog.info("taken: epoch={} holder={} ttl_ms={}", epoch_.load(), settings_.holder, settings_.ttl.count());
    return true;
  } catch (const sql::Error& e) {
    kLog.warn("cannot take the lease now: {}", e.what());
    db_.reset();
    return false;
  }
}

bool Lease::held() const {
  return !lost_.load() && steady_ns() < valid_until_ns_.load();
}

void Lease::keep(std::function<void(const std::string&)> on_lost) {
  on_lost_ = std::move(on_lost);
  renewer_ = std::thread([this] { renew_loop(); });
  watcher_ = std::thread([this] { watch_loop(); });
}

void Lease::lose(const std::string& why) {
  if (lost_.exchange(true)) return;
  kLog.error("lost: epoch={} reason={}", epoch_.load(), why);
  if (on_lost_) on_lost_(why);
}

void Lease::renew_loop() {
  std::unique_lock stop(stop_mutex_);
  while (!stop_cv_.wait_for(stop, settings_.renew_every, [&] { return stopping_; }) && !lost_) {
    stop.unlock();
    const auto asked = steady_ns();
    {
      std::lock_guard lock(db_mutex_);
      try {
        sql::Statement s(*connection(), std::string("UPDATE controller_lease SET expires_at_ms = ") + kDbNowMs +
                                            " + ?3 WHERE name = 'active' AND holder = ?1 AND epoch = ?2");
        s.bind(1, settings_.holder).bind(2, static_cast<std::int64_t>(epoch_.load()));
        s.bind(3, static_cast<std::int64_t>(settings_.ttl.count()));
        s.run();
        if (db_->changes() == 1) {
          valid_until_ns_ =
              asked + std::chrono::duration_cast<std::chrono::nanoseconds>(settings_.ttl * 3 / 4).count();
        } else {
          stop.lock();
          lose("the lease was taken by another controller");
          break;
        }
      } catch (const sql::Error& e) {
        // Not lost yet: the watcher decides when the last renewal is too old.
        kLog.warn("renewal failed: {}", e.what());
        db_.reset();
      }
    }
    stop.lock();
  }
}

// Apart from the renewer, which a database that does not answer can hold for long.
void Lease::watch_loop() {
  std::unique_lock stop(stop_mutex_);
  while (!stop_cv_.wait_for(stop, std::chrono::milliseconds(50), [&] { return stopping_; })) {
    if (lost_) return;
    if (steady_ns() >= valid_until_ns_.load()) {
      stop.unlock();
      lose("no renewal succeeded within the time to live");
      return;
    }
  }
}

std::optional<LeaseHolder> Lease::current() {
  std::lock_guard lock(db_mutex_);
  try {
    sql::Statement s(*connection(), std::string("SELECT holder, url, epoch, CASE WHEN expires_at_ms > ") + kDbNowMs +
                                        " THEN 1 ELSE 0 END FROM controller_lease WHERE name = 'active'");
    if (!s.step()) return LeaseHolder{};
    return LeaseHolder{s.column_text(0), s.column_text(1), static_cast<std::uint64_t>(s.column_int(2)),
                       s.column_int(3) == 1};
  } catch (const sql::Error&) {
    db_.reset();
    return std::nullopt;
  }
}

void Lease::release() {
  if (epoch_ == 0 || lost_.exchange(true)) return;
  valid_until_ns_ = 0;
  std::lock_guard lock(db_mutex_);
  try {
    sql::Statement s(*connection(),
                     "UPDATE controller_lease SET expires_at_ms = 0 WHERE name = 'active' AND holder = ?1 AND epoch = ?2");
    s.bind(1, settings_.holder).bind(2, static_cast<std::int64_t>(epoch_.load()));
    s.run();
    kLog.info("given up: epoch={}", epoch_.load());
  } catch (const sql::Error& e) {
    kLog.warn("could not give the lease up (it expires by itself): {}", e.what());
  }
}

}  // namespace loa::ha
