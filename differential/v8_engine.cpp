// V8 (node 20): a protocol engine (docs/engine-protocol.md) whose command is
// `node differential/v8_harness.js`, the protocol's reference
// implementation. One long-lived node process; modules go over a pipe as
// lines of JSON with base64 bytes (about 2.4 ms a module, against about
// 97 ms for a node process per module). V8's messages are read in the
// harness, which names trap kinds and implementation limits itself.
#include "protocol_engine.hpp"

namespace warden::diff {

std::unique_ptr<Engine> make_v8_engine(const EngineSetup& setup) {
  return make_protocol_engine(node_harness_config(setup, "v8", setup.harness));
}

}  // namespace warden::diff
