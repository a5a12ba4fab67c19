// Module: decode (spec 5) -> validate and compile (spec 3) -> an immutable,
// shareable Module.
#include "execute/interpreter.hpp"
#include "runtime/runtime.hpp"
#include "validate/validator.hpp"

namespace warden {

Module::Module(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Module::~Module() = default;

namespace {

// The function index space: imports first (spec 2.5.1).
std::shared_ptr<const Module> make_module(ast::Module tree, code::CompiledCode code) {
  auto impl = std::make_unique<Module::Impl>();
  impl->code = std::move(code);
  impl->func_types.reserve(tree.imports.size() + tree.funcs.size());
  for (const ast::Import& im : tree.imports)
    if (im.kind == ExternKind::Func) impl->func_types.push_back(im.func_type);
  for (const ast::Function& f : tree.funcs) impl->func_types.push_back(f.type);
  impl->ast = std::move(tree);
  return std::make_shared<Module>(std::move(impl));
}

}  // namespace

Result<std::shared_ptr<const Module>> Module::load(std::span<const uint8_t> bytes, const Limits& limits) {
  Result<Loaded> m = load_binary(bytes, limits, op_words());
  if (!m) return m.error();
  return make_module(std::move(m->tree), std::move(m->code));
}

Result<void> Module::validate(std::span<const uint8_t> bytes, const Limits& limits) {
  Result<Loaded> m = load_binary(bytes, limits, nullptr, false);
  if (!m) return std::move(m).error();
  return {};
}

Result<std::shared_ptr<const Module>> load_syntax(ast::Module m, const Limits& limits) {
  Result<code::CompiledCode> code = validate(m, limits, op_words());
  if (!code) return code.error();
  // The bodies are compiled; the module keeps what Module::load's does.
  for (ast::Function& f : m.funcs) {
    f.body = {};
    f.br_targets = {};
  }
  m.customs = {};
  return make_module(std::move(m), std::move(code).value());
}

std::vector<ImportInfo> Module::imports() const {
  std::vector<ImportInfo> out;
  out.reserve(impl_->ast.imports.size());
  for (const ast::Import& im : impl_->ast.imports) out.push_back({im.module, im.name, im.kind});
  return out;
}

std::vector<ExportInfo> Module::exports() const {
  std::vector<ExportInfo> out;
  out.reserve(impl_->ast.exports.size());
  for (const ast::Export& e : impl_->ast.exports) out.push_back({e.name, e.kind, e.index});
  return out;
}

const FuncType& Module::func_type(uint32_t func) const { return impl_->ast.types[impl_->func_types[func]]; }

const ast::Module& syntax_of(const Module& m) { return detail::Access::of(m).ast; }

}  // namespace warden
