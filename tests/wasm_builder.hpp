// A small binary-module builder for the tests (hex dumps, LEB128s, and
// whole modules). It writes only the framing (spec 5.5: section ids and
// sizes, vectors, LEB128s); function bodies and constant expressions are raw
// instruction bytes, written in the tests with the WAT in a comment.
#pragma once
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

#include "warden/warden.hpp"

namespace wasm_builder {

using Bytes = std::vector<uint8_t>;

inline Bytes leb_u(uint64_t v) {
  Bytes out;
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
  return out;
}

inline Bytes leb_s(int64_t v) {
  Bytes out;
  for (;;) {
    uint8_t b = v & 0x7F;
    v >>= 7;  // arithmetic shift (C++20)
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    out.push_back(done ? b : (b | 0x80));
    if (done) return out;
  }
}

/// "00 61 73 6d" -> bytes; anything but hex digits (spaces, newlines) is
/// skipped, so a dump can be pasted with its layout.
inline Bytes hex(std::string_view s) {
  Bytes out;
  int hi = -1;
  for (char c : s) {
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else
      continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

/// Concatenates fragments: cat({{0x20, 0}, i32_const(5), {0x6a}}).
inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline Bytes name(std::string_view s) {
  Bytes out = leb_u(s.size());
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

// ---- instruction helpers for the immediates that are LEB128s ----
inline Bytes i32_const(int32_t v) { return cat({{0x41}, leb_s(v)}); }
inline Bytes i64_const(int64_t v) { return cat({{0x42}, leb_s(v)}); }
inline Bytes f32_const_bits(uint32_t bits) {
  Bytes out{0x43, 0, 0, 0, 0};
  std::memcpy(&out[1], &bits, 4);
  return out;
}
inline Bytes f64_const_bits(uint64_t bits) {
  Bytes out{0x44, 0, 0, 0, 0, 0, 0, 0, 0};
  std::memcpy(&out[1], &bits, 8);
  return out;
}
inline Bytes local_get(uint32_t i) { return cat({{0x20}, leb_u(i)}); }
inline Bytes local_set(uint32_t i) { return cat({{0x21}, leb_u(i)}); }
inline Bytes local_tee(uint32_t i) { return cat({{0x22}, leb_u(i)}); }
inline Bytes global_get(uint32_t i) { return cat({{0x23}, leb_u(i)}); }
inline Bytes global_set(uint32_t i) { return cat({{0x24}, leb_u(i)}); }
inline Bytes call(uint32_t f) { return cat({{0x10}, leb_u(f)}); }
inline Bytes br(uint32_t d) { return cat({{0x0C}, leb_u(d)}); }
inline Bytes br_if(uint32_t d) { return cat({{0x0D}, leb_u(d)}); }
/// A memory instruction `op` with memarg (align exponent, offset).
inline Bytes mem_op(Bytes op, uint32_t align, uint64_t offset) { return cat({op, leb_u(align), leb_u(offset)}); }

class Module {
 public:
  using VT = warden::ValType;

  uint32_t type(std::vector<VT> params, std::vector<VT> results) {
    Bytes t{0x60};
    append(t, vec_of(params));
    append(t, vec_of(results));
    types_.push_back(t);
    return static_cast<uint32_t>(types_.size() - 1);
  }

  uint32_t import_func(std::string_view mod, std::string_view nm, uint32_t type) {
    imports_.push_back(cat({name(mod), name(nm), {0x00}, leb_u(type)}));
    return nfuncs_++;
  }
  uint32_t import_table(std::string_view mod, std::string_view nm, VT elem, uint32_t min,
                        std::optional<uint32_t> max = {}) {
    imports_.push_back(cat({name(mod), name(nm), {0x01, static_cast<uint8_t>(elem)}, limits(min, max)}));
    return ntables_++;
  }
  void import_memory(std::string_view mod, std::string_view nm, uint32_t min, std::optional<uint32_t> max = {}) {
    imports_.push_back(cat({name(mod), name(nm), {0x02}, limits(min, max)}));
  }
  uint32_t import_global(std::string_view mod, std::string_view nm, VT t, bool mut) {
    imports_.push_back(cat({name(mod), name(nm), {0x03, static_cast<uint8_t>(t), uint8_t{mut}}}));
    return nglobals_++;
  }

  /// A defined function; `body` without the final `end`. `locals` are
  /// (count, type) runs.
  uint32_t func(uint32_t type, Bytes body, std::vector<std::pair<uint32_t, VT>> locals = {}) {
    funcs_.push_back(leb_u(type));
    Bytes b = leb_u(locals.size());
    for (auto [n, t] : locals) append(b, cat({leb_u(n), {static_cast<uint8_t>(t)}}));
    append(b, body);
    b.push_back(0x0B);
    codes_.push_back(cat({leb_u(b.size()), b}));
    return nfuncs_++;
  }

  uint32_t table(VT elem, uint32_t min, std::optional<uint32_t> max = {}) {
    tables_.push_back(cat({{static_cast<uint8_t>(elem)}, limits(min, max)}));
    return ntables_++;
  }
  void memory(uint32_t min, std::optional<uint32_t> max = {}) { mems_.push_back(limits(min, max)); }
  /// `init` without the final `end`.
  uint32_t global(VT t, bool mut, Bytes init) {
    globals_.push_back(cat({{static_cast<uint8_t>(t), uint8_t{mut}}, init, {0x0B}}));
    return nglobals_++;
  }

  void export_(std::string_view nm, warden::ExternKind k, uint32_t index) {
    exports_.push_back(cat({name(nm), {static_cast<uint8_t>(k)}, leb_u(index)}));
  }
  void export_func(std::string_view nm, uint32_t f) { export_(nm, warden::ExternKind::Func, f); }

  /// Active funcref segment for table 0 (encoding 0): offset expr, func indices.
  void elem_active(Bytes offset, std::vector<uint32_t> funcs) {
    Bytes s = cat({{0x00}, offset, {0x0B}, leb_u(funcs.size())});
    for (uint32_t f : funcs) append(s, leb_u(f));
    elems_.push_back(s);
  }
  /// Active funcref segment for table `t` (encoding 2).
  void elem_active_table(uint32_t t, Bytes offset, std::vector<uint32_t> funcs) {
    Bytes s = cat({{0x02}, leb_u(t), offset, {0x0B}, {0x00}, leb_u(funcs.size())});
    for (uint32_t f : funcs) append(s, leb_u(f));
    elems_.push_back(s);
  }
  /// Passive funcref segment (encoding 1).
  void elem_passive(std::vector<uint32_t> funcs) {
    Bytes s = cat({{0x01, 0x00}, leb_u(funcs.size())});
    for (uint32_t f : funcs) append(s, leb_u(f));
    elems_.push_back(s);
  }
  /// Declarative funcref segment (encoding 3).
  void elem_declare(std::vector<uint32_t> funcs) {
    Bytes s = cat({{0x03, 0x00}, leb_u(funcs.size())});
    for (uint32_t f : funcs) append(s, leb_u(f));
    elems_.push_back(s);
  }

  void data_active(Bytes offset, Bytes bytes) {
    datas_.push_back(cat({{0x00}, offset, {0x0B}, leb_u(bytes.size()), bytes}));
  }
  void data_passive(Bytes bytes) { datas_.push_back(cat({{0x01}, leb_u(bytes.size()), bytes})); }

  void start(uint32_t f) { start_ = f; }

  Bytes build() const {
    Bytes out{0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
    section(out, 1, types_);
    section(out, 2, imports_);
    section(out, 3, funcs_);
    section(out, 4, tables_);
    section(out, 5, mems_);
    section(out, 6, globals_);
    section(out, 7, exports_);
    if (start_) {
      Bytes s = leb_u(*start_);
      append(out, cat({{0x08}, leb_u(s.size()), s}));
    }
    section(out, 9, elems_);
    if (!datas_.empty()) {  // data count, so memory.init/data.drop validate
      Bytes s = leb_u(datas_.size());
      append(out, cat({{0x0C}, leb_u(s.size()), s}));
    }
    section(out, 10, codes_);
    section(out, 11, datas_);
    return out;
  }

 private:
  static void append(Bytes& a, const Bytes& b) { a.insert(a.end(), b.begin(), b.end()); }
  static Bytes vec_of(const std::vector<VT>& ts) {
    Bytes b = leb_u(ts.size());
    for (VT t : ts) b.push_back(static_cast<uint8_t>(t));
    return b;
  }
  static Bytes limits(uint32_t min, std::optional<uint32_t> max) {
    return max ? cat({{0x01}, leb_u(min), leb_u(*max)}) : cat({{0x00}, leb_u(min)});
  }
  static void section(Bytes& out, uint8_t id, const std::vector<Bytes>& items) {
    if (items.empty()) return;
    Bytes body = leb_u(items.size());
    for (const Bytes& i : items) append(body, i);
    append(out, cat({{id}, leb_u(body.size()), body}));
  }

  std::vector<Bytes> types_, imports_, funcs_, tables_, mems_, globals_, exports_, elems_, datas_, codes_;
  std::optional<uint32_t> start_;
  uint32_t nfuncs_ = 0, ntables_ = 0, nglobals_ = 0;
};

}  // namespace wasm_builder
