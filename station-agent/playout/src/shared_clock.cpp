// GStreamer's network clock lives in this file only.
#include "loa/playout/shared_clock.hpp"

#include <gst/gst.h>
#include <gst/net/gstnet.h>

#include <mutex>
#include <optional>

#include "loa/gst/gst_handles.hpp"
#include "loa/log/log.hpp"

namespace loa::playout {
namespace {

const log::Logger kLog("clock");

}  // namespace

struct SharedClock::Impl {
  gst::ClockPtr local = gst::realtime_clock();
  gst::ClockPtr network;     // null while following the local clock
  gst::BusPtr statistics;    // where the network clock posts one message per answer
  std::string source = "local";
  ClockWatch watch;
};

namespace {

// One "gst-netclock-statistics" message of GstNetClientClock, as ClockWatch takes it.
std::optional<ClockWatch::Exchange> exchange_of(GstMessage* message) {
  if (GST_MESSAGE_TYPE(message) != GST_MESSAGE_ELEMENT) return std::nullopt;
  const GstStructure* s = gst_message_get_structure(message);
  if (!s || !gst_structure_has_name(s, "gst-netclock-statistics")) return std::nullopt;
  guint64 rtt = 0, rtt_average = 0;
  gint64 min_error = 0, max_error = 0;  // the answer against the clock at the request, at the answer
  gdouble rate = 1.0;
  if (!gst_structure_get_uint64(s, "rtt", &rtt) || !gst_structure_get_uint64(s, "rtt-average", &rtt_average) ||
      !gst_structure_get_int64(s, "remote-min-error", &min_error) ||
      !gst_structure_get_int64(s, "remote-max-error", &max_error) || !gst_structure_get_double(s, "rate", &rate)) {
    return std::nullopt;
  }
  return ClockWatch::Exchange{(min_error + max_error) / 2, static_cast<std::int64_t>(rtt),
                              static_cast<std::int64_t>(rtt_average), rate};
}

}  // namespace

SharedClock::SharedClock() : impl_(std::make_unique<Impl>()) {}

SharedClock::~SharedClock() = default;

void SharedClock::follow(const std::string& host, std::uint16_t port, std::uint64_t controller_now_ns) {
  const auto where = host + ":" + std::to_string(port);
  if (impl_->source == where) return;
  // Until its first exchanges, the clock reads from where it starts: local real time,
  // unless that is more than a second from the controller's time as last heard (a
  // station whose own clock is off), when it starts there instead. (The controller's
  // stamp is in ms and a trip old: finer than a bad clock, coarser than a good one.)
  const auto local_now = gst_clock_get_time(impl_->local.get());
  const auto apart = controller_now_ns > local_now ? controller_now_ns - local_now : local_now - controller_now_ns;
  const auto start = controller_now_ns && apart > GST_SECOND ? controller_now_ns : local_now;
  GstClock* net = gst_net_client_clock_new("loa-shared-clock", host.c_str(), port, start);
  if (!net) {
    kLog.warn("cannot follow the controller clock: address={}", where);
    return;
  }
  gst_object_ref_sink(net);
  impl_->statistics.reset(gst_bus_new());
  g_object_set(net, "bus", impl_->statistics.get(), nullptr);
  impl_->watch.reset();
  // Pipelines hold their own reference to the clock they started with.
  impl_->network.reset(net);
  impl_->source = where;
  kLog.info("following controller clock: address={}", where);
}

void SharedClock::follow_local() {
  if (!impl_->network) return;
  impl_->network.reset();
  impl_->statistics.reset();
  impl_->source = "local";
}

ClockQuality SharedClock::quality() {
  if (!impl_->network) return ClockQuality{};
  const auto now = std::chrono::steady_clock::now();
  while (gst::MessagePtr m{gst_bus_pop(impl_->statistics.get())}) {
    if (auto e = exchange_of(m.get())) impl_->watch.observe(*e, now);
  }
  const auto offset = static_cast<std::int64_t>(gst_clock_get_time(impl_->network.get())) -
                      static_cast<std::int64_t>(gst_clock_get_time(impl_->local.get()));
  return impl_->watch.quality(gst_clock_is_synced(impl_->network.get()), offset, now);
}

std::uint64_t SharedClock::now_ns() const { return gst_clock_get_time(gst_clock()); }

bool SharedClock::synced() const { return !impl_->network || gst_clock_is_synced(impl_->network.get()); }

std::string SharedClock::source() const { return impl_->source; }

GstClock* SharedClock::gst_clock() const { return impl_->network ? impl_->network.get() : impl_->local.get(); }

}  // namespace loa::playout
