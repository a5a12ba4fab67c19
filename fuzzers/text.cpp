// Fuzz target "text": raw text -> text::parse_module (and parse_script).
//
// Oracles for every module that parses:
//  1. parse errors are Malformed (or Exhaustion for nesting);
//  2. the tree encodes, decodes back to the same tree, and wat_to_wasm
//     gives exactly those bytes;
//  3. validating the tree (load_syntax) and loading its encoding agree;
//  4. printing (wasm_to_wat) and re-parsing gives the same tree again.
// Scripts: every text and quote module they hold goes through the same
// (a module identical to the one parse_module gave is not checked twice).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harness.hpp"
#include "warden/binary.hpp"
#include "warden/script.hpp"
#include "warden/syntax.hpp"
#include "warden/text.hpp"

using namespace warden;

namespace {

std::string outcome(const Result<std::shared_ptr<const Module>>& r) {
  return r ? std::string("ok") : fuzz::describe(r.error());
}

void check_module(const ast::Module& tree, std::string_view source) {
  std::vector<uint8_t> bytes = encode(tree);
  Result<ast::Module> decoded = decode(bytes, Limits{});
  if (!decoded) fuzz::fail("parsed module's encoding does not decode: " + fuzz::describe(decoded.error()));
  if (std::string d = ast_diff(tree, *decoded); !d.empty())
    fuzz::fail("parsed module changes through encode/decode: " + d);
  if (!source.empty()) {
    Result<std::vector<uint8_t>> direct = wat_to_wasm(source);
    if (!direct) fuzz::fail("parse_module accepts what wat_to_wasm rejects: " + fuzz::describe(direct.error()));
    if (*direct != bytes) fuzz::fail("wat_to_wasm differs from encode(parse_module)");
  }

  Result<std::shared_ptr<const Module>> validated = load_syntax(tree);
  Result<std::shared_ptr<const Module>> loaded = Module::load(bytes);
  if (outcome(validated) != outcome(loaded))
    fuzz::fail("load_syntax gives \"" + outcome(validated) + "\", load gives \"" + outcome(loaded) + "\"");
  if (!validated) fuzz::require_kind(validated.error(), {ErrorKind::Invalid, ErrorKind::Exhaustion}, "load_syntax");

  Result<std::string> printed = wasm_to_wat(bytes);
  if (!printed) fuzz::fail("printer rejects an encodable module: " + fuzz::describe(printed.error()));
  Result<ast::Module> reparsed = text::parse_module(*printed);
  if (!reparsed) fuzz::fail("printed module does not parse: " + fuzz::describe(reparsed.error()) + "\n" + *printed);
  if (std::string d = ast_diff(tree, *reparsed); !d.empty())
    fuzz::fail("printed module re-parses differently: " + d + "\n" + *printed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;  // the parser is linear; big inputs only slow the search
  std::string_view source(reinterpret_cast<const char*>(data), size);

  Result<ast::Module> m = text::parse_module(source);
  if (m)
    check_module(*m, source);
  else
    fuzz::require_kind(m.error(), {ErrorKind::Malformed, ErrorKind::Exhaustion}, "parse_module");

  Result<text::Script> script = text::parse_script(source);
  if (!script) {
    fuzz::require_kind(script.error(), {ErrorKind::Malformed, ErrorKind::Exhaustion}, "parse_script");
    return 0;
  }
  for (const text::Command& c : script->commands) {
    if (!c.module) continue;
    const text::ScriptModule& sm = *c.module;
    if (sm.form == text::ScriptModule::Form::Text) {
      // A lone module parses as a script of that one module: the tree
      // checked above (with its source) needs no second check.
      if (!m || !ast_diff(sm.module, *m).empty()) check_module(sm.module, {});
    } else if (sm.form == text::ScriptModule::Form::Quote) {
      Result<ast::Module> q = text::parse_module(sm.quote);
      if (q)
        check_module(*q, sm.quote);
      else
        fuzz::require_kind(q.error(), {ErrorKind::Malformed, ErrorKind::Exhaustion}, "quote module");
    }
  }
  return 0;
}
