// Fuzz target "decode_validate": raw bytes -> Module::load under tight limits.
//
// Oracles:
//  1. only ok, Malformed, Invalid or Exhaustion come out, and load agrees
//     with decode: a decoder error is load's error, a decoded tree fails
//     (if at all) as Invalid or Exhaustion;
//  2. round trip: a decoded tree, re-encoded, decodes to the same tree, the
//     encoding is a fixpoint, and the re-encoded bytes load with the same
//     outcome (same error kind and message);
//  3. validating the tree directly (Module::from_ast) agrees with load.
#include <cstddef>
#include <cstdint>

#include "ast_compare.hpp"
#include "decode/decoder.hpp"
#include "decode/encoder.hpp"
#include "harness.hpp"

using namespace warden;

namespace {

Limits tight_limits() {
  Limits l;
  l.max_module_bytes = 1u << 20;
  l.max_functions = 10'000;
  l.max_locals = 1'000;
  l.max_nesting = 500;
  return l;
}

std::string outcome(const Result<std::shared_ptr<const Module>>& r) {
  return r ? std::string("ok") : fuzz::describe(r.error());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Limits limits = tight_limits();
  std::span<const uint8_t> bytes(data, size);
  Result<std::shared_ptr<const Module>> loaded = Module::load(bytes, limits);
  if (!loaded)
    fuzz::require_kind(loaded.error(), {ErrorKind::Malformed, ErrorKind::Invalid, ErrorKind::Exhaustion}, "load");

  Result<ast::Module> tree = decode(bytes, limits);
  if (!tree) {
    fuzz::require_kind(tree.error(), {ErrorKind::Malformed, ErrorKind::Exhaustion}, "decode");
    if (loaded || fuzz::describe(loaded.error()) != fuzz::describe(tree.error()))
      fuzz::fail("decode fails with \"" + fuzz::describe(tree.error()) + "\" but load gives \"" + outcome(loaded) + "\"");
    return 0;
  }
  if (!loaded && loaded.error().kind == ErrorKind::Malformed)
    fuzz::fail("decoded tree rejected as malformed: " + fuzz::describe(loaded.error()));

  std::vector<uint8_t> again = encode(*tree);
  Result<ast::Module> tree2 = decode(again, limits);
  if (!tree2) fuzz::fail("re-encoded module does not decode: " + fuzz::describe(tree2.error()));
  if (std::string d = fuzz::ast_difference(*tree, *tree2); !d.empty())
    fuzz::fail("re-encoded module decodes differently: " + d);
  if (encode(*tree2) != again) fuzz::fail("encoding is not a fixpoint");

  Result<std::shared_ptr<const Module>> reloaded = Module::load(again, limits);
  if (outcome(loaded) != outcome(reloaded))
    fuzz::fail("original loads as \"" + outcome(loaded) + "\", re-encoded as \"" + outcome(reloaded) + "\"");

  Result<std::shared_ptr<const Module>> direct = Module::from_ast(std::move(*tree), limits);
  if (outcome(loaded) != outcome(direct))
    fuzz::fail("load gives \"" + outcome(loaded) + "\", from_ast gives \"" + outcome(direct) + "\"");
  if (loaded) {
    if (std::string d = fuzz::ast_difference((*loaded)->syntax(), *tree2); !d.empty())
      fuzz::fail("Module::syntax() differs from the decoded tree: " + d);
  }
  return 0;
}
