// `warden serve`: one module per route, a fresh instance per request, under
// the WAGI convention (docs/serve.md): the request body is the guest's
// stdin, the method, path, query and headers are its environment, and its
// stdout is the response, optionally led by CGI-style headers.
//
// Modules are read, verified (--require-signature) and compiled once, at
// start-up; a module that fails any of that stops the server before it
// listens. Each request gets its own Store (limits: fuel, deadline,
// memory), its own WASI context and its own stdin/stdout/stderr (memfds):
// nothing of one request is visible to another. Compiled modules are
// shared between the worker threads (warden.hpp: Module is immutable).
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include <httplib.h>
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "cli.hpp"
#include "observe.hpp"
#include "policy.hpp"
#include "warden/wasi.hpp"

namespace warden::cli {
namespace {

struct ServeOptions {
  std::vector<std::string> routes;  ///< "PATH=MODULE"
  std::string host = "127.0.0.1";
  int port = 8080;
  unsigned workers = 0;
  std::string policy;
  std::vector<std::string> require_signature;
  uint64_t fuel = 0, timeout_ms = 0;
  std::string max_memory;
  uint64_t max_body = 1 << 20;
};

struct Route {
  std::string path, file;
  std::shared_ptr<const Module> module;
};

// ---- per-route figures for /metrics
constexpr double kBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
struct Histogram {
  uint64_t counts[std::size(kBuckets)] = {};
  uint64_t count = 0;
  double sum = 0;
  void add(double v) {
    for (size_t i = 0; i < std::size(kBuckets); ++i) counts[i] += v <= kBuckets[i];
    ++count;
    sum += v;
  }
};
struct RouteStats {
  std::map<int, uint64_t> responses;         ///< by HTTP status
  std::map<std::string, uint64_t> outcomes;  ///< returned, proc_exit, trap, exhausted, ...
  Histogram latency, instantiate;
  uint64_t fuel = 0;
};

class Server {
 public:
  Server(std::vector<Route> routes, Limits limits, Policy policy)
      : routes_(std::move(routes)), limits_(limits), policy_(std::move(policy)) {}

  /// Runs one request: the status, headers and body of the response.
  void handle(const Route& route, const httplib::Request& req, httplib::Response& res) {
    Stopwatch clock;
    double instantiate_s = 0;
    uint64_t fuel = 0;
    std::string outcome;
    int status = run(route, req, res, instantiate_s, fuel, outcome);
    res.status = status;
    std::lock_guard<std::mutex> lock(mutex_);
    RouteStats& s = stats_[route.path];
    ++s.responses[status];
    ++s.outcomes[outcome];
    s.latency.add(clock.lap());
    if (instantiate_s > 0) s.instantiate.add(instantiate_s);
    s.fuel += fuel;
  }

  std::string metrics() {
    std::lock_guard<std::mutex> lock(mutex_);
    Exposition e;
    e.family("warden_serve_requests_total", "counter", "Requests answered, by route and HTTP status.");
    for (const auto& [path, s] : stats_)
      for (const auto& [code, n] : s.responses)
        e.sample("warden_serve_requests_total", static_cast<double>(n),
                 "route=\"" + label(path) + "\",status=\"" + std::to_string(code) + "\"");
    e.family("warden_serve_outcomes_total", "counter", "Requests by how the instance ended.");
    for (const auto& [path, s] : stats_)
      for (const auto& [o, n] : s.outcomes)
        e.sample("warden_serve_outcomes_total", static_cast<double>(n),
                 "route=\"" + label(path) + "\",outcome=\"" + label(o) + "\"");
    histogram(e, "warden_serve_request_duration_seconds", "Time to answer a request, instance and all.",
              &RouteStats::latency);
    histogram(e, "warden_serve_instantiate_seconds", "Time to instantiate a request's instance.",
              &RouteStats::instantiate);
    e.family("warden_serve_fuel_consumed_total", "counter", "Fuel the route's instances used.");
    for (const auto& [path, s] : stats_)
      e.sample("warden_serve_fuel_consumed_total", static_cast<double>(s.fuel), "route=\"" + label(path) + "\"");
    return e.take();
  }

 private:
  void histogram(Exposition& e, const char* name, const char* help, Histogram RouteStats::*which) {
    e.family(name, "histogram", help);
    const std::string bucket = std::string(name) + "_bucket", sum = std::string(name) + "_sum",
                      count = std::string(name) + "_count";
    for (const auto& [path, s] : stats_) {
      const Histogram& h = s.*which;
      const std::string r = "route=\"" + label(path) + "\"";
      for (size_t i = 0; i < std::size(kBuckets); ++i) {
        char le[32];
        std::snprintf(le, sizeof le, "%g", kBuckets[i]);
        e.sample(bucket.c_str(), static_cast<double>(h.counts[i]), r + ",le=\"" + le + "\"");
      }
      e.sample(bucket.c_str(), static_cast<double>(h.count), r + ",le=\"+Inf\"");
      e.sample(sum.c_str(), h.sum, r);
      e.sample(count.c_str(), static_cast<double>(h.count), r);
    }
  }

  static std::string read_all(int fd) {
    std::string s;
    if (lseek(fd, 0, SEEK_SET) != 0) return s;
    char buf[65536];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) s.append(buf, static_cast<size_t>(n));
    return s;
  }

  // The guest's stdout as a response: CGI-style header lines up to a blank
  // line ("Content-Type", "Status: 404 Not Found", "Location", any other),
  // then the body; without them, all of it is a text/plain body.
  static int respond(const std::string& out, httplib::Response& res) {
    int status = 200;
    std::string content_type = "text/plain";
    size_t body_at = 0;
    size_t blank = out.find("\n\n");
    size_t first_colon = out.find(':'), first_nl = out.find('\n');
    if (blank != std::string::npos && first_colon < first_nl) {
      size_t at = 0;
      while (at < blank) {
        size_t nl = out.find('\n', at);
        std::string line = out.substr(at, nl - at);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = line.substr(0, colon), value = line.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.erase(0, 1);
          if (strcasecmp(name.c_str(), "Status") == 0)
            status = std::atoi(value.c_str());
          else if (strcasecmp(name.c_str(), "Content-Type") == 0)
            content_type = value;
          else
            res.set_header(name, value);
        }
        at = nl + 1;
      }
      body_at = blank + 2;
    }
    if (status < 100 || status > 599) status = 502;
    res.set_content(out.substr(body_at), content_type);
    return status;
  }

  static int fail(httplib::Response& res, int status, const std::string& what) {
    res.set_content(what + "\n", "text/plain");
    return status;
  }

  int run(const Route& route, const httplib::Request& req, httplib::Response& res, double& instantiate_s,
          uint64_t& fuel, std::string& outcome) {
    struct Fds {
      int in = -1, out = -1, err = -1;
      ~Fds() {
        for (int fd : {in, out, err})
          if (fd >= 0) ::close(fd);
      }
    } fds;
    fds.in = memfd_create("warden-stdin", MFD_CLOEXEC);
    fds.out = memfd_create("warden-stdout", MFD_CLOEXEC);
    fds.err = memfd_create("warden-stderr", MFD_CLOEXEC);
    if (fds.in < 0 || fds.out < 0 || fds.err < 0) return outcome = "host", fail(res, 500, "host: out of descriptors");
    if (::write(fds.in, req.body.data(), req.body.size()) != static_cast<ssize_t>(req.body.size()) ||
        lseek(fds.in, 0, SEEK_SET) != 0)
      return outcome = "host", fail(res, 500, "host: cannot buffer the request body");

    wasi::Config cfg;
    cfg.args = {route.path};
    cfg.env = policy_.env;
    cfg.env.emplace_back("REQUEST_METHOD", req.method);
    cfg.env.emplace_back("PATH_INFO", req.path);
    cfg.env.emplace_back("X_MATCHED_ROUTE", route.path);
    std::string query;
    for (const auto& [k, v] : req.params) query += (query.empty() ? "" : "&") + k + "=" + v;
    cfg.env.emplace_back("QUERY_STRING", query);
    cfg.env.emplace_back("SERVER_PROTOCOL", req.version);
    cfg.env.emplace_back("CONTENT_LENGTH", std::to_string(req.body.size()));
    cfg.env.emplace_back("CONTENT_TYPE", req.get_header_value("Content-Type"));
    for (const auto& [name, value] : req.headers) {
      std::string var = "HTTP_";
      for (char c : name) var += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      cfg.env.emplace_back(var, value);
    }
    for (const DirGrant& d : policy_.dirs) cfg.dirs.push_back({d.host, d.guest, false});  // shared: read-only
    cfg.stdin_granted = cfg.stdout_granted = cfg.stderr_granted = true;
    cfg.stdin_fd = fds.in;
    cfg.stdout_fd = fds.out;
    cfg.stderr_fd = fds.err;
    cfg.grants = policy_.caps;
    cfg.grants.grant(Capability::Args);
    cfg.grants.grant(Capability::Env);
    cfg.grants.grant(Capability::Exit);
    if (!cfg.dirs.empty()) cfg.grants.grant(Capability::Fs);
    if (policy_.open_files) cfg.max_open_files = *policy_.open_files;
    auto ctx = wasi::Context::create(cfg);
    if (!ctx) return outcome = "host", fail(res, 500, "host: " + ctx.error().message);

    Store store(limits_);
    Linker linker;
    (*ctx)->link(store, linker);
    auto imports = linker.resolve(*route.module);
    if (!imports) return outcome = "unlinkable", fail(res, 500, "unlinkable: " + imports.error().message);
    Stopwatch clock;
    auto instance = store.instantiate(route.module, *imports);
    instantiate_s = clock.lap();
    auto finish = [&](const Error* e) {
      fuel = store.fuel_consumed();
      if ((*ctx)->exit_code()) {
        uint32_t code = *(*ctx)->exit_code();
        outcome = "proc_exit";
        if (code != 0) return fail(res, 500, "exit " + std::to_string(code) + "\n" + read_all(fds.err));
        return respond(read_all(fds.out), res);
      }
      if (!e) {
        outcome = "returned";
        return respond(read_all(fds.out), res);
      }
      if (e->kind == ErrorKind::Exhaustion) {
        outcome = "exhausted";
        bool deadline = e->message.find("deadline") != std::string::npos;
        return fail(res, deadline ? 504 : 503, "exhausted: " + e->message);
      }
      outcome = "trap";
      return fail(res, 500, "trap: " + e->message);
    };
    if (!instance) return finish(&instance.error());
    std::optional<Extern> start = (*instance)->find_export("_start");
    if (!start || start->kind != ExternKind::Func) return finish(nullptr);
    auto r = store.invoke(start->func, {});
    return finish(r ? nullptr : &r.error());
  }

  std::vector<Route> routes_;
  Limits limits_;
  Policy policy_;
  std::mutex mutex_;
  std::map<std::string, RouteStats> stats_;
};

int serve(const ServeOptions& o) {
  Policy p;
  std::string error;
  if (!o.policy.empty() && !load_policy(o.policy, p, error)) {
    std::fprintf(stderr, "warden serve: %s\n", error.c_str());
    return kExitUsage;
  }
  p.signature_keys.insert(p.signature_keys.end(), o.require_signature.begin(), o.require_signature.end());
  // A server must not let one request hold a worker or the host's memory
  // indefinitely: unless the policy or a flag says otherwise, each request
  // gets a 10 s deadline and memories of at most 256 MiB.
  Limits limits;
  limits.timeout_ms = 10'000;
  limits.max_memory_bytes = 256ull << 20;
  if (p.memory) limits.max_memory_bytes = *p.memory;
  if (p.fuel) limits.fuel = *p.fuel;
  if (p.timeout_ms) limits.timeout_ms = *p.timeout_ms;
  if (p.call_depth) limits.max_call_depth = *p.call_depth;
  if (o.fuel) limits.fuel = o.fuel;
  if (o.timeout_ms) limits.timeout_ms = o.timeout_ms;
  if (!o.max_memory.empty()) {
    std::optional<uint64_t> m = parse_size(o.max_memory);
    if (!m) {
      std::fprintf(stderr, "warden serve: --max-memory: bad size '%s'\n", o.max_memory.c_str());
      return kExitUsage;
    }
    limits.max_memory_bytes = *m;
  }
  // Every module is read, verified and compiled before the server listens:
  // one that fails stops it, saying why.
  std::vector<Route> routes;
  for (const std::string& spec : o.routes) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || spec[0] != '/' || eq + 1 == spec.size()) {
      std::fprintf(stderr, "warden serve: --route '%s': expected /PATH=MODULE.wasm\n", spec.c_str());
      return kExitUsage;
    }
    Route r{spec.substr(0, eq), spec.substr(eq + 1), nullptr};
    int exit_code = kExitOk;
    std::vector<uint8_t> bytes;
    bool exhausted = false;
    if (!read_file(r.file, limits.max_module_bytes, bytes, &exhausted)) return exhausted ? kExitExhausted : kExitUsage;
    if (!p.signature_keys.empty() && !check_signature(r.file, bytes, p.signature_keys, "", exit_code)) {
      std::fprintf(stderr, "warden serve: not starting: %s is not signed by a trusted key\n", r.file.c_str());
      return exit_code;
    }
    auto m = Module::load(bytes, limits);
    if (!m) {
      std::fprintf(stderr, "warden serve: not starting: ");
      return report_load_error(r.file, m.error());
    }
    r.module = *m;
    routes.push_back(std::move(r));
  }
  if (routes.empty()) {
    std::fprintf(stderr, "warden serve: no --route given\n");
    return kExitUsage;
  }

  Server server(routes, limits, p);
  httplib::Server http;
  const unsigned workers = o.workers ? o.workers : std::max(2u, std::thread::hardware_concurrency());
  http.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  http.set_payload_max_length(o.max_body);
  // Headers and body go out in separate writes: without TCP_NODELAY a
  // client's delayed ACK holds every response back ~40 ms (Nagle).
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(1000);
  for (const Route& r : routes) {
    const Route* route = &r;
    auto handler = [&server, route](const httplib::Request& req, httplib::Response& res) {
      server.handle(*route, req, res);
    };
    http.Get(r.path, handler);
    http.Post(r.path, handler);
  }
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  http.Get("/metrics", [&server](const httplib::Request&, httplib::Response& res) {
    res.set_content(server.metrics(), "text/plain; version=0.0.4");
  });
  int port = o.port == 0 ? http.bind_to_any_port(o.host) : (http.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port < 0) {
    std::fprintf(stderr, "warden serve: cannot listen on %s:%d\n", o.host.c_str(), o.port);
    return kExitUsage;
  }
  std::printf("warden serve: listening on http://%s:%d (%u workers)\n", o.host.c_str(), port, workers);
  for (const Route& r : routes) std::printf("  %s -> %s\n", r.path.c_str(), r.file.c_str());
  std::fflush(stdout);
  return http.listen_after_bind() ? kExitOk : kExitUsage;
}

void setup(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<ServeOptions>();
  sub.add_option("--route", o->routes, "/PATH=MODULE.wasm: answer PATH with a fresh instance of MODULE (repeatable)")
      ->required()
      ->allow_extra_args(false);
  sub.add_option("--host", o->host, "address to listen on (default 127.0.0.1)");
  sub.add_option("--port", o->port, "port (default 8080; 0 picks a free one and prints it)");
  sub.add_option("--workers", o->workers, "worker threads (default: the cores, at least 2)");
  sub.add_option("--policy", o->policy, "a TOML policy: limits, env, read-only dirs, [trust] keys");
  sub.add_option("--require-signature", o->require_signature, "refuse to start unless this key signed every module")
      ->allow_extra_args(false);
  sub.add_option("--fuel", o->fuel, "fuel per request");
  sub.add_option("--timeout-ms", o->timeout_ms, "deadline per request (504 when hit; default 10000)");
  sub.add_option("--max-memory", o->max_memory,
                 "largest memory per request: bytes, or 64KiB, 16MiB, 1GiB (default 256MiB)");
  sub.add_option("--max-body", o->max_body, "largest request body in bytes (default 1 MiB)");
  sub.footer(
      "WAGI: the body is stdin; REQUEST_METHOD, PATH_INFO, QUERY_STRING, CONTENT_TYPE, CONTENT_LENGTH and\n"
      "HTTP_* are the environment; stdout is the response, optionally led by CGI headers (Content-Type,\n"
      "Status) and a blank line. A trap is 500, a limit 503 (504 for the deadline). /healthz, /metrics.\n"
      "See docs/serve.md.");
  sub.callback([o, &exit_code] { exit_code = serve(*o); });
}

const Registrar reg{{"serve", "Serve modules over HTTP, a fresh sandboxed instance per request (WAGI)", setup}};

}  // namespace
}  // namespace warden::cli
