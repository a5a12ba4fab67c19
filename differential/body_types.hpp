// The operand types of a valid function body, instruction by instruction,
// for the passes that rewrite bodies (the probe's folding, probe_fold.hpp)
// or pick instructions in them (the observability measure,
// observability.hpp).
//
// BodyTyper follows spec 3.3 as a validator does: an operand stack of value
// types and a stack of control frames. Code the spec types against a
// polymorphic stack (after br, br_table, return or unreachable, up to the
// end of its block, including blocks nested in it) is "dead" here and not
// typed at all: a rewriting pass leaves it as it is, since it never runs.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "warden/syntax.hpp"

namespace warden::diff {

/// A module's index spaces as types (imports first, spec 2.5.1).
struct ModuleTypes {
  std::vector<FuncType> types;
  std::vector<uint32_t> funcs;  ///< type index per function index
  std::vector<ValType> globals;
  std::vector<ValType> tables;  ///< element type per table index
};

ModuleTypes module_types(const ast::Module& m);

/// The parameter and result types of a block type (spec 3.2.2's s33).
FuncType block_type(const ModuleTypes& mt, int64_t bt);

class BodyTyper {
 public:
  /// `locals`: the function's parameters, then its declared locals.
  BodyTyper(const ModuleTypes& mt, const FuncType& ft, std::vector<ValType> locals);

  /// Whether the next instruction is typed (live): false in dead code and
  /// once the body failed to type (an invalid body; see ok()).
  bool live() const { return ok_ && !frames_.empty() && !frames_.back().dead; }
  /// False once an instruction found operands missing: the body was not
  /// valid, and a pass should leave it alone.
  bool ok() const { return ok_; }
  /// The type on top of the operand stack (live code only).
  std::optional<ValType> top() const;
  const std::vector<ValType>& locals() const { return locals_; }

  /// Applies `in` and returns how many values it pushed (0 in dead code;
  /// for `end`, the results of the block it closes).
  uint32_t step(const ast::Instr& in);

 private:
  struct Frame {
    Op kind;
    size_t height;
    std::vector<ValType> params, results;
    bool dead = false;          ///< the code from here to the frame's end is dead
    bool entered_dead = false;  ///< opened in dead code: everything in it is dead
  };
  void pop(size_t n);
  void push(ValType t) { stack_.push_back(t); }

  const ModuleTypes& mt_;
  std::vector<ValType> locals_;
  std::vector<ValType> stack_;
  std::vector<Frame> frames_;
  bool ok_ = true;
};

}  // namespace warden::diff
