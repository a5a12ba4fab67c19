#include "protocol_server.hpp"

#include <algorithm>
#include <istream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "process.hpp"
#include "protocol_engine.hpp"

namespace warden::diff {
namespace {

using json = nlohmann::json;

std::optional<ValType> type_named(const std::string& s) {
  for (ValType t :
       {ValType::I32, ValType::I64, ValType::F32, ValType::F64, ValType::V128, ValType::FuncRef, ValType::ExternRef})
    if (to_string(t) == s) return t;
  return std::nullopt;
}

// [TYPE, HEX] as a Value; only null references cross (a reference is
// opaque outside its engine).
std::optional<Value> value_of(const json& arg) {
  if (!arg.is_array() || arg.size() != 2 || !arg[0].is_string() || !arg[1].is_string()) return std::nullopt;
  std::optional<ValType> t = type_named(arg[0].get<std::string>());
  if (!t) return std::nullopt;
  Value v{*t, 0, 0};
  if (!parse_hex(arg[1].get<std::string>(), *t == ValType::V128 ? 32 : 16, v.hi, v.lo)) return std::nullopt;
  if (*t != ValType::V128) v.hi = 0;
  if (is_ref(*t) && v.lo != 0) return std::nullopt;
  return v;
}

json verdict_json(const LoadResult& l) {
  json j = {{"v", std::string(to_string(l.verdict))}};
  if (!l.message.empty()) j["msg"] = l.message;
  if (l.offset != kNoOffset) j["offset"] = l.offset;
  return j;
}

// The protocol's word for a status ("notrun" where to_string says
// "not-run"; a hang, which the engines behind a server do not report, as
// a crash).
std::string_view status_word(Outcome::Status s) {
  if (s == Outcome::Status::NotRun) return "notrun";
  if (s == Outcome::Status::Crash || s == Outcome::Status::Hang) return "crash";
  return to_string(s);
}

// The values of an "ok" outcome as HEX, by the call's result types (the
// comparison's form holds a v128 as two values, low half first). When the
// types do not account for the values, each value is sent as it is, and
// the adapter says the count is wrong.
json values_json(const Outcome& o, const std::vector<ValType>& types) {
  json vals = json::array();
  size_t need = 0;
  for (ValType t : types) need += t == ValType::V128 ? 2 : 1;
  if (need != o.values.size()) {
    for (uint64_t v : o.values) vals.push_back(value_hex(Value{ValType::I64, v, 0}));
    return vals;
  }
  size_t k = 0;
  for (ValType t : types) {
    Value v{t, o.values[k], t == ValType::V128 ? o.values[k + 1] : 0};
    k += t == ValType::V128 ? 2 : 1;
    vals.push_back(value_hex(v));
  }
  return vals;
}

json outcome_json(const Outcome& o, const std::vector<ValType>* types) {
  json j = {{"s", status_word(o.status)}};
  if (o.status == Outcome::Status::Ok && types) j["vals"] = values_json(o, *types);
  if (o.status == Outcome::Status::Trap) j["trap"] = trap_names(o.trap);
  if (!o.message.empty()) j["msg"] = o.message;
  return j;
}

// A reply line; bytes of a message that are not UTF-8 (an engine may quote
// a module's names) are replaced, never a reason to fail.
std::string line_of(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

ProtocolServer::ProtocolServer(std::string name, std::string version, Factory make)
    : name_(std::move(name)), version_(std::move(version)), make_(std::move(make)) {}

Engine& ProtocolServer::engine_for(const EngineLimits& limits) {
  bool same = engine_ && limits.call_depth == limits_.call_depth && limits.timeout_ms == limits_.timeout_ms &&
              limits.memory_bytes == limits_.memory_bytes;
  if (!same) {
    engine_ = make_(limits);
    limits_ = limits;
  }
  return *engine_;
}

std::string ProtocolServer::handle(const std::string& line) {
  // A field of the wrong type is the request's fault: an error reply.
  try {
    return answer(line);
  } catch (const json::exception& e) {
    return line_of({{"error", std::string("bad request: ") + e.what()}});
  }
}

std::string ProtocolServer::answer(const std::string& line) {
  json req = json::parse(line, nullptr, false);
  if (!req.is_object()) return line_of(json{{"error", "not a JSON object"}});
  std::string op = req.value("op", "");
  if (op == "hello") {
    Engine& e = engine_for(limits_);
    return line_of(json{{"protocol", kProtocolVersion},
                        {"name", name_},
                        {"version", version_},
                        {"validate", true},
                        {"three_way", e.three_way()},
                        {"run", true},
                        {"arguments", e.passes_arguments()}});
  }
  if (op == "reset") return line_of(json{{"ok", true}});
  if (op == "validate") {
    std::optional<std::vector<uint8_t>> bytes = from_base64(req.value("wasm", ""));
    if (!bytes) return line_of(json{{"error", "wasm is not base64"}});
    std::span<const uint8_t> one[] = {*bytes};
    return line_of(verdict_json(engine_for(limits_).validate(one).front()));
  }
  if (op == "run") return run(req);
  return line_of(json{{"error", "cannot do " + req.dump().substr(0, 80)}});
}

std::string ProtocolServer::run(const json& req) {
  std::optional<std::vector<uint8_t>> bytes = from_base64(req.value("wasm", ""));
  if (!bytes) return line_of(json{{"error", "wasm is not base64"}});
  const json lj = req.value("limits", json::object());
  EngineLimits limits;
  limits.call_depth = lj.value("call_depth", limits.call_depth);
  limits.timeout_ms = lj.value("timeout_ms", limits.timeout_ms);
  limits.memory_bytes = lj.value("memory_bytes", limits.memory_bytes);
  // The calls up to the first whose arguments cannot cross: that one is
  // unsupported and, as the state it would leave is unknown, the rest are
  // not run.
  const json cj = req.value("calls", json::array());
  RunJob job{*bytes, {}};
  size_t cut = cj.is_array() ? cj.size() : 0;
  for (size_t i = 0; i < cut; ++i) {
    Call c;
    c.name = cj[i].value("name", "");
    bool crosses = true;
    for (const json& a : cj[i].value("args", json::array())) {
      std::optional<Value> v = value_of(a);
      crosses = crosses && v;
      if (v) c.args.push_back(*v);
    }
    for (const json& r : cj[i].value("results", json::array())) {
      std::optional<ValType> t = r.is_string() ? type_named(r.get<std::string>()) : std::nullopt;
      if (t) c.results.push_back(*t);
    }
    if (!crosses) {
      cut = i;
      break;
    }
    job.calls.push_back(std::move(c));
  }
  RunResult r = engine_for(limits).run_one(job);
  json out = {{"load", verdict_json(r.load)}, {"inst", outcome_json(r.instantiate, nullptr)}, {"calls", json::array()}};
  for (size_t i = 0; i < std::min(r.calls.size(), job.calls.size()); ++i)
    out["calls"].push_back(outcome_json(r.calls[i], &job.calls[i].results));
  size_t total = cj.is_array() ? cj.size() : 0;
  for (size_t i = cut; i < total; ++i) {
    bool first = i == cut && r.load.verdict == Verdict::Valid && r.instantiate.status == Outcome::Status::Ok;
    out["calls"].push_back(first ? json{{"s", "unsupported"}, {"msg", "an argument that cannot cross"}}
                                 : json{{"s", "notrun"}});
  }
  return line_of(out);
}

int ProtocolServer::serve(std::istream& in, std::ostream& out) {
  std::string line;
  while (std::getline(in, line)) out << handle(line) << '\n' << std::flush;
  return 0;
}

}  // namespace warden::diff
