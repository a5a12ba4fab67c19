// Catalogued peer bugs (differential/peer-bugs.md): one named rule per bug,
// each matching exactly the disagreements that bug causes, so campaigns stay
// quiet about known bugs without hiding new ones. A rule looks at the
// finding, the engines' own words and the module itself; it never matches
// on the signature alone.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "compare.hpp"
#include "warden/syntax.hpp"

namespace warden::diff {

/// Second opinions a rule may ask for, by name: "wabt" (wasm-validate's
/// verdict, on a validation finding that involves wabt),
/// "<engine>-without-customs" (the engine's verdict on the module with its
/// custom sections removed) and "<engine>-without-customs-explained". Each
/// is asked of the engines the first time a rule wants it, and kept; a
/// finding no rule asks about costs the engines nothing more.
class Confirmations {
 public:
  /// `ask` gives the opinion of that name, or nothing when there is none.
  using Ask = std::function<std::optional<LoadResult>(const std::string& name)>;
  explicit Confirmations(Ask ask) : ask_(std::move(ask)) {}
  const LoadResult* get(const std::string& name) const;

 private:
  Ask ask_;
  mutable std::map<std::string, std::optional<LoadResult>> known_;
};

struct RuleContext {
  const Finding& finding;
  /// The module as the engines saw it (the probe, for runs) and its syntax
  /// tree when Warden decodes it.
  std::span<const uint8_t> bytes;
  const ast::Module* module = nullptr;
  std::span<const EngineLoad> loads;  ///< validation comparisons
  std::span<const EngineRun> runs;    ///< run comparisons
  /// Second opinions the campaign can give, or null when it has none.
  const Confirmations* confirmations = nullptr;
};

/// A rule whose name starts with "feature:" describes a feature an engine
/// has on (or off) by default rather than a bug: what it explains is an
/// ignored run, counted under its name, not a bucket.
struct PeerRule {
  std::string_view name;     ///< e.g. "binaryen-108-data-segment-bounds"
  std::string_view engines;  ///< affected engines and versions
  /// The campaign's engines it is asked about, separated by spaces: those
  /// whose version has the bug ("binaryen binaryen-npm" when Binaryen 108
  /// and 132 both have it; peer-bugs.md's Newest lines say which).
  std::string_view on;
  std::string_view summary;  ///< one line; peer-bugs.md has the whole entry
  bool (*match)(const RuleContext&);
};

std::span<const PeerRule> peer_rules();

/// The rules that explain this finding: for each engine on the other side of
/// the reference, the first rule on that engine (PeerRule::on) that
/// explains that engine's part (rules see a copy of the finding narrowed to
/// that engine). Their names joined by "+", or "" unless every such engine
/// is explained.
std::string explain(const RuleContext& c);

}  // namespace warden::diff
