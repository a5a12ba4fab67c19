// The binary-format oracles shared by decode_validate and binary_mutate.
#include "oracles.hpp"

#include <algorithm>

#include "harness.hpp"
#include "warden/binary.hpp"
#include "warden/syntax.hpp"

namespace warden::fuzz {

Limits tight_limits() {
  Limits l;
  l.max_module_bytes = 1u << 20;
  l.max_functions = 10'000;
  l.max_locals = 1'000;
  l.max_nesting = 500;
  return l;
}

namespace {

// "ok", or the error's kind and message; with `at`, its offset too.
template <class T>
std::string outcome(const Result<T>& r, bool at = false) {
  if (r) return "ok";
  std::string s = describe(r.error());
  if (at) s += " @" + std::to_string(r.error().offset);
  return s;
}

}  // namespace

std::shared_ptr<const Module> check_binary(std::span<const uint8_t> bytes, bool other_loads) {
  const Limits limits = tight_limits();
  Result<std::shared_ptr<const Module>> loaded = Module::load(bytes, limits);
  if (!loaded) require_kind(loaded.error(), {ErrorKind::Malformed, ErrorKind::Invalid, ErrorKind::Exhaustion}, "load");
  if (other_loads) {  // the same outcome, offset included
    // One, two or three workers by the input's bytes: one validates in
    // the decoder's pass; more have their bodies skipped by the decoder,
    // dealt out in runs and merged. They all run on this thread for a
    // module under 256 KiB of code (validate/deferred.cpp), so no thread is
    // started per input.
    Limits other = limits;
    uint32_t sum = 0;
    for (uint8_t b : bytes) sum += b;
    other.load_threads = 1 + sum % 3;
    const std::string l = outcome(loaded, true), v = outcome(Module::validate(bytes, other), true);
    if (l != v)
      fail("load gives \"" + l + "\", validate on " + std::to_string(other.load_threads) + " load thread(s) gives \"" +
           v + "\"");
  }

  Result<ast::Module> tree = decode(bytes, limits);
  if (!tree) {
    require_kind(tree.error(), {ErrorKind::Malformed, ErrorKind::Exhaustion}, "decode");
    if (loaded || describe(loaded.error()) != describe(tree.error()))
      fail("decode fails with \"" + describe(tree.error()) + "\" but load gives \"" + outcome(loaded) + "\"");
    return nullptr;
  }
  if (!loaded && loaded.error().kind == ErrorKind::Malformed)
    fail("decoded tree rejected as malformed: " + describe(loaded.error()));

  if (loaded) {  // syntax_of() keeps no function bodies and no custom sections: set them aside
    std::vector<std::pair<ast::Expr, std::vector<uint32_t>>> bodies(tree->funcs.size());
    decltype(tree->customs) customs;
    for (size_t i = 0; i < bodies.size(); ++i) {
      std::swap(bodies[i].first, tree->funcs[i].body);
      std::swap(bodies[i].second, tree->funcs[i].br_targets);
    }
    std::swap(customs, tree->customs);
    const std::string d = ast_diff(syntax_of(**loaded), *tree);
    for (size_t i = 0; i < bodies.size(); ++i) {
      std::swap(bodies[i].first, tree->funcs[i].body);
      std::swap(bodies[i].second, tree->funcs[i].br_targets);
    }
    std::swap(customs, tree->customs);
    if (!d.empty()) fail("syntax_of() differs from the decoded tree: " + d);
  }

  // Canonical input (the encoder gives back the very bytes): decoding and
  // loading them again would repeat the two calls above on the same bytes,
  // so the round trip holds and only non-canonical input is run through it.
  std::vector<uint8_t> again = encode(*tree);
  if (!std::equal(again.begin(), again.end(), bytes.begin(), bytes.end())) {
    Result<ast::Module> tree2 = decode(again, limits);
    if (!tree2) fail("re-encoded module does not decode: " + describe(tree2.error()));
    if (std::string d = ast_diff(*tree, *tree2); !d.empty()) fail("re-encoded module decodes differently: " + d);
    if (encode(*tree2) != again) fail("encoding is not a fixpoint");

    Result<std::shared_ptr<const Module>> reloaded = Module::load(again, limits);
    if (outcome(loaded) != outcome(reloaded))
      fail("original loads as \"" + outcome(loaded) + "\", re-encoded as \"" + outcome(reloaded) + "\"");
  }

  Result<std::shared_ptr<const Module>> direct = load_syntax(std::move(*tree), limits);
  if (outcome(loaded) != outcome(direct))
    fail("load gives \"" + outcome(loaded) + "\", load_syntax gives \"" + outcome(direct) + "\"");
  return loaded ? *loaded : nullptr;
}

}  // namespace warden::fuzz
