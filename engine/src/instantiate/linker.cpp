// The linker: resolves a module's imports by (module, name), as the spec
// script's `register` command makes exports visible to later modules, and
// links host modules under the operator's grants.
#include "runtime/runtime.hpp"
#include "warden/host.hpp"
#include "warden/syntax.hpp"

namespace warden {

// A map, not a list: define_instance of a module with many exports would
// otherwise cost the square of their number.
void Linker::define(std::string module, std::string name, Extern e) {
  denied_.erase({module, name});
  defs_.insert_or_assign({std::move(module), std::move(name)}, e);  // a later definition wins
}

void Linker::define_instance(const std::string& module, const Instance& inst) {
  for (const auto& [name, e] : inst.exports()) define(module, name, e);
}

void Linker::define_host(Store& store, const HostModule& host, const Grants& granted) {
  for (const HostFuncDef& f : host.funcs) {
    if (!granted.has(f.needs)) {
      // Not even created: a denied function cannot be reached from the store.
      defs_.erase({host.name, f.name});
      denied_.insert_or_assign({host.name, f.name}, std::string(to_string(f.needs)));
      continue;
    }
    define(host.name, f.name, Extern::of(store.create_host_func(f.type, f.fn)));
  }
}

Result<std::vector<Extern>> Linker::resolve(const Module& m) const {
  const ast::Module& syn = syntax_of(m);
  std::vector<Extern> out;
  out.reserve(syn.imports.size());
  for (const ast::Import& im : syn.imports) {
    auto found = defs_.find({im.module, im.name});
    // Kind and type are instantiate's to check ("incompatible import type").
    if (found != defs_.end()) {
      out.push_back(found->second);
      continue;
    }
    const std::string what = im.module + "." + im.name;
    if (auto d = denied_.find({im.module, im.name}); d != denied_.end())
      return Error{ErrorKind::Unlinkable, what + " needs capability " + d->second + " (not granted)"};
    return Error{ErrorKind::Unlinkable, "unknown import " + what};
  }
  return out;
}

}  // namespace warden
