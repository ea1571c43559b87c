#include "loa/agent/live_receiver.hpp"

#include <algorithm>

#include "loa/log/log.hpp"
#include "loa/wire/audio_topic.hpp"

namespace loa::agent {
namespace {
const log::Logger kLog("live");
}

LiveReceiver::LiveReceiver(Settings settings, FrameHandler on_frame)
    : settings_(std::move(settings)), on_frame_(std::move(on_frame)) {}

LiveReceiver::~LiveReceiver() = default;

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
}

void LiveReceiver::add_poll_items(std::vector<zmq::pollitem_t>& items) {
  if (socket_) items.push_back({socket_->handle(), 0, ZMQ_POLLIN, 0});
}

void LiveReceiver::handle(const zmq::pollitem_t& item) {
  if (!(item.revents & ZMQ_POLLIN) || !socket_) return;
  for (int i = 0; i < 256; ++i) {
    zmq::message_t message;
    if (!socket_->recv(message, zmq::recv_flags::dontwait)) return;
    if (message.more()) {  // one part per message: anything else is not ours
      zmq::message_t extra;
      while (socket_->recv(extra, zmq::recv_flags::dontwait) && extra.more()) {
      }
      note_malformed();
      continue;
    }
    auto parts = wire::split_audio_message(message.to_string_view());
    loa::v1::AudioBatch batch;
    if (!parts || !batch.ParseFromArray(parts->batch.data(), static_cast<int>(parts->batch.size()))) {
      note_malformed();
      continue;
    }
    for (const auto& frame : batch.frames()) {
      if (frame.stream_id() != parts->stream_id) {
        note_malformed();
        continue;
      }
      on_frame_(frame);
    }
  }
}

void LiveReceiver::note_malformed() {
  ++malformed_;
  if (malformed_ == 1 || malformed_ % 1000 == 0) kLog.warn("malformed audio messages: count={}", malformed_);
}

}  // namespace loa::agent
