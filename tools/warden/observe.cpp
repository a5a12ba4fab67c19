#include "observe.hpp"

#include <sodium.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>

namespace warden::cli {
namespace {}  // namespace

std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Exposition::family(const char* name, const char* type, const char* help) {
  out_ += "# HELP " + std::string(name) + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void Exposition::sample(const char* name, double v, const std::string& labels) {
  char num[64];
  std::snprintf(num, sizeof num, "%.9g", v);
  std::string all = base_.empty() ? labels : labels.empty() ? base_ : base_ + "," + labels;
  out_ += std::string(name) + (all.empty() ? "" : "{" + all + "}") + " " + num + "\n";
}

std::string prometheus_text(const RunReport& r) {
  Exposition e("module=\"" + label(r.module) + "\"");
  e.family("warden_module_size_bytes", "gauge", "Size of the module file.");
  e.sample("warden_module_size_bytes", static_cast<double>(r.module_bytes));
  if (r.load_threads > 0) {
    e.family("warden_load_threads", "gauge",
             "Workers the load was given for function bodies (Limits::load_threads); at most that many ran.");
    e.sample("warden_load_threads", r.load_threads);
  }
  e.family("warden_phase_duration_seconds", "gauge",
           "Wall-clock time of each phase that ran: read, verify, load (decode, validate, compile), "
           "instantiate, invoke.");
  for (const auto& [phase, secs] : {std::pair<const char*, double>{"read", r.read},
                                    {"verify", r.verify},
                                    {"load", r.load},
                                    {"instantiate", r.instantiate},
                                    {"invoke", r.invoke}})
    if (secs >= 0) e.sample("warden_phase_duration_seconds", secs, std::string("phase=\"") + phase + "\"");
  if (r.instantiate >= 0) {
    e.family("warden_startup_seconds", "gauge", "Time from the module's bytes to a ready instance.");
    e.sample("warden_startup_seconds", r.read + std::max(0.0, r.verify) + r.load + r.instantiate);
  }
  e.family("warden_invocations_total", "counter", "Exported functions invoked.");
  e.sample("warden_invocations_total", static_cast<double>(r.invocations));
  e.family("warden_fuel_consumed_total", "counter", "Fuel used: function entries and loop iterations.");
  e.sample("warden_fuel_consumed_total", static_cast<double>(r.fuel_consumed));
  e.family("warden_memory_peak_bytes", "gauge", "Bytes of linear memory at the end of the run (its peak).");
  e.sample("warden_memory_peak_bytes", static_cast<double>(r.memory_bytes));
  if (r.cpu_seconds >= 0) {
    e.family("warden_cpu_seconds_total", "counter", "CPU time of the process, user and system.");
    e.sample("warden_cpu_seconds_total", r.cpu_seconds);
  }
  e.family("warden_table_elements", "gauge", "Elements of all tables at the end of the run.");
  e.sample("warden_table_elements", static_cast<double>(r.table_elements));
  e.family("warden_wasi_calls_total", "counter", "WASI calls, by function.");
  for (size_t i = 0; i < r.wasi_calls.size() && i < r.wasi_functions.size(); ++i)
    if (r.wasi_calls[i])
      e.sample("warden_wasi_calls_total", static_cast<double>(r.wasi_calls[i]),
               "function=\"" + r.wasi_functions[i] + "\"");
  e.family("warden_wasi_denials_total", "counter", "WASI calls the policy refused, by function.");
  for (size_t i = 0; i < r.wasi_denied.size() && i < r.wasi_functions.size(); ++i)
    if (r.wasi_denied[i])
      e.sample("warden_wasi_denials_total", static_cast<double>(r.wasi_denied[i]),
               "function=\"" + r.wasi_functions[i] + "\"");
  e.family("warden_wasi_faults_total", "counter", "WASI calls refused for guest pointers out of bounds (EFAULT).");
  e.sample("warden_wasi_faults_total", static_cast<double>(r.wasi_faults));
  e.family("warden_runs_total", "counter", "Runs, by how they ended.");
  e.sample("warden_runs_total", 1, "outcome=\"" + r.outcome + "\"");
  if (r.outcome == "trap") {
    e.family("warden_traps_total", "counter", "Traps, by the spec's words for their kind.");
    e.sample("warden_traps_total", 1, "kind=\"" + label(r.message) + "\"");
  }
  if (r.outcome == "exhausted") {
    e.family("warden_exhaustions_total", "counter", "Runs ended by a resource limit, by the limit's words.");
    e.sample("warden_exhaustions_total", 1, "limit=\"" + label(r.message) + "\"");
  }
  return e.take();
}

std::vector<std::string> security_events(const RunReport& r) {
  std::vector<std::string> out;
  auto event = [&](const std::string& time, const char* name) {
    nlohmann::ordered_json j;
    j["time"] = time;
    j["event"] = name;
    j["module"] = r.module;
    return j;
  };
  auto put = [&](const nlohmann::ordered_json& j) {
    out.push_back(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  };
  if (r.outcome == "unsigned") {
    auto j = event(r.started_at, "signature_failed");
    j["sha256"] = r.sha256;
    j["size"] = r.module_bytes;
    j["reason"] = r.message;
    put(j);
  } else if (r.load >= 0) {
    auto j = event(r.started_at, "module_loaded");
    j["sha256"] = r.sha256;
    j["size"] = r.module_bytes;
    j["signer"] = r.signer.empty() ? nullptr : nlohmann::ordered_json(r.signer);
    put(j);
  }
  for (const std::string& d : r.denials) {
    auto j = event(r.ended_at, "capability_denied");
    j["function"] = d.substr(0, d.find(':'));
    j["detail"] = d;
    put(j);
  }
  if (r.wasi_faults) {
    auto j = event(r.ended_at, "host_call_fault");
    j["count"] = r.wasi_faults;
    put(j);
  }
  if (r.outcome == "trap") {
    auto j = event(r.ended_at, "trap");
    j["message"] = r.message;
    put(j);
  } else if (r.outcome == "exhausted") {
    auto j = event(r.ended_at, "limit_hit");
    j["limit"] = r.message;
    put(j);
  }
  auto j = event(r.ended_at, "instance_exit");
  j["outcome"] = r.outcome;
  j["exit_code"] = r.exit_code;
  if (!r.message.empty() && r.outcome != "trap" && r.outcome != "exhausted") j["message"] = r.message;
  put(j);
  return out;
}

std::string otlp_trace(const RunReport& r) {
  using json = nlohmann::ordered_json;
  if (sodium_init() < 0) return "";
  auto hex_id = [](size_t bytes) {  // random, never all zeros (an invalid id)
    std::vector<unsigned char> b(bytes);
    do randombytes_buf(b.data(), b.size());
    while (std::all_of(b.begin(), b.end(), [](unsigned char c) { return c == 0; }));
    std::string h(2 * bytes + 1, '\0');
    sodium_bin2hex(h.data(), h.size(), b.data(), b.size());
    h.pop_back();
    return h;
  };
  auto str = [](const std::string& k, const std::string& v) {
    return json{{"key", k}, {"value", {{"stringValue", v}}}};
  };
  auto num = [](const std::string& k, uint64_t v) {
    return json{{"key", k}, {"value", {{"intValue", std::to_string(v)}}}};  // int64 as a JSON string (OTLP/JSON)
  };
  const std::string trace = hex_id(16), root = hex_id(8);
  uint64_t start = r.spans.empty() ? Stopwatch::unix_ns() : r.spans.front().start_ns;
  uint64_t end = r.spans.empty() ? start : r.spans.back().end_ns;
  const bool failed = r.outcome != "returned" && r.outcome != "proc_exit";
  json root_attrs =
      json::array({str("warden.module", r.module), str("warden.outcome", r.outcome),
                   num("warden.exit_code", static_cast<uint64_t>(r.exit_code)),
                   num("warden.fuel_consumed", r.fuel_consumed), num("warden.memory_peak_bytes", r.memory_bytes)});
  for (size_t i = 0; i < r.wasi_calls.size() && i < r.wasi_functions.size(); ++i)
    if (r.wasi_calls[i]) root_attrs.push_back(num("warden.wasi.calls." + r.wasi_functions[i], r.wasi_calls[i]));
  json status = failed ? json{{"code", 2}, {"message", r.outcome + (r.message.empty() ? "" : ": " + r.message)}}
                       : json{{"code", 1}};
  json spans = json::array();
  spans.push_back({{"traceId", trace},
                   {"spanId", root},
                   {"name", "warden.run"},
                   {"kind", 1},
                   {"startTimeUnixNano", std::to_string(start)},
                   {"endTimeUnixNano", std::to_string(end)},
                   {"attributes", root_attrs},
                   {"status", status}});
  for (const Span& s : r.spans)
    spans.push_back({{"traceId", trace},
                     {"spanId", hex_id(8)},
                     {"parentSpanId", root},
                     {"name", "warden." + s.name},
                     {"kind", 1},
                     {"startTimeUnixNano", std::to_string(s.start_ns)},
                     {"endTimeUnixNano", std::to_string(s.end_ns)}});
  json request = {
      {"resourceSpans",
       json::array({{{"resource", {{"attributes", json::array({str("service.name", "warden")})}}},
                     {"scopeSpans", json::array({{{"scope", {{"name", "warden"}}}, {"spans", spans}}})}}})}};
  return request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool write_metrics(const std::string& path, const std::string& text, const char* command) {
  std::ofstream f(path);
  f << text;
  f.close();
  if (!f) std::fprintf(stderr, "warden %s: cannot write %s\n", command, path.c_str());
  return static_cast<bool>(f);
}

std::string rfc3339_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm utc{};
  gmtime_r(&ts.tv_sec, &utc);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long>(ts.tv_nsec));
  return buf;
}

std::string sha256_hex(const std::vector<uint8_t>& bytes) {
  if (sodium_init() < 0) return "";
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, bytes.data(), bytes.size());
  char hex[2 * sizeof d + 1];
  sodium_bin2hex(hex, sizeof hex, d, sizeof d);
  return hex;
}

}  // namespace warden::cli
