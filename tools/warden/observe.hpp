// What `warden run` reports about a run (docs/observability.md): a
// Prometheus text exposition (--metrics FILE) and a JSON-lines security
// event log (--log-json FILE). Both are written once, when the run ends;
// nothing here is on the interpreter's path, so a run without them pays
// nothing and one with them pays a few clock reads.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "warden/wasi.hpp"

namespace warden::cli {

/// One timed phase, in Unix nanoseconds (for OpenTelemetry spans).
struct Span {
  std::string name;
  uint64_t start_ns = 0, end_ns = 0;
};

struct RunReport {
  std::string module;  ///< the file, as given
  uint64_t module_bytes = 0;
  uint32_t load_threads = 0;  ///< Limits::load_threads of the load; 0: no load ran
  std::string sha256;         ///< hex, of the file's bytes
  std::string signer;         ///< the key file that verified it, if one did
  /// Seconds per phase (read the file, verify its signature, load =
  /// decode + validate + compile, instantiate, invoke); -1 when not reached.
  double read = -1, verify = -1, load = -1, instantiate = -1, invoke = -1;
  std::vector<Span> spans;  ///< the same phases, in order, as wall-clock intervals
  uint64_t invocations = 0;
  uint64_t fuel_consumed = 0;
  uint64_t memory_bytes = 0, table_elements = 0;
  double cpu_seconds = -1;                  ///< the process's user + system time at the end
  std::vector<std::string> wasi_functions;  ///< names for the counts below
  std::vector<uint64_t> wasi_calls, wasi_denied;
  uint64_t wasi_faults = 0;
  std::vector<std::string> denials;  ///< wasi::Stats::denials
  /// How the run ended: returned, proc_exit, trap, exhausted, denied,
  /// unsigned, malformed, invalid, unlinkable, uninstantiable, usage.
  std::string outcome;
  int exit_code = 0;
  std::string message;  ///< the trap's or limit's words, or the refusal's
  /// RFC 3339 times: when the module was read, and when the run ended
  /// (the events of loading carry the first, the others the second).
  std::string started_at, ended_at;
};

/// A wall-clock stopwatch for the phases.
class Stopwatch {
 public:
  Stopwatch() : t_(std::chrono::steady_clock::now()), wall_(unix_ns()) {}
  /// Seconds since the last lap (or the start).
  double lap() {
    auto now = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(now - t_).count();
    t_ = now;
    wall_ = unix_ns();
    return s;
  }
  /// The same, recording the interval as a span called `name`.
  double lap(std::vector<Span>& spans, const char* name) {
    const uint64_t start = wall_;
    double s = lap();
    spans.push_back({name, start, wall_});
    return s;
  }
  static uint64_t unix_ns() {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
  }

 private:
  std::chrono::steady_clock::time_point t_;
  uint64_t wall_;
};

/// Writes the Prometheus text exposition format 0.0.4: a family's HELP and
/// TYPE, then its samples, each with `base` labels first (`module="x"`).
class Exposition {
 public:
  explicit Exposition(std::string base = {}) : base_(std::move(base)) {}
  void family(const char* name, const char* type, const char* help);
  void sample(const char* name, double v, const std::string& labels = "");
  std::string take() { return std::move(out_); }

 private:
  std::string base_, out_;
};
/// A label value escaped as the format wants (\\, \", \n).
std::string label(const std::string& v);
/// Writes `text` to `path`; false (having said why on stderr) on failure.
bool write_metrics(const std::string& path, const std::string& text, const char* command);

/// The report as Prometheus text exposition format 0.0.4 (names
/// warden_*, base units, counters ending _total, HELP and TYPE for each).
std::string prometheus_text(const RunReport& r);

/// The report as security events, one JSON object a line, in order:
/// module_loaded or signature_failed; capability_denied (one a denial);
/// host_call_fault; trap or limit_hit; instance_exit. Each has "time"
/// (RFC 3339, UTC, ns), "event" and "module".
std::vector<std::string> security_events(const RunReport& r);

/// The run as one OTLP/JSON trace (an ExportTraceServiceRequest on one
/// line, what the OpenTelemetry Collector's file receiver reads): a root
/// span "warden.run" and a child per phase (read, verify, load,
/// instantiate, invoke), with the module, outcome and WASI calls by
/// function as attributes; fresh random trace and span ids.
std::string otlp_trace(const RunReport& r);

/// Now as RFC 3339 UTC with nanoseconds: "2026-12-05T03:04:05.123456789Z".
std::string rfc3339_now();

/// SHA-256 of `bytes` as lowercase hex (libsodium).
std::string sha256_hex(const std::vector<uint8_t>& bytes);

}  // namespace warden::cli
