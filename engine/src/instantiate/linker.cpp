// The linker: resolves a module's imports by (module, name), as the spec
// script's `register` command makes exports visible to later modules.
#include "runtime.hpp"

namespace warden {

// A map, not a list: define_instance of a module with many exports would
// otherwise cost the square of their number.
void Linker::define(std::string module, std::string name, Extern e) {
  defs_.insert_or_assign({std::move(module), std::move(name)}, e);  // a later definition wins
}

void Linker::define_instance(const std::string& module, const Instance& inst) {
  for (const auto& [name, e] : inst.exports()) define(module, name, e);
}

Result<std::vector<Extern>> Linker::resolve(const Module& m) const {
  std::vector<Extern> out;
  out.reserve(m.syntax().imports.size());
  for (const ast::Import& im : m.syntax().imports) {
    auto found = defs_.find({im.module, im.name});
    // Kind and type are instantiate's to check ("incompatible import type").
    if (found == defs_.end()) return Error{ErrorKind::Unlinkable, "unknown import"};
    out.push_back(found->second);
  }
  return out;
}

}  // namespace warden
