// One frame off the control link, as the agent takes it: decoded, its fields checked,
// and a command applied by the agent's real CommandApplier (state in memory, no
// hardware, no audio). Nothing a peer sends may crash it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "loa/agent/agent_state.hpp"
#include "loa/agent/command_applier.hpp"
#include "loa/log/log.hpp"
#include "loa/time/clock.hpp"
#include "loa/wire/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static bool quiet = (loa::log::set_level(loa::log::Level::error), true);
  (void)quiet;
  static loa::time::ManualClock clock;
  // Every applied command stays in the state: a fresh one now and then keeps memory flat.
  static std::unique_ptr<loa::agent::AgentState> state;
  static std::unique_ptr<loa::agent::CommandApplier> applier;
  static int runs = 0;
  if (runs++ % 20000 == 0) {
    applier.reset();
    state = std::make_unique<loa::agent::AgentState>(":memory:");
    applier = std::make_unique<loa::agent::CommandApplier>(*state, clock);
  }
  auto decoded = loa::wire::decode(std::string_view(reinterpret_cast<const char*>(data), size), 1 << 20);
  if (!decoded.ok()) return 0;
  const auto& envelope = decoded.envelope();
  (void)loa::wire::body_name(envelope);
  if (envelope.has_command()) {
    (void)loa::agent::CommandApplier::invalid_field(envelope.command());
    (void)applier->apply(envelope.command());
  }
  return 0;
}
