#include "audio_datagrams.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "loa/log/log.hpp"
#include "loa/wire/audio_topic.hpp"

namespace loa::server {
namespace {

const log::Logger kLog("audio");

// A hello: "t=<ms since the epoch on the station's shared clock>" and one stream id per
// line after it.
struct Hello {
  std::int64_t stamp_ms = 0;
  std::set<std::string> streams;
};

std::optional<Hello> parse_hello(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line.rfind("t=", 0) != 0) return std::nullopt;
  Hello h;
  try {
    h.stamp_ms = std::stoll(line.substr(2));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  while (std::getline(in, line)) {
    if (!line.empty() && line.size() <= 64 && line.find('/') == std::string::npos) h.streams.insert(line);
    if (h.streams.size() > 16) return std::nullopt;  // a station plays one stream, and waits for a few
  }
  return h;
}

}  // namespace

std::unique_ptr<AudioDatagrams> AudioDatagrams::beside(const std::string& tcp_endpoint,
                                                       const AudioDatagramSettings& settings,
                                                       const std::string& secret_key_z85,
                                                       const registry::StationRegistry& registry,
                                                       const time::IClock& clock, LinkCounters& counters) {
  Settings s;
  static_cast<AudioDatagramSettings&>(s) = settings;
  const auto colon = tcp_endpoint.rfind(':');
  s.bind_host = tcp_endpoint.substr(6, colon - 6);  // "tcp://HOST:PORT"
  if (s.bind_host.size() > 2 && s.bind_host.front() == '[') s.bind_host = s.bind_host.substr(1, s.bind_host.size() - 2);
  s.port = static_cast<std::uint16_t>(std::stoul(tcp_endpoint.substr(colon + 1)));
  s.secret_key_z85 = secret_key_z85;
  auto admit = [&registry](const std::string& key) -> std::optional<std::string> {
    auto a = registry.admit(key);
    if (a.verdict != registry::AuthVerdict::admitted) return std::nullopt;
    return a.station_id;
  };
  auto datagrams = std::make_unique<AudioDatagrams>(s, admit, [&clock] { return clock.wall_ms(); }, counters);
  try {
    datagrams->bind();
  } catch (const std::runtime_error& e) {
    kLog.warn("live audio over tcp only: error={}", e.what());
    return nullptr;
  }
  return datagrams;
}

AudioDatagrams::AudioDatagrams(Settings settings, Admit admit, NowMs now_ms, LinkCounters& counters)
    : settings_(std::move(settings)), admit_(std::move(admit)), now_ms_(std::move(now_ms)), counters_(counters) {}

AudioDatagrams::~AudioDatagrams() {
  stop();
  for (int fd : {fd_, wake_}) {
    if (fd >= 0) ::close(fd);
  }
}

void AudioDatagrams::bind() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  const std::string host = settings_.bind_host == "*" ? "" : settings_.bind_host;
  addrinfo* found = nullptr;
  const auto port = std::to_string(settings_.port);
  if (::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found) != 0 || !found) {
    throw std::runtime_error("audio datagrams: cannot resolve " + settings_.bind_host);
  }
  fd_ = ::socket(found->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const bool bound = fd_ >= 0 && ::bind(fd_, found->ai_addr, found->ai_addrlen) == 0;
  ::freeaddrinfo(found);
  if (!bound) {
    throw std::runtime_error("audio datagrams: cannot bind udp " + settings_.bind_host + ":" + port + ": " +
                             std::strerror(errno));
  }
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &length);
  port_ = ntohs(local.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&local)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&local)->sin_port);
  // Small, as the TCP side's: a frame that waits here long is too old to play anyway.
  const int buffer = 256 * 1024;
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  kLog.info("audio datagrams: udp={}:{}", settings_.bind_host, port_);
}

void AudioDatagrams::start() {
  if (fd_ >= 0 && !thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void AudioDatagrams::stop() {
  stopping_ = true;
  if (wake_ >= 0) {
    const std::uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
}

void AudioDatagrams::run() {
  while (!stopping_) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_, POLLIN, 0}};
    if (::poll(fds, 2, 1000) < 0 && errno != EINTR) return;
    if (fds[0].revents & POLLIN) receive();
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    std::erase_if(stations_, [&](const auto& s) { return now - s.second.heard > settings_.forget_after; });
  }
}

void AudioDatagrams::receive() {
  char buffer[2048];
  for (int i = 0; i < 256; ++i) {  // bounded: the loop also expires stations
    sockaddr_storage from{};
    socklen_t from_length = sizeof from;
    const auto n = ::recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &from_length);
    if (n < 0) return;
    on_hello(std::string_view(buffer, static_cast<std::size_t>(n)), from, from_length);
  }
}

void AudioDatagrams::on_hello(std::string_view datagram, const sockaddr_storage& from, socklen_t from_length) {
  const auto refuse = [&](const char* why) {
    const auto n = ++counters_.audio_hellos_refused;
    if (n == 1 || n % 1000 == 0) kLog.warn("audio hello refused: reason={} count={}", why, n);
  };
  const auto key_raw = curve::sender_key_of(curve::DatagramKind::hello, datagram);
  if (!key_raw) return refuse("not a hello");
  const auto key_z85 = curve::to_z85(*key_raw);
  const auto station = key_z85 ? admit_(*key_z85) : std::nullopt;
  if (!station) return refuse("key not admitted");
  std::lock_guard lock(mutex_);
  auto& s = stations_[*station];
  if (!s.seal || s.public_raw != *key_raw) {
    s.seal = curve::DatagramSeal::make(settings_.secret_key_z85, *key_z85);
    s.public_raw = *key_raw;
    s.last_stamp_ms = 0;
  }
  const auto text = s.seal ? s.seal->open(curve::DatagramKind::hello, datagram, true) : std::nullopt;
  const auto hello = text ? parse_hello(*text) : std::nullopt;
  if (!hello) {
    if (s.address_length == 0) stations_.erase(*station);
    return refuse("does not open");
  }
  if (hello->stamp_ms <= s.last_stamp_ms ||
      std::abs(hello->stamp_ms - now_ms_()) > settings_.hello_clock_tolerance.count()) {
    if (s.address_length == 0) stations_.erase(*station);
    return refuse("stale");
  }
  if (s.address_length != from_length || std::memcmp(&s.address, &from, from_length) != 0) {
    kLog.info("audio datagrams: station={} address changed", *station);
  }
  s.address = from;
  s.address_length = from_length;
  s.streams = hello->streams;
  s.last_stamp_ms = hello->stamp_ms;
  s.heard = std::chrono::steady_clock::now();
  ++counters_.audio_hellos;
}

void AudioDatagrams::publish(std::string_view message) {
  if (fd_ < 0) return;
  const auto parts = wire::split_audio_message(message);
  loa::v1::AudioBatch batch;
  if (!parts || !batch.ParseFromArray(parts->batch.data(), static_cast<int>(parts->batch.size()))) return;
  const std::string stream(parts->stream_id);
  std::lock_guard lock(mutex_);
  auto& recent = recent_[stream];
  const auto keep = static_cast<std::size_t>((settings_.redundancy - 1) * settings_.frames_per_datagram);
  bool ended = false;
  for (int at = 0; at < batch.frames_size(); at += settings_.frames_per_datagram) {
    // The frames sent lately, then the new ones: oldest first, as the station plays them.
    loa::v1::AudioBatch out;
    for (const auto& f : recent) *out.add_frames() = f;
    for (int i = at; i < std::min(at + settings_.frames_per_datagram, batch.frames_size()); ++i) {
      *out.add_frames() = batch.frames(i);
      recent.push_back(batch.frames(i));
      ended = ended || batch.frames(i).end_of_stream();
    }
    while (recent.size() > keep) recent.pop_front();
    send_to_subscribers(stream, wire::audio_message(stream, out.SerializeAsString()));
  }
  if (ended) recent_.erase(stream);
}

void AudioDatagrams::send_to_subscribers(const std::string& stream_id, const std::string& payload) {
  for (const auto& [id, s] : stations_) {
    if (!s.seal || !s.streams.count(stream_id)) continue;
    const auto datagram = s.seal->seal(curve::DatagramKind::audio, payload);
    if (::sendto(fd_, datagram.data(), datagram.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&s.address),
                 s.address_length) < 0) {
      ++counters_.audio_datagram_send_failures;
    } else {
      ++counters_.audio_datagrams_sent;
    }
  }
}

void AudioDatagrams::forget(const std::string& station) {
  std::lock_guard lock(mutex_);
  stations_.erase(station);
}

std::size_t AudioDatagrams::stations() const {
  std::lock_guard lock(mutex_);
  return stations_.size();
}

}  // namespace loa::server
