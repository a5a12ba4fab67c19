// Internal to validate/: the validation context C (spec 3.1.1) built from a
// module, shared by the module checks and the function compiler.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "code.hpp"
#include "decode/expr.hpp"
#include "warden/syntax.hpp"
#include "warden/warden.hpp"

namespace warden::valid {

/// The operand type the spec's algorithm calls Unknown (appendix A.3): what
/// a pop yields from the polymorphic stack of unreachable code.
inline constexpr ValType kAny = static_cast<ValType>(0);

struct Context {
  const ast::Module* m = nullptr;
  std::vector<uint32_t> func_types;  // type index per function, imports first
  std::vector<ValType> tables;       // element type per table
  uint32_t memories = 0;
  std::vector<ast::GlobalType> globals;
  uint32_t imported_globals = 0;  // C' of constant expressions (3.4.10)
  std::vector<ValType> elems;     // element type per segment
  uint32_t datas = 0;
  std::vector<uint8_t> declared;  // per function: in C.refs (3.4.10)
  // The word compiled code holds for each op number, code::kWordCount of
  // them (code.hpp), or null for the numbers themselves. Not validation
  // state: what the function compiler emits.
  const uint64_t* op_words = nullptr;

  const FuncType& func_type(uint32_t func) const { return m->types[func_types[func]]; }
};

inline Error invalid(std::string msg, uint32_t pos) { return Error{ErrorKind::Invalid, std::move(msg), pos}; }

/// "unknown global 3": the reference interpreter's wording, which the
/// testsuite matches by prefix ("unknown global").
inline std::string unknown(std::string_view what, uint64_t index) {
  std::string s = "unknown ";
  s += what;
  s += ' ';
  s += std::to_string(index);
  return s;
}

inline bool is_valtype(ValType t) {
  switch (t) {
    case ValType::I32:
    case ValType::I64:
    case ValType::F32:
    case ValType::F64:
    case ValType::V128:
    case ValType::FuncRef:
    case ValType::ExternRef: return true;
  }
  return false;
}

/// Validates and compiles function bodies under `c` (spec 3.3, 3.4.1), one
/// at a time, reusing its stacks from one body to the next. Errors as
/// validate() documents.
class FunctionCompiler {
 public:
  /// Compiled code goes into `out` (its funcs are the caller's to fill).
  /// With `emit` false bodies are validated only: the same outcome, and
  /// each CompiledFunc's code is empty and its max_stack 0.
  FunctionCompiler(const Context& c, const Limits& limits, code::CompiledCode& out, bool emit = true);
  ~FunctionCompiler();
  /// The body in the tree.
  Result<code::CompiledFunc> compile(const ast::Function& f);
  /// The body as `in` decodes it (f.body is not used): instructions are
  /// taken up to the final end, or up to the first error. After a
  /// malformed byte (in.ok() false) the error returned means nothing: the
  /// decoder's own error is the module's.
  Result<code::CompiledFunc> compile(const ast::Function& f, decode_detail::InstrReader& in);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Validate every defined function's body under `c` (spec 3.3, 3.4.1) and
/// compile it (code.hpp). Errors as validate() documents.
Result<code::CompiledCode> compile_functions(const Context& c, const Limits& limits);

}  // namespace warden::valid
