// One frame off the control link, as the agent takes it: decoded, its fields checked,
// and a command applied by the agent's real CommandApplier (state in memory, no
// hardware, no audio; pushed configurations kept under a scratch folder, so a hostile
// file name has a real disk to try to escape onto). Nothing a peer sends may crash it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "loa/agent/agent_state.hpp"
#include "loa/agent/command_applier.hpp"
#include "loa/agent/config_keeper.hpp"
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
  static const std::string scratch = [] {
    std::string dir = "/tmp/loa-fuzz-envelope-XXXXXX";
    if (!::mkdtemp(dir.data())) std::abort();  // no scratch folder: nothing to fuzz against
    return dir;
  }();
  // Gone when the fuzzer exits.
  static const struct Cleanup {
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(scratch, ec);
    }
  } cleanup;
  static loa::agent::ConfigKeeper configs(scratch, "");
  static int runs = 0;
  if (runs++ % 20000 == 0) {
    applier.reset();
    state = std::make_unique<loa::agent::AgentState>(":memory:");
    applier = std::make_unique<loa::agent::CommandApplier>(*state, clock);
    applier->set_config_keeper(&configs);
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
