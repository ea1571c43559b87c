#include "loa/live/clock_server.hpp"

#include <gst/gst.h>
#include <gst/net/gstnet.h>

#include <mutex>
#include <stdexcept>

#include "loa/log/log.hpp"

namespace loa::live {
namespace {
const log::Logger kLog("clock");
}

struct ClockServer::Impl {
  GstClock* clock = nullptr;
  GstNetTimeProvider* provider = nullptr;
  ~Impl() {
    if (provider) gst_object_unref(provider);
    if (clock) gst_object_unref(clock);
  }
};

ClockServer::ClockServer(const std::string& address, std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  static std::once_flag once;
  std::call_once(once, [] { gst_init(nullptr, nullptr); });
  // A clock object of our own: the process-wide system clock stays monotonic for the
  // other pipelines; this one reads real time, so its readings mean the same everywhere.
  impl_->clock = GST_CLOCK(g_object_new(GST_TYPE_SYSTEM_CLOCK, "clock-type", GST_CLOCK_TYPE_REALTIME, nullptr));
  gst_object_ref_sink(impl_->clock);
  impl_->provider = gst_net_time_provider_new(impl_->clock, address.c_str(), port);
  if (!impl_->provider) {
    throw std::runtime_error("cannot serve the station clock on " + address + ":" + std::to_string(port));
  }
  kLog.info("serving station clock: address={} port={}", address, this->port());
}

ClockServer::~ClockServer() = default;

std::uint16_t ClockServer::port() const {
  gint port = 0;
  g_object_get(impl_->provider, "port", &port, nullptr);
  return static_cast<std::uint16_t>(port);
}

std::uint64_t ClockServer::now_ns() const { return gst_clock_get_time(impl_->clock); }

GstClock* ClockServer::gst_clock() const { return impl_->clock; }

}  // namespace loa::live
