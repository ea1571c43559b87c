#include "loa/live/clock_server.hpp"

#include <gst/gst.h>
#include <gst/net/gstnet.h>

#include <stdexcept>

#include "loa/gst/gst_handles.hpp"
#include "loa/log/log.hpp"

namespace loa::live {
namespace {
const log::Logger kLog("clock");
}

struct ClockServer::Impl {
  gst::ClockPtr clock = gst::realtime_clock();
  std::unique_ptr<GstNetTimeProvider, gst::ObjectUnref> provider;  // released before the clock it serves
};

ClockServer::ClockServer(const std::string& address, std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->provider.reset(gst_net_time_provider_new(impl_->clock.get(), address.c_str(), port));
  if (!impl_->provider) {
    throw std::runtime_error("cannot serve the station clock on " + address + ":" + std::to_string(port));
  }
  kLog.info("serving station clock: address={} port={}", address, this->port());
}

ClockServer::~ClockServer() = default;

std::uint16_t ClockServer::port() const {
  gint port = 0;
  g_object_get(impl_->provider.get(), "port", &port, nullptr);
  return static_cast<std::uint16_t>(port);
}

std::uint64_t ClockServer::now_ns() const { return gst_clock_get_time(impl_->clock.get()); }

GstClock* ClockServer::gst_clock() const { return impl_->clock.get(); }

}  // namespace loa::live
