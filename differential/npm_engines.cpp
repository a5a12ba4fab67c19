// The npm peers, Binaryen and wabt compiled to JavaScript (node_modules/
// binaryen and node_modules/wabt, installed by scripts/setup): protocol
// engines (docs/engine-protocol.md) whose commands are `node
// differential/binaryen_npm_harness.js` and `node
// differential/wabt_npm_harness.js`. They exist only where the harness and
// the package are there; available() says which is missing.
#include <filesystem>

#include "protocol_engine.hpp"

namespace warden::diff {

std::unique_ptr<Engine> make_npm_engine(const EngineSetup& setup, const std::string& name, const std::string& package) {
  std::filesystem::path repo(setup.repo_dir);
  std::string harness = (repo / "differential" / (package + "_npm_harness.js")).string();
  ProtocolConfig c = node_harness_config(setup, name, harness);
  std::string modules = (repo / "node_modules" / package).string();
  c.needs.push_back({modules, modules + " not found (npm package " + package + " not installed: bash scripts/setup)"});
  return make_protocol_engine(std::move(c));
}

}  // namespace warden::diff
