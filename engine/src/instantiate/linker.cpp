// The linker: resolves a module's imports by (module, name), as the spec
// script's `register` command makes exports visible to later modules.
#include "runtime.hpp"

namespace warden {

void Linker::define(std::string module, std::string name, Extern e) {
  for (auto& [key, ext] : defs_) {
    if (key.first == module && key.second == name) {  // a later definition wins
      ext = e;
      return;
    }
  }
  defs_.push_back({{std::move(module), std::move(name)}, e});
}

void Linker::define_instance(const std::string& module, const Instance& inst) {
  for (const auto& [name, e] : inst.exports()) define(module, name, e);
}

Result<std::vector<Extern>> Linker::resolve(const Module& m) const {
  std::vector<Extern> out;
  out.reserve(m.syntax().imports.size());
  for (const ast::Import& im : m.syntax().imports) {
    const Extern* found = nullptr;
    for (const auto& [key, e] : defs_) {
      if (key.first == im.module && key.second == im.name) {
        found = &e;
        break;
      }
    }
    // Kind and type are instantiate's to check ("incompatible import type").
    if (!found) return Error{ErrorKind::Unlinkable, "unknown import"};
    out.push_back(*found);
  }
  return out;
}

}  // namespace warden
