// `--engine NAME=COMMAND` (docs/engine-protocol.md), shared by diff, repro
// and audit: each spec becomes a protocol engine of the campaign and joins
// its engines.
#pragma once
#include <string>
#include <vector>

#include "campaign.hpp"

namespace warden::cli {

/// Adds every "NAME=COMMAND" of `specs` to `c.protocol` and its name to
/// `c.engines` (once). On a bad spec or a name given twice, prints
/// "warden WHO: --engine: why" to stderr and returns false.
bool add_protocol_engines(const std::vector<std::string>& specs, diff::CampaignOptions& c, const char* who);

}  // namespace warden::cli
