// The interpreter (spec 4.4): one dispatch loop over the compiled code of
// code.hpp, directly threaded with computed goto (a GNU extension g++ and
// clang support): an op word is its handler's address (op_words() below
// gives the compiler the table), and every handler ends by jumping to the
// next op word, so each handler has its own indirect branch to predict and
// a dispatch is one load and one jump.
//
// Calls never recurse on the host stack: a wasm call pushes a Frame on the
// store's frame vector and continues in the same loop (docs/design.md, "Calls
// without host recursion"). pc, sp, fp, the memory base and size and the
// fuel counter live in locals; whatever can change them behind the loop's
// back (a call into another instance, memory.grow, a host function, which
// may even re-enter the store) is followed by a reload.
//
// The ~400 pure operators are not written here: the X-macro at the bottom
// generates a handler per Num, Trap and lane row of opcodes.def that calls
// num::<Name>, with the operand and result types deduced from its signature.
#include "execute/interpreter.hpp"

#include <array>
#include <bit>
#include <cstdio>
#include <cstring>
#include <new>
#include <type_traits>

#include "execute/numeric.hpp"
#include "warden/host.hpp"

static_assert(std::endian::native == std::endian::little,
              "slots, v128 lanes and memory accesses assume a little-endian host");

namespace warden {
namespace {

// Forced inlining only when optimising: at -O0 every inlined helper gets its
// own stack slots in execute(), whose frame would grow to tens of KiB.
#if defined(__GNUC__) && defined(__OPTIMIZE__)
#define WARDEN_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define WARDEN_ALWAYS_INLINE inline
#endif

// g++ keeps almost none of execute()'s state in registers on its own, and
// which it keeps changes with unrelated edits: one build reloaded fp and the
// memory base and size from the stack frame in every handler, the next kept
// sp itself there. An explicit register variable is an ordinary variable
// that g++ places in the named register (callee-saved ones, so calls do not
// disturb them); values and semantics are the same with or without it, so
// other compilers and targets go without. docs/design.md ("Compiled code")
// and docs/performance.md ("Registers and cores") have why and the figures.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define WARDEN_IN_REGISTER(var, reg) register var asm(reg)
#else
#define WARDEN_IN_REGISTER(var, reg) var
#endif

constexpr const char* kOobMemory = "out of bounds memory access";
constexpr const char* kOobTable = "out of bounds table access";
constexpr const char* kStackExhausted = "call stack exhausted";
constexpr uint64_t kMinus1 = 0xFFFF'FFFFu;  // i32 -1, memory.grow / table.grow failure

// ---- slot access by C++ type (num's contract: I32 uint32_t, I64 uint64_t,
// F32 float, F64 double, V128 V128) ----

template <class T>
constexpr uint32_t kSlots = std::is_same_v<T, V128> ? 2 : 1;

// The C++ types of the one-slot numbers, and with V128 the ones fused Num
// ops take (code::fusable() says which rows and forms).
template <class T>
[[maybe_unused]] constexpr bool kScalar =
    std::is_same_v<T, uint32_t> || std::is_same_v<T, uint64_t> || std::is_same_v<T, float> || std::is_same_v<T, double>;
template <class T>
[[maybe_unused]] constexpr bool kValue = kScalar<T> || std::is_same_v<T, V128>;

// A v128 in two slots is read and written as one 16-byte access, never as
// two 8-byte halves: a 16-byte load of what two 8-byte stores just wrote
// cannot be forwarded from the store buffer and waits for both to reach the
// cache (about a dozen cycles on x86; `perf annotate` of mandelbrot_simd
// showed its hottest instructions to be such loads). memcpy of 16 bytes is
// one unaligned vector move (docs/performance.md, "16-byte slot moves").
// A V128 that GCC holds as two general registers (a lane operator's result
// is one) would still be stored as two 8-byte halves by that memcpy, so
// store128 first makes it a 16-byte vector (GCC's and Clang's vector
// extension): one vector store, whatever registers the halves were in.
WARDEN_ALWAYS_INLINE V128 load128(const uint64_t* s) {
  V128 v;
  std::memcpy(static_cast<void*>(&v), s, sizeof v);  // V128 is trivially copyable
  return v;
}
// An unaligned 16-byte vector that may alias the slots: the definition the
// compilers' own <emmintrin.h> gives _mm_storeu_si128. (A memcpy from a
// vector local made GCC spill the local to the stack and copy it back.) A
// typedef, not `using`: Clang ignores aligned(1) on an alias declaration,
// and UBSan then reported the store misaligned (the fuzz smoke of 2448f4d;
// corpora/regressions/execute/).
typedef uint64_t Vec128u __attribute__((vector_size(16), aligned(1), may_alias));
WARDEN_ALWAYS_INLINE void store128(uint64_t* s, V128 v) { *reinterpret_cast<Vec128u*>(s) = Vec128u{v.lo, v.hi}; }
WARDEN_ALWAYS_INLINE void move128(uint64_t* to, const uint64_t* from) { std::memcpy(to, from, sizeof(V128)); }

template <class T>
WARDEN_ALWAYS_INLINE T get(const uint64_t* s) {
  if constexpr (std::is_same_v<T, uint32_t>)
    return static_cast<uint32_t>(s[0]);
  else if constexpr (std::is_same_v<T, uint64_t>)
    return s[0];
  else if constexpr (std::is_same_v<T, float>)
    return std::bit_cast<float>(static_cast<uint32_t>(s[0]));
  else if constexpr (std::is_same_v<T, double>)
    return std::bit_cast<double>(s[0]);
  else {
    static_assert(std::is_same_v<T, V128>, "no slot image for this type");
    return load128(s);
  }
}

template <class T>
WARDEN_ALWAYS_INLINE void put(uint64_t* s, T v) {
  if constexpr (std::is_same_v<T, uint32_t>)
    s[0] = v;
  else if constexpr (std::is_same_v<T, uint64_t>)
    s[0] = v;
  else if constexpr (std::is_same_v<T, float>)
    s[0] = std::bit_cast<uint32_t>(v);
  else if constexpr (std::is_same_v<T, double>)
    s[0] = std::bit_cast<uint64_t>(v);
  else {
    static_assert(std::is_same_v<T, V128>, "no slot image for this type");
    store128(s, v);
  }
}

// ---- generated-handler bodies. Each pops its operands (the first parameter
// deepest), calls F and pushes the result; it returns the new sp. ----

template <auto F, class R, class A>
WARDEN_ALWAYS_INLINE uint64_t* num_op(uint64_t* sp, R (*)(A)) {
  uint64_t* b = sp - kSlots<A>;
  put<R>(b, F(get<A>(b)));
  return b + kSlots<R>;
}
template <auto F, class R, class A, class B>
WARDEN_ALWAYS_INLINE uint64_t* num_op(uint64_t* sp, R (*)(A, B)) {
  uint64_t* b = sp - kSlots<A> - kSlots<B>;
  put<R>(b, F(get<A>(b), get<B>(b + kSlots<A>)));
  return b + kSlots<R>;
}
template <auto F, class R, class A, class B, class C>
WARDEN_ALWAYS_INLINE uint64_t* num_op(uint64_t* sp, R (*)(A, B, C)) {
  uint64_t* b = sp - kSlots<A> - kSlots<B> - kSlots<C>;
  put<R>(b, F(get<A>(b), get<B>(b + kSlots<A>), get<C>(b + kSlots<A> + kSlots<B>)));
  return b + kSlots<R>;
}

/// Trap rows: nullptr, or the trap message (sp is then left alone).
template <auto F, class R, class A>
WARDEN_ALWAYS_INLINE const char* trap_op(uint64_t*& sp, const char* (*)(A, R*)) {
  uint64_t* b = sp - kSlots<A>;
  R r{};
  if (const char* m = F(get<A>(b), &r)) return m;
  put<R>(b, r);
  sp = b + kSlots<R>;
  return nullptr;
}
template <auto F, class R, class A, class B>
WARDEN_ALWAYS_INLINE const char* trap_op(uint64_t*& sp, const char* (*)(A, B, R*)) {
  uint64_t* b = sp - kSlots<A> - kSlots<B>;
  R r{};
  if (const char* m = F(get<A>(b), get<B>(b + kSlots<A>), &r)) return m;
  put<R>(b, r);
  sp = b + kSlots<R>;
  return nullptr;
}

/// Lane rows: the lane index is an immediate, not an operand.
template <auto F, class R, class A>
WARDEN_ALWAYS_INLINE uint64_t* lane_op(uint64_t* sp, uint32_t lane, R (*)(A, uint32_t)) {
  uint64_t* b = sp - kSlots<A>;
  put<R>(b, F(get<A>(b), lane));
  return b + kSlots<R>;
}
template <auto F, class R, class A, class B>
WARDEN_ALWAYS_INLINE uint64_t* lane_op(uint64_t* sp, uint32_t lane, R (*)(A, B, uint32_t)) {
  uint64_t* b = sp - kSlots<A> - kSlots<B>;
  put<R>(b, F(get<A>(b), get<B>(b + kSlots<A>), lane));
  return b + kSlots<R>;
}

/// Deterministic mode: canonicalises the v128 result in the slots at `s`
/// as `N` (S4 or D2) says, out of line. Inline, GCC forwarded the handler's
/// store into this read, so the result lived as a V128 struct on both paths
/// and every float v128 handler sent it through a stack temporary: a
/// 16-byte store and reload on the critical path (docs/performance.md, "The
/// v128 result's round trip"). Behind a call on the slots' address the fast
/// path stores the vector register straight to its slots.
template <NanCanon N>
__attribute__((noinline, cold)) void canon_v128_at(uint64_t* s) noexcept {
  if constexpr (N == NanCanon::S4)
    put(s, num::canon_f32x4(get<V128>(s)));
  else
    put(s, num::canon_f64x2(get<V128>(s)));
}

/// Deterministic mode: canonicalise the result on top of the stack as the
/// row's Nan column says (docs/design.md, "Deterministic mode").
template <NanCanon N>
WARDEN_ALWAYS_INLINE void canon_top(uint64_t* sp) {
  if constexpr (N == NanCanon::S)
    put(sp - 1, num::canon(get<float>(sp - 1)));
  else if constexpr (N == NanCanon::D)
    put(sp - 1, num::canon(get<double>(sp - 1)));
  else if constexpr (N == NanCanon::S4 || N == NanCanon::D2)
    canon_v128_at<N>(sp - 2);
}

/// The branch target held in the word at `w`: its distance from `w`
/// (code.hpp), so that no handler needs the function's first word.
WARDEN_ALWAYS_INLINE const uint64_t* target_of(const uint64_t* w) { return w + static_cast<int64_t>(*w); }

// Compiled only with fusion: templates no handler instantiates otherwise
// (and that scripts/mutants, whose build turns fusion off, must not mutate).
#if WARDEN_FUSION
// ---- fused ops (code.hpp). `pc` points at the immediates and is moved
// past them (or to the branch target).

/// Where a fused op with `Arity` operands finds them: Operands<...>::get
/// reads operand `K` (0 = first), `consumed` stack slots are popped, and
/// `words` immediates name them. `SA` and `SB` are the operands' slots (2
/// for a v128); a constant takes SB words (only the second operand is one).
template <int Src, int Arity, int SA = 1, int SB = 1>
struct Operands {
  static constexpr int consumed =
      Src == code::kStack ? (Arity == 1 ? SA : SA + SB) : (Src <= code::kStackConst ? SA : 0);
  static constexpr int words = Src == code::kStack                      ? 0
                               : Arity == 1 || Src == code::kStackLocal ? 1
                               : Src == code::kStackConst               ? SB
                               : Src == code::kLocalConst               ? 1 + SB
                                                                        : 2;
  template <class T, int K>
  static WARDEN_ALWAYS_INLINE T get(const uint64_t* sp, const uint64_t* fp, const uint64_t* pc) {
    if constexpr (Src == code::kStack)
      return ::warden::get<T>(K == 0 ? sp - consumed : sp - SB);
    else if constexpr (Arity == 1 || (K == 0 && Src >= code::kLocals))
      return ::warden::get<T>(fp + pc[0]);
    else if constexpr (K == 0)
      return ::warden::get<T>(sp - SA);
    else if constexpr (Src == code::kStackLocal)
      return ::warden::get<T>(fp + pc[0]);
    else if constexpr (Src == code::kStackConst)
      return ::warden::get<T>(pc);
    else if constexpr (Src == code::kLocals)
      return ::warden::get<T>(fp + pc[1]);
    else
      return ::warden::get<T>(pc + 1);
  }
};

/// Writes a fused op's result `r` to the slots at `at`; a v128 float result
/// is canonicalised there, after the store (canon_v128_at). A function
/// forced inline, not a lambda: GCC left a lambda out of line in every
/// handler, with `r` passed through memory.
template <NanCanon N, class R>
WARDEN_ALWAYS_INLINE void deliver(uint64_t* at, R r, bool det) {
  put<R>(at, r);
  if constexpr (N == NanCanon::S4 || N == NanCanon::D2)
    if (det) canon_v128_at<N>(at);
}

/// Delivers the result `r` of a fused op whose operands (and offset) took
/// `n` immediates, as the form's mode says.
template <int Form, int Consumed, NanCanon N, class R>
WARDEN_ALWAYS_INLINE void fused_result(uint64_t*& sp, const uint64_t*& pc, uint64_t* fp, bool det, R r, int n) {
  if constexpr (N == NanCanon::S || N == NanCanon::D) {
    if (det) r = num::canon(r);
  }
  sp -= Consumed;
  constexpr int mode = code::mode_of(Form);
  if constexpr (mode == code::kPush) {
    deliver<N>(sp, r, det);
    sp += kSlots<R>;
    pc += n;
  } else if constexpr (mode == code::kSet || mode == code::kTee) {
    deliver<N>(fp + pc[n], r, det);
    if constexpr (mode == code::kTee) {
      deliver<N>(sp, r, det);
      sp += kSlots<R>;
    }
    pc += n + 1;
  } else {
    static_assert(std::is_same_v<R, uint32_t>, "a branch on an i32");
    pc = (r != 0) == (mode == code::kBrNZ) ? target_of(pc + n) : pc + n + 1;
  }
}

// Num rows. Overloads for every arity, so that each row's handler compiles;
// only the forms code::fusable() allows are ever reached.
template <auto F, int Form, NanCanon N, class R, class A>
WARDEN_ALWAYS_INLINE void fused_num(uint64_t*& sp, const uint64_t*& pc, uint64_t* fp, bool det, R (*)(A)) {
  using O = Operands<code::src_of(Form), 1, kSlots<A>>;
  if constexpr (kValue<A> && kValue<R>)
    fused_result<Form, O::consumed, N>(sp, pc, fp, det, F(O::template get<A, 0>(sp, fp, pc)), O::words);
}
template <auto F, int Form, NanCanon N, class R, class A, class B>
WARDEN_ALWAYS_INLINE void fused_num(uint64_t*& sp, const uint64_t*& pc, uint64_t* fp, bool det, R (*)(A, B)) {
  using O = Operands<code::src_of(Form), 2, kSlots<A>, kSlots<B>>;
  if constexpr (kValue<A> && kValue<B> && kValue<R>)
    fused_result<Form, O::consumed, N>(
        sp, pc, fp, det, F(O::template get<A, 0>(sp, fp, pc), O::template get<B, 1>(sp, fp, pc)), O::words);
}
template <auto F, int Form, NanCanon N, class R, class A, class B, class C>
WARDEN_ALWAYS_INLINE void fused_num(uint64_t*&, const uint64_t*&, uint64_t*, bool, R (*)(A, B, C)) {}

// Trap rows: nullptr, or the trap message.
template <auto F, int Form, NanCanon N, class R, class A>
WARDEN_ALWAYS_INLINE const char* fused_trap(uint64_t*& sp, const uint64_t*& pc, uint64_t* fp, bool det,
                                            const char* (*)(A, R*)) {
  using O = Operands<code::src_of(Form), 1>;
  if constexpr (kScalar<A> && kScalar<R>) {
    R r{};
    if (const char* m = F(O::template get<A, 0>(sp, fp, pc), &r)) return m;
    fused_result<Form, O::consumed, N>(sp, pc, fp, det, r, O::words);
  }
  return nullptr;
}
template <auto F, int Form, NanCanon N, class R, class A, class B>
WARDEN_ALWAYS_INLINE const char* fused_trap(uint64_t*& sp, const uint64_t*& pc, uint64_t* fp, bool det,
                                            const char* (*)(A, B, R*)) {
  using O = Operands<code::src_of(Form), 2>;
  if constexpr (kScalar<A> && kScalar<B> && kScalar<R>) {
    R r{};
    if (const char* m = F(O::template get<A, 0>(sp, fp, pc), O::template get<B, 1>(sp, fp, pc), &r)) return m;
    fused_result<Form, O::consumed, N>(sp, pc, fp, det, r, O::words);
  }
  return nullptr;
}

#endif  // WARDEN_FUSION

/// The effective address of an access of `n` bytes, or false when any of
/// it is outside the memory. 64-bit arithmetic: address and offset are
/// both below 2^32, so the sum cannot wrap.
WARDEN_ALWAYS_INLINE bool in_bounds(uint64_t addr, uint64_t offset, uint64_t n, uint64_t size, uint64_t& ea) {
  ea = addr + offset;
  return ea + n <= size;
}

#if WARDEN_FUSION
// Fused loads and stores: false when the access is out of bounds. The
// offset follows the operand words. A v128's 16 bytes go straight between
// memory and its slots, never through a V128 value, which GCC would hold in
// two general registers and write back as two 8-byte halves (see store128).
template <int Form, class M, class R>
WARDEN_ALWAYS_INLINE bool fused_load(uint64_t*& sp, const uint64_t*& pc, uint64_t* fp, const uint8_t* mem,
                                     uint64_t mem_size) {
  using O = Operands<code::src_of(Form), 1>;
  uint64_t ea;
  if (!in_bounds(O::template get<uint32_t, 0>(sp, fp, pc), pc[O::words], sizeof(M), mem_size, ea)) return false;
  if constexpr (std::is_same_v<M, V128>) {
    constexpr int mode = code::mode_of(Form);  // kPush, kSet or kTee (code::fusable)
    sp -= O::consumed;
    if constexpr (mode != code::kPush) std::memcpy(fp + pc[O::words + 1], mem + ea, 16);
    if constexpr (mode != code::kSet) {
      std::memcpy(sp, mem + ea, 16);
      sp += 2;
    }
    pc += O::words + (mode == code::kPush ? 1 : 2);
  } else {
    M v;
    std::memcpy(&v, mem + ea, sizeof v);
    fused_result<Form, O::consumed, NanCanon::_>(sp, pc, fp, false, static_cast<uint64_t>(static_cast<R>(v)),
                                                 O::words + 1);
  }
  return true;
}
template <int Form, class M>
WARDEN_ALWAYS_INLINE bool fused_store(uint64_t*& sp, const uint64_t*& pc, uint64_t* fp, uint8_t* mem,
                                      uint64_t mem_size) {
  using O = Operands<code::src_of(Form), 2, 1, kSlots<M>>;
  uint64_t ea;
  if constexpr (std::is_same_v<M, V128>) {  // the value a local (code::fusable): [x] or [addr, x]
    if (!in_bounds(O::template get<uint32_t, 0>(sp, fp, pc), pc[O::words], 16, mem_size, ea)) return false;
    std::memcpy(mem + ea, fp + pc[O::words - 1], 16);
  } else {  // the value read before the address is checked, the order this handler always had
    const M v = static_cast<M>(O::template get<uint64_t, 1>(sp, fp, pc));
    if (!in_bounds(O::template get<uint32_t, 0>(sp, fp, pc), pc[O::words], sizeof(M), mem_size, ea)) return false;
    std::memcpy(mem + ea, &v, sizeof v);
  }
  sp -= O::consumed;
  pc += O::words + 1;
  return true;
}

#endif  // WARDEN_FUSION

/// Calls a host function with the arguments at stack[at..]; its results
/// replace them. Values are built from and written back to slots by the
/// function's type, so a host cannot change how many slots a result takes.
/// `memory` is the calling instance's memory 0 (null from the embedder).
/// Arguments and results live in the store's scratch buffer of this invoke
/// level, so a call allocates nothing once the buffer has grown.
Result<void> call_host(Store::Impl& s, const FuncInst* f, size_t at, MemoryInst* memory) noexcept {
  if (!f->host) return error_noexcept(ErrorKind::Trap, "host function is empty");
  const FuncType& ft = s.types[f->type_id];
  const size_t np = ft.params.size(), nr = ft.results.size();
  // run() keeps 1 <= running <= kMaxNestedInvokes around every execute().
  RawBuffer<Value>& scratch = s.scratch[s.running - 1];
  if (!scratch.reserve(np + nr, np + nr)) return error_noexcept(ErrorKind::Exhaustion, "out of memory");
  Value* args = scratch.data();
  Value* results = args + np;
  const uint64_t* p = s.stack.data() + at;
  for (size_t i = 0; i < np; ++i) {
    args[i] = value_from_slots(ft.params[i], p);
    p += slots(ft.params[i]);
  }
  for (size_t i = 0; i < nr; ++i) results[i] = Value::null(ft.results[i]);
  // A host function may call back into the store: it starts above our slots.
  const size_t saved_top = s.stack_top;
  s.stack_top = at + std::max(f->param_slots, f->result_slots);
  Caller caller(*s.self, memory);
  Result<void> r;
  try {
    r = f->host(caller, std::span<const Value>(args, np), std::span<Value>(results, nr));
  } catch (const std::bad_alloc&) {
    r = error_noexcept(ErrorKind::Exhaustion, "out of memory");
  } catch (...) {
    r = error_noexcept(ErrorKind::Trap, "host function threw an exception");
  }
  s.stack_top = saved_top;
  if (!r) return r;
  uint64_t* out = s.stack.data() + at;  // reloaded: a nested call may have moved it
  for (size_t i = 0; i < nr; ++i) {
    value_to_slots(Value{ft.results[i], results[i].lo, results[i].hi}, out);
    out += slots(ft.results[i]);
  }
  return {};
}

}  // namespace

// M(name, form, a) for every fused form (code::kForms of them).
#if WARDEN_FUSION
// clang-format off
#define FUSED_FORMS(M, name, a) \
  M(name, 0, a) M(name, 1, a) M(name, 2, a) M(name, 3, a) M(name, 4, a) \
  M(name, 5, a) M(name, 6, a) M(name, 7, a) M(name, 8, a) M(name, 9, a) \
  M(name, 10, a) M(name, 11, a) M(name, 12, a) M(name, 13, a) M(name, 14, a) \
  M(name, 15, a) M(name, 16, a) M(name, 17, a) M(name, 18, a) M(name, 19, a) \
  M(name, 20, a) M(name, 21, a) M(name, 22, a) M(name, 23, a) M(name, 24, a)
// clang-format on
#else  // no fusion: no fused handlers, no labels for them
#define FUSED_FORMS(M, name, a)
#endif
static_assert(code::kForms == 25, "FUSED_FORMS lists every form");

namespace {

// execute(), or, when `labels` is not null, only *labels = the label table
// (op_words()): labels as values exist only inside their function.
Result<void> interpret(Store::Impl* store, const FuncInst* entry, size_t base, const void* const** labels) noexcept {
  // One label per table row, in table order, then the internal ops.
  static const void* const kLabels[] = {
#define WARDEN_OP(name, ...) &&op_##name,
#include "warden/opcodes.def"
#undef WARDEN_OP
      &&x_Jump,         &&x_JumpIfZero,  &&x_BrMove,        &&x_BrIfMove,    &&x_BrTableMove,
      &&x_Select128,    &&x_LocalGet128, &&x_LocalSet128,   &&x_LocalTee128, &&x_GlobalGet128,
      &&x_GlobalSet128, &&x_Fuel,        &&x_JumpIfNonZero, &&x_LocalGet2,
  // The fused forms, code::kForms per row (the handlers at the bottom).
#define FORM_LABEL(name, form, a) &&f##form##_##name,
#define WARDEN_OP(name, ...)      FUSED_FORMS(FORM_LABEL, name, _)
#include "warden/opcodes.def"
#undef WARDEN_OP
#undef FORM_LABEL
  };
  static_assert(sizeof(kLabels) / sizeof(kLabels[0]) == code::kWordCount, "a label for every op word");
  if (labels) {
    *labels = kLabels;
    return {};
  }
  Store::Impl& s = *store;
  if (!entry->instance) return call_host(s, entry, base, nullptr);

  const size_t frame_base = s.nframes;
  // This execution's frames are s.frames.data()[frame_base, top); a push at
  // frames_end grows the buffer or stops at the call depth limit. s.nframes
  // is written back before a host call and on every exit, and both pointers
  // are re-read after a host call (a nested execution may move the buffer).
  Frame* top = nullptr;
  Frame* frames_end = nullptr;
#define LOAD_FRAMES()                                                                              \
  do {                                                                                             \
    top = s.frames.data() + s.nframes;                                                             \
    frames_end = s.frames.data() + std::min<size_t>(s.frames.capacity(), s.limits.max_call_depth); \
  } while (0)
#define SAVE_FRAMES() (s.nframes = static_cast<size_t>(top - s.frames.data()))
  LOAD_FRAMES();
  const bool det = s.options.deterministic;
  uint64_t* stack = s.stack.data();
  Instance::Impl* inst = nullptr;
  // clang-format off
  WARDEN_IN_REGISTER(const uint64_t* pc, "rbx") = nullptr;  // the entry frame returns to "no pc": back here
  WARDEN_IN_REGISTER(uint64_t* fp, "r13") = stack + base;
  WARDEN_IN_REGISTER(uint64_t* sp, "r12") = stack + base + entry->param_slots;
  WARDEN_IN_REGISTER(uint8_t* mem, "r14") = nullptr;
  WARDEN_IN_REGISTER(uint64_t mem_size, "r15") = 0;
  // clang-format on
  GlobalInst* const* globals = nullptr;
  // The instance's table 0, which nearly every call_indirect names: two
  // loads fewer on the way to the callee. The TableInst never moves (the
  // store keeps it in a deque); its size and elements are read at each use.
  const TableInst* table0 = nullptr;
  uint64_t fuel = s.fuel_ctr;
  const FuncInst* callee = entry;
  const char* message = nullptr;
  ErrorKind kind = ErrorKind::Trap;
  uint32_t trap_index = 0;
  Result<void> host_result;

#define NEXT() goto* reinterpret_cast<const void*>(*pc++)
// Evaluates the call of a helper that moves sp and pc through references, on
// copies named sp_ and pc_ and takes the moves back: a variable placed in a
// register (WARDEN_IN_REGISTER) has no address. The copies cost nothing
// once the helper is inlined.
#define MOVING_SP_PC(...)          \
  ({                               \
    uint64_t* sp_ = sp;            \
    const uint64_t* pc_ = pc;      \
    const auto r_ = (__VA_ARGS__); \
    sp = sp_;                      \
    pc = pc_;                      \
    r_;                            \
  })
// A bulk operation's share of the deadline's work budget (Store::Impl::
// spend_work): one unit per table element, per 8 bytes of memory.
#define SPEND(w)                                                    \
  do {                                                              \
    if (s.has_deadline && !s.spend_work(w)) goto deadline_exceeded; \
  } while (0)
#define TRAP(msg)    \
  do {               \
    message = (msg); \
    goto on_trap;    \
  } while (0)
#define LOAD_MEMORY()                      \
  do {                                     \
    const MemoryInst* m0_ = inst->memory0; \
    mem = m0_ ? m0_->data : nullptr;       \
    mem_size = m0_ ? m0_->size : 0;        \
  } while (0)
#define LOAD_INSTANCE()                                        \
  do {                                                         \
    globals = inst->globals.data();                            \
    table0 = inst->tables.empty() ? nullptr : inst->tables[0]; \
    LOAD_MEMORY();                                             \
  } while (0)

  goto do_call;

  // ------------------------------------------------------------ calls ----
do_call:  // callee set; its arguments are the top slots; pc is past the call
  if (!callee->instance) {
    const size_t fp_off = static_cast<size_t>(fp - stack);
    const size_t at = static_cast<size_t>(sp - stack) - callee->param_slots;
    s.fuel_ctr = fuel;
    SAVE_FRAMES();
    host_result = call_host(s, callee, at, inst ? inst->memory0 : nullptr);
    LOAD_FRAMES();
    stack = s.stack.data();
    fp = stack + fp_off;
    fuel = s.fuel_ctr;
    if (!host_result) goto on_host_error;
    sp = stack + at + callee->result_slots;
    LOAD_MEMORY();  // the host may have grown it
    NEXT();
  }
  {
    const size_t nfp = static_cast<size_t>(sp - stack) - callee->param_slots;
    if (top == frames_end) [[unlikely]] {
      SAVE_FRAMES();
      if (s.nframes >= s.limits.max_call_depth || !s.frames.reserve(s.nframes + 1, s.limits.max_call_depth))
        goto stack_exhausted;
      LOAD_FRAMES();
    }
    const size_t need = nfp + callee->frame_slots;
    if (need > s.stack.capacity()) {
      const size_t fp_off = static_cast<size_t>(fp - stack);
      if (!s.reserve_stack(need)) goto stack_exhausted;
      stack = s.stack.data();
      fp = stack + fp_off;
    }
    *top++ = Frame{pc, static_cast<size_t>(fp - stack), inst, callee->result_slots};
    fp = stack + nfp;
    // A function without locals of its own (small leaves often) skips the call.
    if (callee->local_slots != callee->param_slots)
      std::memset(fp + callee->param_slots, 0, (callee->local_slots - callee->param_slots) * sizeof(uint64_t));
    sp = fp + callee->local_slots;
    if (callee->instance != inst) {
      inst = callee->instance;
      LOAD_INSTANCE();
    }
    // The entry Fuel word's unit, spent here; its handler runs only for the
    // slow path (a new chunk, the deadline, exhaustion).
    if (fuel == 0) [[unlikely]] {
      pc = callee->entry;
      NEXT();
    }
    --fuel;
    pc = callee->entry + 2;
    goto* reinterpret_cast<const void*>(callee->first_op);
  }

op_Call:
  callee = inst->funcs[*pc++];
  goto do_call;

op_CallIndirect : {  // spec 4.4.8.11
  const uint32_t want = inst->type_ids[pc[0]];
  const TableInst* t = table0;
  if (pc[1] != 0) [[unlikely]]
    t = inst->tables[pc[1]];
  pc += 2;
  const uint32_t i = static_cast<uint32_t>(*--sp);
  if (i >= t->size) TRAP("undefined element");
  const uint64_t ref = t->elems.data()[i];
  if (!ref) {
    trap_index = i;
    goto uninitialized;
  }
  callee = reinterpret_cast<const FuncInst*>(static_cast<uintptr_t>(ref));
  if (callee->type_id != want) TRAP("indirect call type mismatch");
  goto do_call;
}

op_Return : {
  const Frame* fr = --top;
  const uint32_t n = fr->result_slots;
  const uint64_t* src = sp - n;
  if (n == 1)  // most functions
    fp[0] = src[0];
  else
    for (uint32_t k = 0; k < n; ++k) fp[k] = src[k];  // fp <= src: forward copy
  sp = fp + n;
  if (!fr->ret_pc) goto done;
  pc = fr->ret_pc;
  fp = stack + fr->ret_fp;
  if (fr->inst != inst) {
    inst = fr->inst;
    LOAD_INSTANCE();
  }
  NEXT();
}

  // ---------------------------------------------------- control flow ----
op_Unreachable:
  TRAP("unreachable");

x_Jump:
  pc = target_of(pc);
  NEXT();

x_JumpIfZero:
  if (static_cast<uint32_t>(*--sp) == 0)
    pc = target_of(pc);
  else
    ++pc;
  NEXT();

x_JumpIfNonZero:
  if (static_cast<uint32_t>(*--sp) != 0)
    pc = target_of(pc);
  else
    ++pc;
  NEXT();

// Moves the top `keep` slots down to fp + height and jumps (a branch that
// leaves a block with values, spec 4.4.8.6). e = {target, height, keep}.
#define BR_MOVE(e)                                               \
  do {                                                           \
    const uint64_t* e_ = (e);                                    \
    uint64_t* dst_ = fp + e_[1];                                 \
    const uint64_t keep_ = e_[2];                                \
    const uint64_t* src_ = sp - keep_;                           \
    for (uint64_t k_ = 0; k_ < keep_; ++k_) dst_[k_] = src_[k_]; \
    sp = dst_ + keep_;                                           \
    pc = target_of(e_);                                          \
  } while (0)

x_BrMove:
  BR_MOVE(pc);
  NEXT();

x_BrIfMove:
  if (static_cast<uint32_t>(*--sp) != 0)
    BR_MOVE(pc);
  else
    pc += 3;
  NEXT();

x_BrTableMove : {
  const uint64_t n = pc[0];
  const uint64_t i = static_cast<uint32_t>(*--sp);
  BR_MOVE(pc + 1 + 3 * (i < n ? i : n));
  NEXT();
}

x_Fuel:
  // One decrement and branch; the slow path starts a new chunk (docs/design.md).
  if (__builtin_sub_overflow(fuel, uint64_t{1}, &fuel)) [[unlikely]] {
    s.fuel_ctr = 0;
    if (const char* m = s.refuel()) {
      fuel = 0;
      message = m;
      kind = ErrorKind::Exhaustion;
      goto on_error;
    }
    fuel = s.fuel_ctr;
  }
  NEXT();

  // Never emitted by the compiler (code.hpp).
op_Nop:
op_Block:
op_Loop:
op_If:
op_Else:
op_End:
op_Br:
op_BrIf:
op_BrTable:
#if WARDEN_FUSION
bad_op:  // a fused form no row has (code::fusable)
#endif
  TRAP("internal error: op not expected in compiled code");

  // ------------------------------------------------------- parametric ----
op_Drop:
  --sp;
  NEXT();

op_Select:
op_SelectT:
  sp -= 2;
  if (static_cast<uint32_t>(sp[1]) == 0) sp[-1] = sp[0];
  NEXT();

x_Select128:
  sp -= 3;
  if (static_cast<uint32_t>(sp[2]) == 0) move128(sp - 2, sp);
  NEXT();

  // --------------------------------------------------------- variables ----
op_LocalGet:
  *sp++ = fp[*pc++];
  NEXT();
op_LocalSet:
  fp[*pc++] = *--sp;
  NEXT();
op_LocalTee:
  fp[*pc++] = sp[-1];
  NEXT();
x_LocalGet2:
  sp[0] = fp[pc[0]];
  sp[1] = fp[pc[1]];
  sp += 2;
  pc += 2;
  NEXT();
x_LocalGet128:
  move128(sp, fp + *pc++);
  sp += 2;
  NEXT();
x_LocalSet128:
  sp -= 2;
  move128(fp + *pc++, sp);
  NEXT();
x_LocalTee128:
  move128(fp + *pc++, sp - 2);
  NEXT();
op_GlobalGet:
  *sp++ = globals[*pc++]->lo;
  NEXT();
op_GlobalSet:
  globals[*pc++]->lo = *--sp;
  NEXT();
x_GlobalGet128 : {
  const GlobalInst* g = globals[*pc++];
  store128(sp, V128{g->lo, g->hi});
  sp += 2;
  NEXT();
}
x_GlobalSet128 : {
  GlobalInst* g = globals[*pc++];
  sp -= 2;
  const V128 v = load128(sp);
  g->lo = v.lo;
  g->hi = v.hi;
  NEXT();
}

  // ------------------------------------------------ constants and refs ----
op_I32Const:
op_F32Const:
  *sp++ = static_cast<uint32_t>(*pc++);
  NEXT();
op_I64Const:
op_F64Const:
  *sp++ = *pc++;
  NEXT();
op_V128Const:
  move128(sp, pc);
  sp += 2;
  pc += 2;
  NEXT();
op_RefNull:
  *sp++ = 0;
  NEXT();
op_RefIsNull:
  sp[-1] = sp[-1] == 0;
  NEXT();
op_RefFunc:
  *sp++ = reinterpret_cast<uintptr_t>(inst->funcs[*pc++]);
  NEXT();

op_I8x16Shuffle : {
  const V128 r = num::I8x16Shuffle(get<V128>(sp - 4), get<V128>(sp - 2), V128{pc[0], pc[1]});
  pc += 2;
  sp -= 2;
  put(sp - 2, r);
  NEXT();
}

  // ------------------------------------------------------------ tables ----
op_TableGet : {  // spec 4.4.6.1
  const TableInst* t = inst->tables[*pc++];
  const uint32_t i = static_cast<uint32_t>(sp[-1]);
  if (i >= t->size) TRAP(kOobTable);
  sp[-1] = t->elems.data()[i];
  NEXT();
}
op_TableSet : {
  TableInst* t = inst->tables[*pc++];
  const uint32_t i = static_cast<uint32_t>(sp[-2]);
  const uint64_t v = sp[-1];
  sp -= 2;
  if (i >= t->size) TRAP(kOobTable);
  t->elems.data()[i] = v;
  NEXT();
}
op_TableSize:
  *sp++ = inst->tables[*pc++]->size;
  NEXT();
op_TableGrow : {
  TableInst* t = inst->tables[*pc++];
  const uint32_t n = static_cast<uint32_t>(sp[-1]);
  const uint64_t init = sp[-2];
  --sp;
  SPEND(n);
  const std::optional<uint32_t> old = s.grow_table(*t, n, init);
  sp[-1] = old ? *old : kMinus1;
  NEXT();
}
op_TableFill : {  // spec 4.4.6.5: bounds first, then the writes
  TableInst* t = inst->tables[*pc++];
  const uint32_t n = static_cast<uint32_t>(sp[-1]);
  const uint64_t v = sp[-2];
  const uint32_t i = static_cast<uint32_t>(sp[-3]);
  sp -= 3;
  if (uint64_t{i} + n > t->size) TRAP(kOobTable);
  SPEND(n);
  std::fill(t->elems.data() + i, t->elems.data() + i + n, v);
  NEXT();
}
op_TableCopy : {
  TableInst* dt = inst->tables[pc[0]];
  const TableInst* st = inst->tables[pc[1]];
  pc += 2;
  const uint32_t n = static_cast<uint32_t>(sp[-1]);
  const uint32_t src = static_cast<uint32_t>(sp[-2]);
  const uint32_t dst = static_cast<uint32_t>(sp[-3]);
  sp -= 3;
  if (uint64_t{src} + n > st->size || uint64_t{dst} + n > dt->size) TRAP(kOobTable);
  SPEND(n);
  if (n) std::memmove(dt->elems.data() + dst, st->elems.data() + src, n * sizeof(uint64_t));
  NEXT();
}
op_TableInit : {
  const std::vector<uint64_t>& seg = inst->elems[pc[0]];
  TableInst* t = inst->tables[pc[1]];
  pc += 2;
  const uint32_t n = static_cast<uint32_t>(sp[-1]);
  const uint32_t src = static_cast<uint32_t>(sp[-2]);
  const uint32_t dst = static_cast<uint32_t>(sp[-3]);
  sp -= 3;
  if (uint64_t{src} + n > seg.size() || uint64_t{dst} + n > t->size) TRAP(kOobTable);
  SPEND(n);
  if (n) std::memcpy(t->elems.data() + dst, seg.data() + src, n * sizeof(uint64_t));
  NEXT();
}
op_ElemDrop:
  std::vector<uint64_t>().swap(inst->elems[*pc++]);
  NEXT();

  // ------------------------------------------------------------ memory ----
// A fused memory op's handler, and the forms a row does not take (never
// emitted, code::fusable()).
#define FUSED_LOAD(name, form, a)                                                                     \
  f##form##_##name : if constexpr (code::fusable(Op::name, form)) {                                   \
    if (!MOVING_SP_PC(fused_load<form, LoadM, LoadR>(sp_, pc_, fp, mem, mem_size))) TRAP(kOobMemory); \
    NEXT();                                                                                           \
  }                                                                                                   \
  else goto bad_op;
#define FUSED_STORE(name, form, a)                                                               \
  f##form##_##name : if constexpr (code::fusable(Op::name, form)) {                              \
    if (!MOVING_SP_PC(fused_store<form, StoreM>(sp_, pc_, fp, mem, mem_size))) TRAP(kOobMemory); \
    NEXT();                                                                                      \
  }                                                                                              \
  else goto bad_op;
#define NOT_FUSED(name, form, a)                                                                \
  f##form##_##name : static_assert(!code::fusable(Op::name, form), "a form without a handler"); \
  goto bad_op;
#define NOT_FUSED_ALL(name) FUSED_FORMS(NOT_FUSED, name, _)
#define LOAD(name, M, R)                                                                             \
  op_##name : {                                                                                      \
    uint64_t ea;                                                                                     \
    if (!in_bounds(static_cast<uint32_t>(sp[-1]), *pc++, sizeof(M), mem_size, ea)) TRAP(kOobMemory); \
    M v;                                                                                             \
    std::memcpy(&v, mem + ea, sizeof v);                                                             \
    sp[-1] = static_cast<uint64_t>(static_cast<R>(v));                                               \
    NEXT();                                                                                          \
  }                                                                                                  \
  {                                                                                                  \
    using LoadM [[maybe_unused]] = M;                                                                \
    using LoadR [[maybe_unused]] = R;                                                                \
    FUSED_FORMS(FUSED_LOAD, name, _)                                                                 \
  }
  LOAD(I32Load, uint32_t, uint32_t)
  LOAD(I64Load, uint64_t, uint64_t)
  LOAD(F32Load, uint32_t, uint32_t)
  LOAD(F64Load, uint64_t, uint64_t)
  LOAD(I32Load8S, int8_t, uint32_t)
  LOAD(I32Load8U, uint8_t, uint32_t)
  LOAD(I32Load16S, int16_t, uint32_t)
  LOAD(I32Load16U, uint16_t, uint32_t)
  LOAD(I64Load8S, int8_t, uint64_t)
  LOAD(I64Load8U, uint8_t, uint64_t)
  LOAD(I64Load16S, int16_t, uint64_t)
  LOAD(I64Load16U, uint16_t, uint64_t)
  LOAD(I64Load32S, int32_t, uint64_t)
  LOAD(I64Load32U, uint32_t, uint64_t)
#undef LOAD

#define STORE(name, M)                                                                               \
  op_##name : {                                                                                      \
    uint64_t ea;                                                                                     \
    if (!in_bounds(static_cast<uint32_t>(sp[-2]), *pc++, sizeof(M), mem_size, ea)) TRAP(kOobMemory); \
    const M v = static_cast<M>(sp[-1]);                                                              \
    std::memcpy(mem + ea, &v, sizeof v);                                                             \
    sp -= 2;                                                                                         \
    NEXT();                                                                                          \
  }                                                                                                  \
  {                                                                                                  \
    using StoreM [[maybe_unused]] = M;                                                               \
    FUSED_FORMS(FUSED_STORE, name, _)                                                                \
  }
  STORE(I32Store, uint32_t)
  STORE(I64Store, uint64_t)
  STORE(F32Store, uint32_t)
  STORE(F64Store, uint64_t)
  STORE(I32Store8, uint8_t)
  STORE(I32Store16, uint16_t)
  STORE(I64Store8, uint8_t)
  STORE(I64Store16, uint16_t)
  STORE(I64Store32, uint32_t)
#undef STORE

// SIMD loads that read `sizeof(M)` bytes and widen them to a v128 with
// `make` (spec 4.4.7.2-4.4.7.4). The address slot becomes the low half.
#define LOAD_V128(name, M, make)                                                                     \
  op_##name : {                                                                                      \
    uint64_t ea;                                                                                     \
    if (!in_bounds(static_cast<uint32_t>(sp[-1]), *pc++, sizeof(M), mem_size, ea)) TRAP(kOobMemory); \
    M x;                                                                                             \
    std::memcpy(&x, mem + ea, sizeof x);                                                             \
    put<V128>(sp - 1, make);                                                                         \
    ++sp;                                                                                            \
    NEXT();                                                                                          \
  }                                                                                                  \
  NOT_FUSED_ALL(name)
  LOAD_V128(V128Load8x8S, uint64_t, num::I16x8ExtendLowI8x16S(V128{x, 0}))
  LOAD_V128(V128Load8x8U, uint64_t, num::I16x8ExtendLowI8x16U(V128{x, 0}))
  LOAD_V128(V128Load16x4S, uint64_t, num::I32x4ExtendLowI16x8S(V128{x, 0}))
  LOAD_V128(V128Load16x4U, uint64_t, num::I32x4ExtendLowI16x8U(V128{x, 0}))
  LOAD_V128(V128Load32x2S, uint64_t, num::I64x2ExtendLowI32x4S(V128{x, 0}))
  LOAD_V128(V128Load32x2U, uint64_t, num::I64x2ExtendLowI32x4U(V128{x, 0}))
  LOAD_V128(V128Load8Splat, uint8_t, num::I8x16Splat(x))
  LOAD_V128(V128Load16Splat, uint16_t, num::I16x8Splat(x))
  LOAD_V128(V128Load32Splat, uint32_t, num::I32x4Splat(x))
  LOAD_V128(V128Load64Splat, uint64_t, num::I64x2Splat(x))
  LOAD_V128(V128Load32Zero, uint32_t, (V128{x, 0}))
  LOAD_V128(V128Load64Zero, uint64_t, (V128{x, 0}))
#undef LOAD_V128

op_V128Load : {
  uint64_t ea;
  if (!in_bounds(static_cast<uint32_t>(sp[-1]), *pc++, 16, mem_size, ea)) TRAP(kOobMemory);
  std::memcpy(sp - 1, mem + ea, 16);  // slots lo, hi are the 16 bytes in order
  ++sp;
  NEXT();
}
  {
    using LoadM [[maybe_unused]] = V128;
    using LoadR [[maybe_unused]] = V128;
    FUSED_FORMS(FUSED_LOAD, V128Load, _)
  }
op_V128Store : {
  uint64_t ea;
  if (!in_bounds(static_cast<uint32_t>(sp[-3]), *pc++, 16, mem_size, ea)) TRAP(kOobMemory);
  std::memcpy(mem + ea, sp - 2, 16);
  sp -= 3;
  NEXT();
}
  {
    using StoreM [[maybe_unused]] = V128;
    FUSED_FORMS(FUSED_STORE, V128Store, _)
  }

// Lane loads and stores [offset, lane] (spec 4.4.7.5, 4.4.7.7): the v128's
// two slots are its 16 bytes in lane order.
#define LOAD_LANE(name, N)                                                                   \
  op_##name : {                                                                              \
    uint64_t ea;                                                                             \
    const uint32_t lane = static_cast<uint32_t>(pc[1]) & (16 / (N)-1);                       \
    if (!in_bounds(static_cast<uint32_t>(sp[-3]), pc[0], N, mem_size, ea)) TRAP(kOobMemory); \
    pc += 2;                                                                                 \
    uint64_t w[2] = {sp[-2], sp[-1]};                                                        \
    std::memcpy(reinterpret_cast<unsigned char*>(w) + lane * (N), mem + ea, N);              \
    --sp;                                                                                    \
    sp[-2] = w[0];                                                                           \
    sp[-1] = w[1];                                                                           \
    NEXT();                                                                                  \
  }                                                                                          \
  NOT_FUSED_ALL(name)
  LOAD_LANE(V128Load8Lane, 1)
  LOAD_LANE(V128Load16Lane, 2)
  LOAD_LANE(V128Load32Lane, 4)
  LOAD_LANE(V128Load64Lane, 8)
#undef LOAD_LANE

#define STORE_LANE(name, N)                                                                  \
  op_##name : {                                                                              \
    uint64_t ea;                                                                             \
    const uint32_t lane = static_cast<uint32_t>(pc[1]) & (16 / (N)-1);                       \
    if (!in_bounds(static_cast<uint32_t>(sp[-3]), pc[0], N, mem_size, ea)) TRAP(kOobMemory); \
    pc += 2;                                                                                 \
    const uint64_t w[2] = {sp[-2], sp[-1]};                                                  \
    std::memcpy(mem + ea, reinterpret_cast<const unsigned char*>(w) + lane * (N), N);        \
    sp -= 3;                                                                                 \
    NEXT();                                                                                  \
  }                                                                                          \
  NOT_FUSED_ALL(name)
  STORE_LANE(V128Store8Lane, 1)
  STORE_LANE(V128Store16Lane, 2)
  STORE_LANE(V128Store32Lane, 4)
  STORE_LANE(V128Store64Lane, 8)
#undef STORE_LANE

op_MemorySize:
  *sp++ = mem_size / kPageBytes;
  NEXT();
op_MemoryGrow : {  // spec 4.4.7.9; failure is -1, never an error
  const std::optional<uint32_t> old =
      grow_memory(*inst->memory0, static_cast<uint32_t>(sp[-1]), s.limits.max_memory_bytes);
  sp[-1] = old ? *old : kMinus1;
  LOAD_MEMORY();
  NEXT();
}
op_MemoryFill : {  // spec 4.4.7.10: bounds first, then the writes
  const uint32_t n = static_cast<uint32_t>(sp[-1]);
  const uint8_t v = static_cast<uint8_t>(sp[-2]);
  const uint32_t dst = static_cast<uint32_t>(sp[-3]);
  sp -= 3;
  if (uint64_t{dst} + n > mem_size) TRAP(kOobMemory);
  SPEND(n / 8);
  if (n) std::memset(mem + dst, v, n);
  NEXT();
}
op_MemoryCopy : {
  const uint32_t n = static_cast<uint32_t>(sp[-1]);
  const uint32_t src = static_cast<uint32_t>(sp[-2]);
  const uint32_t dst = static_cast<uint32_t>(sp[-3]);
  sp -= 3;
  if (uint64_t{src} + n > mem_size || uint64_t{dst} + n > mem_size) TRAP(kOobMemory);
  SPEND(n / 8);
  if (n) std::memmove(mem + dst, mem + src, n);
  NEXT();
}
op_MemoryInit : {
  const std::span<const uint8_t> seg = inst->datas[*pc++];
  const uint32_t n = static_cast<uint32_t>(sp[-1]);
  const uint32_t src = static_cast<uint32_t>(sp[-2]);
  const uint32_t dst = static_cast<uint32_t>(sp[-3]);
  sp -= 3;
  if (uint64_t{src} + n > seg.size() || uint64_t{dst} + n > mem_size) TRAP(kOobMemory);
  SPEND(n / 8);
  if (n) std::memcpy(mem + dst, seg.data() + src, n);
  NEXT();
}
op_DataDrop:
  inst->datas[*pc++] = {};
  NEXT();

  // ------------------------------------------------------------- lanes ----
  // The lane index is an immediate the validator checked; masked by the
  // row's lane count too (as simd::lane_of masks it again), so that a
  // broken invariant still picks a lane of this shape.
#define LANE_OP(name)                                                                                             \
  op_##name : sp = lane_op<&num::name>(sp, static_cast<uint32_t>(*pc++) & (info(Op::name).arg - 1u), &num::name); \
  NEXT();
  LANE_OP(I8x16ExtractLaneS)
  LANE_OP(I8x16ExtractLaneU)
  LANE_OP(I8x16ReplaceLane)
  LANE_OP(I16x8ExtractLaneS)
  LANE_OP(I16x8ExtractLaneU)
  LANE_OP(I16x8ReplaceLane)
  LANE_OP(I32x4ExtractLane)
  LANE_OP(I32x4ReplaceLane)
  LANE_OP(I64x2ExtractLane)
  LANE_OP(I64x2ReplaceLane)
  LANE_OP(F32x4ExtractLane)
  LANE_OP(F32x4ReplaceLane)
  LANE_OP(F64x2ExtractLane)
  LANE_OP(F64x2ReplaceLane)
#undef LANE_OP

  // --------------------------------------------- generated from the table ----
#define WARDEN_OP(name, prefix, code_, text, imm, cls, p1, p2, p3, r, arg, nan, comm) \
  WARDEN_GEN_##cls(name, imm, arg, nan)
#define WARDEN_CANON(nan)                       \
  if constexpr (NanCanon::nan != NanCanon::_) { \
    if (det) canon_top<NanCanon::nan>(sp);      \
  }
#define WARDEN_GEN_Num(name, imm, arg, nan)            \
  op_##name : sp = num_op<&num::name>(sp, &num::name); \
  WARDEN_CANON(nan)                                    \
  NEXT();
#define WARDEN_GEN_Trap(name, imm, arg, nan)                                                     \
  op_##name : if (const char* m_ = MOVING_SP_PC(trap_op<&num::name>(sp_, &num::name))) TRAP(m_); \
  WARDEN_CANON(nan)                                                                              \
  NEXT();
// Ctrl, Load, Store and Other rows are hand-written above (the lane rows
// among Other just below).
#define WARDEN_GEN_Ctrl(...)
#define WARDEN_GEN_Load(...)
#define WARDEN_GEN_Store(...)
#define WARDEN_GEN_Other(...)
#include "warden/opcodes.def"
#undef WARDEN_OP

  // Fused forms of the Num and Trap rows (code.hpp); the Load and Store
  // rows have theirs above, and Ctrl and Other rows take none.
#define FUSED_NUM(name, form, nan)                                                                \
  f##form##_##name : if constexpr (code::fusable(Op::name, form)) {                               \
    MOVING_SP_PC((fused_num<&num::name, form, NanCanon::nan>(sp_, pc_, fp, det, &num::name), 0)); \
    NEXT();                                                                                       \
  }                                                                                               \
  else goto bad_op;
#define FUSED_TRAP(name, form, nan)                                                                                \
  f##form##_##name : if constexpr (code::fusable(Op::name, form)) {                                                \
    if (const char* m_ = MOVING_SP_PC(fused_trap<&num::name, form, NanCanon::nan>(sp_, pc_, fp, det, &num::name))) \
      TRAP(m_);                                                                                                    \
    NEXT();                                                                                                        \
  }                                                                                                                \
  else goto bad_op;
#define WARDEN_OP(name, prefix, code_, text, imm, cls, p1, p2, p3, r, arg, nan, comm) WARDEN_FUSE_##cls(name, nan)
#define WARDEN_FUSE_Num(name, nan)                                                    FUSED_FORMS(FUSED_NUM, name, nan)
#define WARDEN_FUSE_Trap(name, nan)                                                   FUSED_FORMS(FUSED_TRAP, name, nan)
#define WARDEN_FUSE_Ctrl(name, nan)                                                   NOT_FUSED_ALL(name)
#define WARDEN_FUSE_Other(name, nan)                                                  NOT_FUSED_ALL(name)
#define WARDEN_FUSE_Load(...)
#define WARDEN_FUSE_Store(...)
#include "warden/opcodes.def"
#undef WARDEN_OP

  // ------------------------------------------------------------- exits ----
done:
  s.nframes = frame_base;  // what the entry frame's return left: top - s.frames.data()
  s.fuel_ctr = fuel;
  return {};

stack_exhausted:
  message = kStackExhausted;
  kind = ErrorKind::Exhaustion;
  goto on_error;

deadline_exceeded:
  message = "deadline exceeded";
  kind = ErrorKind::Exhaustion;
  goto on_error;

on_trap:
  kind = ErrorKind::Trap;
on_error:
  s.nframes = frame_base;
  s.fuel_ctr = fuel;
  return error_noexcept(kind, message);

uninitialized : {  // the reference interpreter names the element
  s.nframes = frame_base;
  s.fuel_ctr = fuel;
  char text[48];
  std::snprintf(text, sizeof text, "uninitialized element %u", trap_index);
  return error_noexcept(ErrorKind::Trap, text);
}

on_host_error:
  s.nframes = frame_base;
  return host_result;

#undef NEXT
#undef SPEND
#undef TRAP
#undef LOAD_MEMORY
#undef LOAD_INSTANCE
#undef LOAD_FRAMES
#undef SAVE_FRAMES
#undef BR_MOVE
#undef FUSED_LOAD
#undef FUSED_STORE
#undef NOT_FUSED
#undef NOT_FUSED_ALL
#undef FUSED_NUM
#undef FUSED_TRAP
}

}  // namespace

Result<void> execute(Store::Impl& s, const FuncInst* entry, size_t base) noexcept {
  return interpret(&s, entry, base, nullptr);
}

const uint64_t* op_words() noexcept {
  static const std::array<uint64_t, code::kWordCount> words = [] {
    const void* const* labels = nullptr;
    (void)interpret(nullptr, nullptr, 0, &labels);
    std::array<uint64_t, code::kWordCount> w{};
    for (size_t i = 0; i < w.size(); ++i) w[i] = reinterpret_cast<uintptr_t>(labels[i]);
    return w;
  }();
  return words.data();
}

}  // namespace warden

#undef FUSED_FORMS
