#include "engine_args.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace warden::cli {

bool add_protocol_engines(const std::vector<std::string>& specs, diff::CampaignOptions& c, const char* who) {
  for (const std::string& arg : specs) {
    std::string error;
    std::optional<diff::ProtocolSpec> spec = diff::parse_engine_spec(arg, error);
    if (!spec) {
      std::fprintf(stderr, "warden %s: --engine: %s\n", who, error.c_str());
      return false;
    }
    for (const diff::ProtocolSpec& earlier : c.protocol) {
      if (earlier.name != spec->name) continue;
      std::fprintf(stderr, "warden %s: --engine: the name '%s' is given twice\n", who, spec->name.c_str());
      return false;
    }
    c.protocol.push_back(*spec);
    if (std::find(c.engines.begin(), c.engines.end(), spec->name) == c.engines.end()) c.engines.push_back(spec->name);
  }
  return true;
}

}  // namespace warden::cli
