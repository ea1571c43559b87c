#pragma once

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace loa::http {

// What one connection, one address and the whole front may hold. Every default is safe
// on a public address: a thousand slow or idle connections cost memory, never workers.
struct FrontLimits {
  std::size_t max_connections = 2000;             // open at once, all addresses
  std::size_t max_connections_per_address = 128;  // open at once from one address
  unsigned idle_timeout_s = 30;      // a connection silent this long is closed (keep-alive too)
  unsigned request_timeout_s = 30;   // headers and a JSON body must all arrive within this
  unsigned upload_timeout_s = 3600;  // ... or, for an admitted upload, this
  std::size_t max_header_count = 100;                // more: 431
  std::size_t connection_memory_bytes = 64 * 1024;   // per connection; headers beyond it: 431
  std::size_t workers = 16;           // threads that run handlers (the network needs none)
  std::size_t max_queued = 512;       // requests waiting for a worker; more: 503
  std::size_t max_streams = 64;       // open event streams (each has a thread while open)
};

struct FrontSettings {
  std::string listen_address = "127.0.0.1";
  int port = 8080;  // 0: any free port
  // HTTPS (TLS 1.2 and 1.3 only) when both are given: PEM certificate chain and key.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string spool_dir;  // large uploads are written here while they arrive
  FrontLimits limits;
};

// What a request may bring, decided from its headers before any of its body is read.
struct Admission {
  bool accepted = false;           // false: the response is already filled in; no body is read
  std::size_t max_body_bytes = 0;  // a longer body (whatever its encoding) is refused
  bool spool_to_file = false;      // the body is kept on disk and handed over as that file
};

// The application behind the front. Both calls run on a worker thread, never on the
// thread that does the network, so they may take their time (a store, Argon2, TTS).
class IRequestHandler {
 public:
  virtual ~IRequestHandler() = default;
  // With the headers only: who is asking and for what, how much body they may send.
  [[nodiscard]] virtual Admission admit(const httplib::Request& req, httplib::Response& res) = 0;
  // With the whole body: in req.body, or, when admission asked for it to be spooled, in
  // the file `spooled_body` (removed once the request is done; empty otherwise). A
  // response with a chunked content provider is streamed: its provider runs on a thread
  // of its own until it says done.
  virtual void handle(httplib::Request& req, httplib::Response& res, const std::string& spooled_body) = 0;
};

// Counters of what the front refused or cut, for /metrics.
struct FrontStats {
  std::uint64_t connections_open = 0;
  std::uint64_t connections_refused = 0;   // over the per-address or total limit
  std::uint64_t connections_timed_out = 0; // a request not complete within its time
  std::uint64_t requests = 0;
  std::uint64_t refused_headers = 0;       // 431
  std::uint64_t refused_body = 0;          // 413, or the connection closed mid-body
  std::uint64_t refused_busy = 0;          // 503: every worker busy and the queue full
  std::uint64_t streams_open = 0;
};

// The HTTP server that faces the network: libmicrohttpd's event loop (epoll) holds the
// connections and parses requests with per-connection memory bounds, so a slow or idle
// client costs a few KiB and a descriptor, never a thread. Complete requests go to a
// bounded pool of workers. cpp-httplib's Request and Response serve as the value types
// handlers see; its server is not used.
class HttpFront {
 public:
  HttpFront(FrontSettings settings, IRequestHandler& handler);
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;
  ~HttpFront();

  // Binds and serves; returns the port bound. Throws std::runtime_error naming the cause.
  int start();
  // Stops accepting, ends open streams, lets running handlers finish, closes everything.
  void stop();

  [[nodiscard]] FrontStats stats() const;
  [[nodiscard]] bool tls() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loa::http
