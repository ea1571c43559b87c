#include "loa/orders/station_orders.hpp"

#include "loa/server/command_dispatcher.hpp"

namespace loa::orders {

loa::v1::Command play(const PlayOrder& order) {
  loa::v1::Command c;
  if (order.with_id) c.set_id(server::new_command_id());
  if (order.expires_at_ms != 0) c.set_expires_at_ms(order.expires_at_ms);
  auto* p = c.mutable_play();
  if (order.sound.stream_id.empty()) {
    p->set_clip_sha256(order.sound.clip_sha256);
  } else {
    p->set_stream_id(order.sound.stream_id);
  }
  p->set_start_at_ms(order.start_at_ms);
  p->set_priority(to_wire(order.priority));
  p->set_volume(order.volume);
  p->set_broadcast_id(order.broadcast_id);
  p->set_on_preempt(to_wire(order.on_preempt));
  p->set_at_break(order.at_break);
  return c;
}

loa::v1::Command cache(const std::string& clip_sha256, std::int64_t bytes, bool pin) {
  loa::v1::Command c;
  auto* cache = c.mutable_cache_clip();
  cache->set_clip_sha256(clip_sha256);
  cache->set_total_bytes(static_cast<std::uint64_t>(bytes));
  cache->set_pin(pin);
  return c;
}

loa::v1::Command stop(const std::string& broadcast_id) {
  loa::v1::Command c;
  c.mutable_stop()->set_broadcast_id(broadcast_id);
  return c;
}

loa::v1::Command set_volume(const std::string& broadcast_id, double volume) {
  loa::v1::Command c;
  c.mutable_set_volume()->set_broadcast_id(broadcast_id);
  c.mutable_set_volume()->set_volume(volume);
  return c;
}

}  // namespace loa::orders
