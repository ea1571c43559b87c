// GStreamer's network clock lives in this file only.
#include "loa/playout/shared_clock.hpp"

#include <gst/gst.h>
#include <gst/net/gstnet.h>

#include <mutex>

#include "loa/gst/gst_handles.hpp"
#include "loa/log/log.hpp"

namespace loa::playout {
namespace {

const log::Logger kLog("clock");

}  // namespace

struct SharedClock::Impl {
  gst::ClockPtr local = gst::realtime_clock();
  gst::ClockPtr network;     // null while following the local clock
  std::string source = "local";
};

SharedClock::SharedClock() : impl_(std::make_unique<Impl>()) {}

SharedClock::~SharedClock() = default;

void SharedClock::follow(const std::string& host, std::uint16_t port) {
  const auto where = host + ":" + std::to_string(port);
  if (impl_->source == where) return;
  // Starts at local real time, so it is near the controller's clock from its first
  // reading and converges within a few exchanges.
  GstClock* net = gst_net_client_clock_new("loa-shared-clock", host.c_str(), port, gst_clock_get_time(impl_->local.get()));
  if (!net) {
    kLog.warn("cannot follow the controller clock: address={}", where);
    return;
  }
  gst_object_ref_sink(net);
  // Pipelines hold their own reference to the clock they started with.
  impl_->network.reset(net);
  impl_->source = where;
  kLog.info("following controller clock: address={}", where);
}

void SharedClock::follow_local() {
  if (!impl_->network) return;
  impl_->network.reset();
  impl_->source = "local";
}

std::uint64_t SharedClock::now_ns() const { return gst_clock_get_time(gst_clock()); }

bool SharedClock::synced() const { return !impl_->network || gst_clock_is_synced(impl_->network.get()); }

std::string SharedClock::source() const { return impl_->source; }

GstClock* SharedClock::gst_clock() const { return impl_->network ? impl_->network.get() : impl_->local.get(); }

}  // namespace loa::playout
