// A deliberately wrong engine, for tests/protocol_test.cpp: Warden itself
// behind the engine protocol, version 1 (docs/engine-protocol.md), except
// that it executes every FROM instruction of a module as TO (both of one
// type, so the module stays valid). A differential campaign against Warden
// must find it and name FROM.
//
//   faulty_engine FROM TO     e.g. faulty_engine i32.rotl i32.rotr
//
// With FROM equal to TO it is a correct engine, which a campaign must not
// fault. It uses Warden's public API only (warden/), as a user's adapter
// for their own runtime would. It leaves trap kinds unnamed, so Warden reads
// its messages (the spec testsuite's wording) instead.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "warden/binary.hpp"
#include "warden/spectest.hpp"
#include "warden/syntax.hpp"
#include "warden/warden.hpp"

namespace {

using json = nlohmann::json;
using namespace warden;

std::optional<std::vector<uint8_t>> from_base64(const std::string& s) {
  std::vector<uint8_t> out;
  uint32_t bits = 0;
  int have = 0;
  for (char c : s) {
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+'             ? 62
            : c == '/'             ? 63
                                   : -1;
    if (c == '=') break;
    if (v < 0) return std::nullopt;
    bits = bits << 6 | static_cast<uint32_t>(v);
    have += 6;
    if (have >= 8) {
      have -= 8;
      out.push_back(static_cast<uint8_t>(bits >> have));
    }
  }
  return out;
}

std::string hex(uint64_t v, int width = 0) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%0*llx", width, static_cast<unsigned long long>(v));
  return buf;
}

std::optional<ValType> type_named(const std::string& s) {
  for (ValType t :
       {ValType::I32, ValType::I64, ValType::F32, ValType::F64, ValType::V128, ValType::FuncRef, ValType::ExternRef})
    if (to_string(t) == s) return t;
  return std::nullopt;
}

// [TYPE, HEX] -> a Value; only null references cross.
std::optional<Value> value_of(const json& arg) {
  if (!arg.is_array() || arg.size() != 2 || !arg[0].is_string() || !arg[1].is_string()) return std::nullopt;
  std::optional<ValType> t = type_named(arg[0].get<std::string>());
  std::string h = arg[1].get<std::string>();
  if (!t || h.empty() || h.size() > (*t == ValType::V128 ? 32u : 16u)) return std::nullopt;
  if (h.find_first_not_of("0123456789abcdef") != std::string::npos) return std::nullopt;
  Value v{*t, 0, 0};
  if (*t == ValType::V128 && h.size() > 16) {
    v.hi = std::stoull(h.substr(0, h.size() - 16), nullptr, 16);
    h = h.substr(h.size() - 16);
  }
  v.lo = std::stoull(h, nullptr, 16);
  if (is_ref(*t) && v.lo != 0) return std::nullopt;
  return v;
}

std::string hex_of(const Value& v) {
  if (v.type == ValType::V128) return hex(v.hi, 16) + hex(v.lo, 16);
  if (is_ref(v.type)) return v.is_null() ? "0" : "1";
  return hex(v.lo);
}

json verdict(const Error& e) {
  const char* v = e.kind == ErrorKind::Malformed ? "malformed" : e.kind == ErrorKind::Invalid ? "invalid" : "limit";
  json j = {{"v", v}, {"msg", e.message}};
  if (e.offset != kNoOffset) j["offset"] = e.offset;
  return j;
}

json outcome(const Error& e) {
  switch (e.kind) {
    case ErrorKind::Trap:
    case ErrorKind::Uninstantiable: return {{"s", "trap"}, {"msg", e.message}};
    case ErrorKind::Unlinkable: return {{"s", "unlinkable"}, {"msg", e.message}};
    case ErrorKind::Exhaustion:
      // The call-depth limit is the one every engine has, as a trap.
      if (e.message.find("call stack exhausted") != std::string::npos) return {{"s", "trap"}, {"msg", e.message}};
      return {{"s", "exhausted"}, {"msg", e.message}};
    default: return {{"s", "crash"}, {"msg", e.message}};
  }
}

class Faulty {
 public:
  Faulty(Op from, Op to) : from_(from), to_(to) {}

  json handle(const json& req) {
    std::string op = req.value("op", "");
    if (op == "hello")
      return {{"protocol", 1},
              {"name", "faulty"},
              {"version", "warden, executing " + std::string(name(from_)) + " as " + std::string(name(to_))},
              {"validate", true},
              {"three_way", true},
              {"run", true},
              {"arguments", true}};
    if (op == "reset") return {{"ok", true}};
    std::optional<std::vector<uint8_t>> bytes = from_base64(req.value("wasm", ""));
    if (op == "validate" && bytes) {
      Result<std::shared_ptr<const Module>> m = Module::load(*bytes);
      return m ? json{{"v", "valid"}} : verdict(m.error());
    }
    if (op == "run" && bytes) return run(req, *bytes);
    return {{"error", "cannot do " + req.dump().substr(0, 80)}};
  }

 private:
  json run(const json& req, const std::vector<uint8_t>& bytes) {
    const json limits = req.value("limits", json::object());
    Limits l;
    if (uint32_t depth = limits.value("call_depth", 0u)) l.max_call_depth = depth;
    l.timeout_ms = limits.value("timeout_ms", uint64_t{0});
    l.max_memory_bytes = limits.value("memory_bytes", l.max_memory_bytes);
    const json calls = req.value("calls", json::array());
    json out = {{"load", {{"v", "valid"}}}, {"inst", {{"s", "notrun"}}}, {"calls", json::array()}};
    for (size_t i = 0; i < calls.size(); ++i) out["calls"].push_back({{"s", "notrun"}});
    Result<ast::Module> tree = decode(bytes, l);
    if (!tree) {
      out["load"] = verdict(tree.error());
      return out;
    }
    // The fault.
    for (ast::Function& f : tree->funcs)
      for (ast::Instr& i : f.body)
        if (i.op == from_) i.op = to_;
    Result<std::shared_ptr<const Module>> m = load_syntax(std::move(*tree), l);
    if (!m) {
      out["load"] = verdict(m.error());
      return out;
    }
    Store store(l);
    Linker linker;
    define_spectest(store, linker);
    Result<std::vector<Extern>> imports = linker.resolve(**m);
    if (!imports) {
      out["inst"] = outcome(imports.error());
      return out;
    }
    Result<Instance*> inst = store.instantiate(*m, *imports);
    if (!inst) {
      out["inst"] = outcome(inst.error());
      return out;
    }
    out["inst"] = {{"s", "ok"}};
    for (size_t i = 0; i < calls.size(); ++i) out["calls"][i] = call(store, **inst, calls[i]);
    return out;
  }

  json call(Store& store, const Instance& inst, const json& c) {
    std::optional<Extern> e = inst.find_export(c.value("name", ""));
    if (!e || e->kind != ExternKind::Func) return {{"s", "unsupported"}, {"msg", "no function export"}};
    std::vector<Value> args;
    for (const json& a : c.value("args", json::array())) {
      std::optional<Value> v = value_of(a);
      if (!v) return {{"s", "unsupported"}, {"msg", "argument " + a.dump()}};
      args.push_back(*v);
    }
    Result<std::vector<Value>> r = store.invoke(e->func, args);
    if (!r) return outcome(r.error());
    json vals = json::array();
    for (const Value& v : *r) vals.push_back(hex_of(v));
    return {{"s", "ok"}, {"vals", vals}};
  }

  Op from_, to_;
};

}  // namespace

int main(int argc, char** argv) {
  std::optional<Op> from = argc == 3 ? lookup_opcode(argv[1]) : std::nullopt;
  std::optional<Op> to = argc == 3 ? lookup_opcode(argv[2]) : std::nullopt;
  if (!from || !to) {
    std::fprintf(stderr, "usage: faulty_engine FROM TO (instruction names, e.g. i32.rotl i32.rotr)\n");
    return 64;
  }
  Faulty engine(*from, *to);
  std::string line;
  while (std::getline(std::cin, line)) {
    json req = json::parse(line, nullptr, false);
    json reply = req.is_object() ? engine.handle(req) : json{{"error", "not a JSON object"}};
    std::cout << reply.dump() << '\n' << std::flush;
  }
  return 0;
}
