#include "loa/agent/live_receiver.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "loa/link/socket_setup.hpp"
#include "loa/log/log.hpp"
#include "loa/wire/audio_topic.hpp"

namespace loa::agent {
namespace {
const log::Logger kLog("live");
}

LiveReceiver::LiveReceiver(Settings settings, FrameHandler on_frame, NowNs now_ns)
    : settings_(std::move(settings)),
      on_frame_(std::move(on_frame)),
      now_ns_(std::move(now_ns)),
      order_(settings_.reorder_margin_ns) {
  (void)link::copy_received_messages(context_);
  if (settings_.datagrams) {
    seal_ = curve::DatagramSeal::make(settings_.secret_key, settings_.controller_public_key);
    public_raw_ = curve::raw_key(settings_.public_key).value_or("");
  }
}

LiveReceiver::~LiveReceiver() {
  if (udp_ >= 0) ::close(udp_);
}

void LiveReceiver::connect(const std::string& host, std::uint16_t port) {
  // Always a fresh connection: called each time the control link comes back, which may
  // mean the path died silently (this socket has no heartbeat of its own).
  const auto endpoint = "tcp://" + host + ":" + std::to_string(port);
  socket_.reset();
  socket_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::sub);
  socket_->set(zmq::sockopt::linger, 0);
  socket_->set(zmq::sockopt::rcvhwm, settings_.receive_high_water_mark);
  socket_->set(zmq::sockopt::maxmsgsize, settings_.max_frame_bytes);
  socket_->set(zmq::sockopt::curve_serverkey, settings_.controller_public_key);
  socket_->set(zmq::sockopt::curve_publickey, settings_.public_key);
  socket_->set(zmq::sockopt::curve_secretkey, settings_.secret_key);
  socket_->set(zmq::sockopt::reconnect_ivl, 200);
  socket_->set(zmq::sockopt::reconnect_ivl_max, 5000);
  socket_->set(zmq::sockopt::tcp_keepalive, 1);
  socket_->set(zmq::sockopt::tcp_keepalive_idle, 60);
  socket_->set(zmq::sockopt::tcp_keepalive_intvl, 10);
  for (const auto& stream : subscribed_) socket_->set(zmq::sockopt::subscribe, wire::audio_topic(stream));
  socket_->connect(endpoint);
  endpoint_ = endpoint;
  kLog.info("audio socket: endpoint={}", endpoint);
  if (!seal_ || public_raw_.size() != 32) return;
  // The same socket while it works: its NAT mapping stays, and frames already on their
  // way to it still arrive. A new one when the controller moved, or when nothing came
  // back lately while a stream was wanted (the address or the path changed).
  const auto now = std::chrono::steady_clock::now();
  const bool quiet = !subscribed_.empty() && now - last_datagram_ > std::chrono::seconds(5);
  if (udp_ < 0 || host != udp_host_ || port != udp_port_ || quiet) {
    open_datagrams(host, port);
  } else {
    next_hello_ = {};
    say_hello();
  }
}

void LiveReceiver::open_datagrams(const std::string& host, std::uint16_t port) {
  if (udp_ >= 0) ::close(udp_);
  udp_ = -1;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found) {
    kLog.warn("audio datagrams: cannot resolve host={}", host);
    return;
  }
  udp_ = ::socket(found->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  // Connected: only the controller's datagrams are delivered to this socket.
  if (udp_ >= 0 && ::connect(udp_, found->ai_addr, found->ai_addrlen) != 0) {
    ::close(udp_);
    udp_ = -1;
  }
  ::freeaddrinfo(found);
  udp_host_ = host;
  udp_port_ = port;
  last_datagram_ = std::chrono::steady_clock::now();
  next_hello_ = {};
  say_hello();
}

void LiveReceiver::say_hello() {
  if (udp_ < 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_hello_) return;
  next_hello_ = now + settings_.hello_interval;
  // Stamped on the shared clock, which follows the controller's: never the same twice.
  last_hello_ms_ = std::max(static_cast<std::int64_t>(now_ns_() / 1'000'000), last_hello_ms_ + 1);
  std::string text = "t=" + std::to_string(last_hello_ms_) + "\n";
  for (const auto& s : subscribed_) text += s + "\n";
  const auto datagram = seal_->seal(curve::DatagramKind::hello, text, public_raw_);
  (void)::send(udp_, datagram.data(), datagram.size(), MSG_DONTWAIT);  // lost: the next one says it again
}

void LiveReceiver::subscribe_only(const std::vector<std::string>& streams) {
  std::set<std::string> wanted(streams.begin(), streams.end());
  if (wanted == subscribed_) return;
  if (socket_) {
    for (const auto& s : subscribed_) {
      if (!wanted.count(s)) socket_->set(zmq::sockopt::unsubscribe, wire::audio_topic(s));
    }
    for (const auto& s : wanted) {
      if (!subscribed_.count(s)) socket_->set(zmq::sockopt::subscribe, wire::audio_topic(s));
    }
  }
  subscribed_ = std::move(wanted);
  order_.keep_only(streams);
  next_hello_ = {};  // say the new list now
  say_hello();
}

void LiveReceiver::add_poll_items(std::vector<zmq::pollitem_t>& items) {
  // What was added is remembered: a reconnect between this and handle() (the control
  // link comes back in the same loop turn) makes sockets the poll never saw.
  polled_socket_ = socket_ ? socket_->handle() : nullptr;
  polled_udp_ = udp_;
  if (polled_socket_) items.push_back({polled_socket_, 0, ZMQ_POLLIN, 0});
  if (polled_udp_ >= 0) items.push_back({nullptr, polled_udp_, ZMQ_POLLIN, 0});
}

void LiveReceiver::handle(const zmq::pollitem_t* items) {
  std::size_t at = 0;
  const bool socket_ready = polled_socket_ && (items[at++].revents & ZMQ_POLLIN);
  const bool udp_ready = polled_udp_ >= 0 && (items[at].revents & ZMQ_POLLIN);
  polled_socket_ = nullptr;
  polled_udp_ = -1;
  // A socket replaced since the poll is read next turn.
  if (socket_ready && socket_ && socket_->handle() == items[0].socket) {
    for (int i = 0; i < 256; ++i) {
      zmq::message_t message;
      if (!socket_->recv(message, zmq::recv_flags::dontwait)) break;
      if (message.more()) {  // one part per message: anything else is not ours
        zmq::message_t extra;
        while (socket_->recv(extra, zmq::recv_flags::dontwait) && extra.more()) {
        }
        note_malformed();
        continue;
      }
      take_message(message.to_string_view());
    }
  }
  if (udp_ready && udp_ >= 0) read_datagrams();
  order_.release_due(now_ns_(), ready_);
  for (const auto& frame : ready_) on_frame_(frame);
  ready_.clear();
  say_hello();
}

void LiveReceiver::read_datagrams() {
  char buffer[4096];
  for (int i = 0; i < 256; ++i) {
    const auto n = ::recv(udp_, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0) return;
    ++datagrams_received_;
    last_datagram_ = std::chrono::steady_clock::now();
    const auto message = seal_->open(curve::DatagramKind::audio, std::string_view(buffer, static_cast<std::size_t>(n)));
    if (!message) {
      note_malformed();
      continue;
    }
    take_message(*message);
  }
}

void LiveReceiver::take_message(std::string_view message) {
  auto parts = wire::split_audio_message(message);
  loa::v1::AudioBatch batch;
  if (!parts || !batch.ParseFromArray(parts->batch.data(), static_cast<int>(parts->batch.size()))) {
    note_malformed();
    return;
  }
  for (const auto& frame : batch.frames()) {
    if (frame.stream_id() != parts->stream_id) {
      note_malformed();
      continue;
    }
    if (!subscribed_.count(frame.stream_id())) continue;  // a stream just left behind
    order_.add(frame, ready_);
  }
}

std::chrono::milliseconds LiveReceiver::next_due_in(std::chrono::milliseconds at_most) const {
  const auto next = order_.next_release_ns();
  if (!next) return at_most;
  const auto now = now_ns_();
  if (*next <= now) return std::chrono::milliseconds(0);
  return std::min(at_most, std::chrono::milliseconds((*next - now) / 1'000'000 + 1));
}

void LiveReceiver::note_malformed() {
  ++malformed_;
  if (malformed_ == 1 || malformed_ % 1000 == 0) kLog.warn("malformed audio messages: count={}", malformed_);
}

}  // namespace loa::agent
