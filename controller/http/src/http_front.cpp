#include "loa/http/http_front.hpp"

#include <microhttpd.h>
#include <netdb.h>

#include <atomic>
#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <list>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "connection_guard.hpp"
#include "loa/log/log.hpp"
#include "loa/log/rate_limiter.hpp"
#include "request_body.hpp"
#include "response_stream.hpp"
#include "worker_pool.hpp"

namespace loa::http {
namespace {

const log::Logger kLog("http");

struct DaemonStop {
  void operator()(MHD_Daemon* d) const noexcept { MHD_stop_daemon(d); }
};
using DaemonPtr = std::unique_ptr<MHD_Daemon, DaemonStop>;

struct ResponseRelease {
  void operator()(MHD_Response* r) const noexcept { MHD_destroy_response(r); }
};
using ResponsePtr = std::unique_ptr<MHD_Response, ResponseRelease>;

// Where a request is. The connection is suspended (parked) while a worker has it.
enum class Phase {
  admitting,  // a worker decides from the headers (suspended)
  receiving,  // the body arrives, within its limit
  handling,   // a worker runs the handler (suspended)
  answer,     // the response is ready to queue
};

struct Exchange {
  explicit Exchange(MHD_Connection* c) : connection(c) {}
  MHD_Connection* connection;
  Phase phase = Phase::admitting;
  bool body_started = false;  // the call that follows admission has been seen
  httplib::Request req;
  httplib::Response res;
  RequestBody body;
};

// Starts a response over; the old one's resources are released (a route that counts its
// open streams is told this one never opened).
void start_over(httplib::Response& res) {
  httplib::Response fresh;
  std::swap(res, fresh);
}

void fill_error(httplib::Response& res, int status, const std::string& code, const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump(), "application/json");
}

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot read the HTTPS ") + what + " " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

MHD_Result add_value(void* cls, MHD_ValueKind, const char* key, const char* value) {
  static_cast<httplib::Headers*>(cls)->emplace(key, value ? value : "");
  return MHD_YES;
}

MHD_Result add_param(void* cls, MHD_ValueKind, const char* key, const char* value) {
  static_cast<httplib::Params*>(cls)->emplace(key, value ? value : "");
  return MHD_YES;
}

}  // namespace

struct HttpFront::Impl {
  FrontSettings settings;
  IRequestHandler& handler;
  WorkerPool pool;
  ConnectionGuard guard;
  std::string tls_key, tls_cert;
  DaemonPtr daemon;
  int port = 0;
  std::atomic<bool> stopping{false};

  std::atomic<std::uint64_t> refused_connections{0}, requests{0}, refused_headers{0}, refused_body{0},
      refused_busy{0};

  // Open streams, each with its provider's thread; stop() closes them and waits.
  std::mutex streams_mutex;
  std::condition_variable streams_done;
  std::list<std::shared_ptr<ResponseStream>> streams;

  Impl(FrontSettings s, IRequestHandler& h)
      : settings(std::move(s)),
        handler(h),
        pool(settings.limits.workers, settings.limits.max_queued),
        guard(settings.limits.max_connections_per_address) {}

  using Clock = ConnectionGuard::Clock;
  [[nodiscard]] Clock::time_point after(unsigned seconds) const { return Clock::now() + std::chrono::seconds(seconds); }

  // --- the event loop's side (libmicrohttpd's threads) ---

  void fill_request(Exchange& ex, const char* url, const char* method, const char* version) {
    auto& req = ex.req;
    req.method = method;
    req.path = url;
    req.target = url;
    req.version = version;
    MHD_get_connection_values(ex.connection, MHD_HEADER_KIND, &add_value, &req.headers);
    MHD_get_connection_values(ex.connection, MHD_GET_ARGUMENT_KIND, &add_param, &req.params);
    if (const auto* info = MHD_get_connection_info(ex.connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS)) {
      const auto peer = net::peer_of(info->client_addr).value_or(net::PeerAddress{});
      req.remote_addr = peer.ip;
      req.remote_port = peer.port;
    }
  }

  MHD_Result queue(Exchange& ex) {
    auto& res = ex.res;
    if (res.content_provider_) {
      std::lock_guard lock(streams_mutex);
      if (streams.size() >= settings.limits.max_streams) {
        start_over(res);
        fill_error(res, 503, "busy", "too many event streams open");
      }
    }
    if (res.status <= 0) res.status = 500;
    const auto status = static_cast<unsigned>(res.status);
    const auto headers = res.headers;
    ResponsePtr response;
    std::shared_ptr<ResponseStream> stream;
    if (res.content_provider_) {
      MHD_Connection* c = ex.connection;
      stream = std::make_shared<ResponseStream>(std::move(res), [c] { MHD_suspend_connection(c); },
                                                [c] { MHD_resume_connection(c); });
      res.content_provider_resource_releaser_ = nullptr;  // moved into the stream
      res.content_provider_ = nullptr;
      response.reset(MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, &Impl::read_stream,
                                                       new std::shared_ptr<ResponseStream>(stream), &Impl::free_stream));
    } else {
      response.reset(MHD_create_response_from_buffer(res.body.size(), res.body.data(), MHD_RESPMEM_MUST_COPY));
    }
    if (!response) return MHD_NO;
    for (const auto& [key, value] : headers) {
      if (key == "Content-Length") continue;  // libmicrohttpd writes it
      MHD_add_response_header(response.get(), key.c_str(), value.c_str());
    }
    const auto queued = MHD_queue_response(ex.connection, status, response.get());
    if (stream) start_pump(std::move(stream));
    return queued;
  }

  MHD_Result answer_now(Exchange& ex, int status, const std::string& code, const std::string& message) {
    fill_error(ex.res, status, code, message);
    ex.phase = Phase::answer;
    return queue(ex);
  }

  // Parks the connection and hands `job` to a worker, which resumes it when done.
  MHD_Result to_worker(Exchange& ex, std::function<void()> job) {
    if (!pool.has_room()) {
      ++refused_busy;
      return answer_now(ex, 503, "busy", "the controller is busy; try again in a moment");
    }
    MHD_suspend_connection(ex.connection);
    pool.post(std::move(job));
    return MHD_YES;
  }

  MHD_Result on_request(MHD_Connection* c, const char* url, const char* method, const char* version,
                        const char* upload_data, std::size_t* upload_size, void** context) {
    auto* ex = static_cast<Exchange*>(*context);
    if (ex == nullptr) {
      ex = new Exchange(c);
      *context = ex;
      ++requests;
      fill_request(*ex, url, method, version);
      if (ex->req.headers.size() > settings.limits.max_header_count) {
        ++refused_headers;
        return answer_now(*ex, 431, "too_many_headers",
                          "at most " + std::to_string(settings.limits.max_header_count) + " header fields");
      }
      if (stopping) return answer_now(*ex, 503, "stopping", "the controller is stopping");
      return to_worker(*ex, [this, ex] { admit(*ex); });
    }
    switch (ex->phase) {
      case Phase::answer: return queue(*ex);
      case Phase::receiving:
        if (*upload_size > 0) {
          const auto result = ex->body.append(upload_data, *upload_size);
          if (result != RequestBody::Append::ok) {
            // libmicrohttpd takes an answer only before the body or after all of it, so
            // a body that outgrows its limit half-way is refused by closing the
            // connection; nothing past the limit is read or kept.
            ++refused_body;
            kLog.warn("body refused, connection closed: method={} path={} address={} reason={}", ex->req.method,
                      ex->req.path, ex->req.remote_addr,
                      result == RequestBody::Append::too_large ? "too_large" : "spool_write_failed");
            return MHD_NO;
          }
          *upload_size = 0;
          return MHD_YES;
        }
        // The first call after admission comes before any body; the next empty one
        // says the body is complete.
        if (!ex->body_started) {
          ex->body_started = true;
          return MHD_YES;
        }
        ex->phase = Phase::handling;
        guard.set_deadline(c, std::nullopt);
        return to_worker(*ex, [this, ex] { run_handler(*ex); });
      case Phase::admitting:
      case Phase::handling: return MHD_YES;  // parked: not called
    }
    return MHD_YES;
  }

  // --- the workers' side ---

  void admit(Exchange& ex) {
    Admission a;
    try {
      a = handler.admit(ex.req, ex.res);
    } catch (const std::exception& e) {
      kLog.error("admission failed: path={} error={}", ex.req.path, e.what());
      fill_error(ex.res, 500, "internal", e.what());
      a.accepted = false;
    }
    if (a.accepted) {
      const auto announced = ex.req.get_header_value("Content-Length");
      std::uint64_t length = 0;
      const auto [end, error] = std::from_chars(announced.data(), announced.data() + announced.size(), length);
      const bool bad = !announced.empty() && (error != std::errc() || end != announced.data() + announced.size());
      if (bad || length > a.max_body_bytes) {
        ++refused_body;
        fill_error(ex.res, 413, "too_large",
                   "request body too large (at most " + std::to_string(a.max_body_bytes) + " bytes here)");
        a.accepted = false;
      }
    }
    if (a.accepted) {
      ex.body.prepare(a.max_body_bytes, a.spool_to_file, settings.spool_dir, ex.req.body);
      ex.phase = Phase::receiving;
      guard.set_deadline(ex.connection, after(a.spool_to_file ? settings.limits.upload_timeout_s
                                                               : settings.limits.request_timeout_s));
    } else {
      ex.phase = Phase::answer;
    }
    MHD_resume_connection(ex.connection);  // the last touch: the event loop owns it again
  }

  void run_handler(Exchange& ex) {
    try {
      handler.handle(ex.req, ex.res, ex.body.file());
    } catch (const std::exception& e) {
      kLog.error("handler failed: path={} error={}", ex.req.path, e.what());
      start_over(ex.res);
      fill_error(ex.res, 500, "internal", e.what());
    }
    ex.phase = Phase::answer;
    MHD_resume_connection(ex.connection);
  }

  // --- streams ---

  void start_pump(std::shared_ptr<ResponseStream> stream) {
    std::lock_guard lock(streams_mutex);
    auto it = streams.insert(streams.end(), stream);
    std::thread([this, stream = std::move(stream), it] {
      stream->pump();
      std::lock_guard done(streams_mutex);
      streams.erase(it);
      streams_done.notify_all();
    }).detach();
  }

  static ssize_t read_stream(void* cls, std::uint64_t, char* buf, std::size_t max) {
    return (*static_cast<std::shared_ptr<ResponseStream>*>(cls))->read(buf, max);
  }

  static void free_stream(void* cls) {
    auto* stream = static_cast<std::shared_ptr<ResponseStream>*>(cls);
    (*stream)->connection_gone();
    delete stream;
  }

  // --- libmicrohttpd's callbacks ---

  static MHD_Result accept_policy(void* cls, const sockaddr* addr, socklen_t) {
    auto& self = *static_cast<Impl*>(cls);
    const auto peer = net::peer_of(addr).value_or(net::PeerAddress{});
    if (self.guard.may_accept(peer.ip)) return MHD_YES;
    ++self.refused_connections;
    static log::RateLimiter limiter(std::chrono::minutes(1));
    std::uint64_t suppressed = 0;
    if (limiter.allow(peer.ip, Clock::now(), suppressed)) {
      kLog.warn("connection refused: address={} reason=per_address_limit limit={} suppressed={}", peer.ip,
                self.settings.limits.max_connections_per_address, suppressed);
    }
    return MHD_NO;
  }

  static void connection_event(void* cls, MHD_Connection* c, void**, MHD_ConnectionNotificationCode code) {
    auto& self = *static_cast<Impl*>(cls);
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
      self.guard.closed(c);
      return;
    }
    const auto* fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    const auto* addr = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (fd == nullptr || addr == nullptr) return;
    self.guard.opened(c, fd->connect_fd, net::peer_of(addr->client_addr).value_or(net::PeerAddress{}),
                      self.after(self.settings.limits.request_timeout_s));
  }

  static MHD_Result request(void* cls, MHD_Connection* c, const char* url, const char* method, const char* version,
                            const char* upload_data, std::size_t* upload_size, void** context) {
    return static_cast<Impl*>(cls)->on_request(c, url, method, version, upload_data, upload_size, context);
  }

  static void request_completed(void* cls, MHD_Connection* c, void** context, MHD_RequestTerminationCode) {
    auto& self = *static_cast<Impl*>(cls);
    delete static_cast<Exchange*>(*context);
    *context = nullptr;
    // The next request on this connection (keep-alive) may wait for the idle timeout to
    // begin, and then has the request timeout to arrive whole.
    self.guard.set_deadline(c, self.after(self.settings.limits.idle_timeout_s + self.settings.limits.request_timeout_s));
  }

  // libmicrohttpd's own messages. Most are a client going away (debug); the ones that
  // say it refused a request itself (headers beyond the connection's memory: 431, or a
  // request line too long: 414) are counted, since no other callback reports them.
  static void mhd_log(void* cls, const char* format, va_list args) {
    auto& self = *static_cast<Impl*>(cls);
    char text[512];
    std::vsnprintf(text, sizeof text, format, args);
    std::string line(text);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    const bool refused = line.find("response code is 431") != std::string::npos ||
                         line.find("response code is 414") != std::string::npos;
    if (refused) ++self.refused_headers;
    static log::RateLimiter limiter(std::chrono::minutes(1));
    std::uint64_t suppressed = 0;
    if (!limiter.allow(format, Clock::now(), suppressed)) return;
    if (refused) {
      kLog.warn("request refused: reason=headers_too_large suppressed={}", suppressed);
    } else {
      kLog.debug("server: message=\"{}\" suppressed={}", line.substr(0, 200), suppressed);
    }
  }

  void start() {
    if (!settings.tls_cert_file.empty() || !settings.tls_key_file.empty()) {
      tls_cert = read_file(settings.tls_cert_file, "certificate");
      tls_key = read_file(settings.tls_key_file, "key");
    }
    if (!settings.spool_dir.empty()) std::filesystem::create_directories(settings.spool_dir);

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    const auto service = std::to_string(settings.port);
    if (::getaddrinfo(settings.listen_address.c_str(), service.c_str(), &hints, &found) != 0 || found == nullptr) {
      throw std::runtime_error("cannot listen on " + settings.listen_address + ": not an address");
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> address(found, &::freeaddrinfo);

    const auto& l = settings.limits;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (address->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
    if (!tls_cert.empty()) flags |= MHD_USE_TLS;
    std::vector<MHD_OptionItem> options{
        {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&Impl::mhd_log), this},  // first, to see every message
        {MHD_OPTION_SOCK_ADDR, 0, address->ai_addr},
        {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(l.max_connections), nullptr},
        // Ours (accept_policy) is the limit, counted and logged; libmicrohttpd's own, a
        // little above it, only closes the gap of two connections from one address
        // accepted at the same moment on its two threads.
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, static_cast<intptr_t>(l.max_connections_per_address + 8), nullptr},
        {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(l.idle_timeout_s), nullptr},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(l.connection_memory_bytes), nullptr},
        {MHD_OPTION_THREAD_POOL_SIZE, 2, nullptr},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, nullptr},
        {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&Impl::request_completed), this},
        {MHD_OPTION_NOTIFY_CONNECTION, reinterpret_cast<intptr_t>(&Impl::connection_event), this},
    };
    if (!tls_cert.empty()) {
      options.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(tls_cert.c_str())});
      options.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(tls_key.c_str())});
      options.push_back({MHD_OPTION_HTTPS_PRIORITIES, 0, const_cast<char*>("NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2")});
    }
    options.push_back({MHD_OPTION_END, 0, nullptr});

    daemon.reset(MHD_start_daemon(flags, static_cast<std::uint16_t>(settings.port), &Impl::accept_policy, this,
                                  &Impl::request, this, MHD_OPTION_ARRAY, options.data(), MHD_OPTION_END));
    if (!daemon) {
      if (!tls_cert.empty()) {
        throw std::runtime_error("cannot serve HTTPS on " + settings.listen_address + ":" + service +
                                 " with certificate " + settings.tls_cert_file + " and key " + settings.tls_key_file +
                                 " (port in use, or they are unreadable or do not match)");
      }
      throw std::runtime_error("cannot listen on " + settings.listen_address + ":" + service);
    }
    const auto* info = MHD_get_daemon_info(daemon.get(), MHD_DAEMON_INFO_BIND_PORT);
    port = info ? info->port : settings.port;
    guard.start_reaper();
  }

  void stop() {
    if (!daemon || stopping.exchange(true)) return;
    const auto listener = MHD_quiesce_daemon(daemon.get());
    // Every parked connection must be resumed before the daemon stops: streams are
    // ended, and the workers finish what they hold (each resumes its connection).
    {
      std::unique_lock lock(streams_mutex);
      for (auto& s : streams) s->close();
      streams_done.wait(lock, [this] { return streams.empty(); });
    }
    pool.stop();
    guard.stop_reaper();
    daemon.reset();
    if (listener != MHD_INVALID_SOCKET) ::close(listener);
  }
};

HttpFront::HttpFront(FrontSettings settings, IRequestHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(settings), handler)) {}

HttpFront::~HttpFront() { stop(); }

int HttpFront::start() {
  impl_->start();
  return impl_->port;
}

void HttpFront::stop() { impl_->stop(); }

bool HttpFront::tls() const { return !impl_->settings.tls_cert_file.empty(); }

FrontStats HttpFront::stats() const {
  FrontStats s;
  s.connections_open = impl_->guard.open_count();
  s.connections_refused = impl_->refused_connections;
  s.connections_timed_out = impl_->guard.timed_out();
  s.requests = impl_->requests;
  s.refused_headers = impl_->refused_headers;
  s.refused_body = impl_->refused_body;
  s.refused_busy = impl_->refused_busy;
  {
    std::lock_guard lock(impl_->streams_mutex);
    s.streams_open = impl_->streams.size();
  }
  return s;
}

}  // namespace loa::http
