#include "loa/server/zap_handler.hpp"

#include <vector>

#include "loa/curve/key_pair.hpp"
#include "loa/log/log.hpp"

namespace loa::server {
namespace {

const log::Logger kLog("zap");
constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";

void count(LinkCounters& c, registry::AuthVerdict v) {
  using V = registry::AuthVerdict;
  switch (v) {
    case V::admitted: ++c.admitted; break;
    case V::unknown_key: ++c.refused_unknown_key; break;
    case V::no_station_id: ++c.refused_no_station_id; break;
    case V::pending_approval: ++c.refused_pending; break;
    case V::rejected: ++c.refused_rejected; break;
    case V::revoked: ++c.refused_revoked; break;
    case V::key_mismatch: ++c.refused_key_mismatch; break;
    case V::too_many_pending: ++c.refused_too_many_pending; break;
    case V::rate_limited: ++c.refused_rate_limited; break;
    case V::key_conflict: ++c.refused_key_conflict; break;
  }
}

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& context, registry::StationRegistry& registry, LinkCounters& counters)
    : socket_(context, zmq::socket_type::rep),
      registry_(registry),
      counters_(counters),
      log_limit_(std::chrono::seconds(60)) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind(kZapEndpoint);
}

ZapHandler::~ZapHandler() { stop(); }

void ZapHandler::start() { thread_ = std::thread([this] { run(); }); }

void ZapHandler::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void ZapHandler::run() {
  while (!stopping_.load()) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    try {
      zmq::poll(&item, 1, std::chrono::milliseconds(100));
      if (item.revents & ZMQ_POLLIN) {
        for (int i = 0; i < 64; ++i) handle_one();
      }
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) break;
      kLog.error("loop error: error={}", e.what());
    } catch (const std::exception& e) {
      kLog.error("unexpected error: error={}", e.what());
    }
  }
}

void ZapHandler::handle_one() {
  std::vector<zmq::message_t> request;
  if (!zmq::recv_multipart(socket_, std::back_inserter(request), zmq::recv_flags::dontwait)) return;

  // RFC 27 request: version, request id, domain, address, identity, mechanism, credentials...
  auto frame = [&](std::size_t i) { return i < request.size() ? request[i].to_string() : std::string(); };
  const std::string version = frame(0);
  const std::string request_id = frame(1);
  const std::string domain = frame(2);
  const std::string address = frame(3);
  const std::string mechanism = frame(5);

  std::string status = "400";
  std::string status_text;
  std::string user_id;
  auto key = request.size() >= 7 ? curve::to_z85(request[6].to_string_view()) : std::nullopt;
  if (version != "1.0" || mechanism != "CURVE" || !key) {
    ++counters_.refused_bad_zap_request;
    status_text = "only CURVE is served";
    kLog.warn("refused: reason=bad_request mechanism={} address={}", mechanism, address);
  } else if (domain == kEnrollDomain) {
    auto verdict = registry_.may_enroll(*key);
    status_text = registry::to_string(verdict);
    if (verdict == registry::AuthVerdict::admitted) {
      status = "200";
      user_id = *key;
    } else {
      count(counters_, verdict);
      log_refusal(status_text, "", *key, address);
    }
  } else {
    auto admission = registry_.admit(*key);
    count(counters_, admission.verdict);
    status_text = registry::to_string(admission.verdict);
    if (admission.verdict == registry::AuthVerdict::admitted) {
      status = "200";
      user_id = admission.station_id;
      kLog.debug("admitted: station={} key={} address={}", user_id, curve::fingerprint(*key), address);
    } else {
      log_refusal(status_text, admission.station_id, *key, address);
    }
  }

  // libzmq attaches the user id to every message of the connection ("User-Id").
  std::array<zmq::const_buffer, 6> reply{zmq::buffer(std::string_view("1.0")), zmq::buffer(request_id),
                                         zmq::buffer(status), zmq::buffer(status_text),
                                         zmq::buffer(user_id), zmq::const_buffer()};
  try {
    zmq::send_multipart(socket_, reply);
  } catch (const zmq::error_t& e) {
    kLog.error("reply failed: error={}", e.what());
  }
}

void ZapHandler::log_refusal(const std::string& reason, const std::string& station, const std::string& key,
                             const std::string& address) {
  std::uint64_t suppressed = 0;
  // Once per peer (address + key) per minute: a refused agent retries every few seconds
  // and must not fill the journal.
  if (log_limit_.allow(address + "/" + key + "/" + reason, std::chrono::steady_clock::now(), suppressed)) {
    kLog.warn("refused: reason={} station={} key={} address={} suppressed={}", reason,
              station.empty() ? "unknown" : station, curve::fingerprint(key), address, suppressed);
  }
}

}  // namespace loa::server
