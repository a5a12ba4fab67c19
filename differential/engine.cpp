#include "engine.hpp"

#include <cinttypes>
#include <cstdio>

namespace warden::diff {

const std::vector<std::string> kBinaryenFeatures = {
    "--enable-sign-ext",    "--enable-mutable-globals", "--enable-nontrapping-float-to-int", "--enable-simd",
    "--enable-bulk-memory", "--enable-multivalue",      "--enable-reference-types",
};

// Each adapter file's factory; make_engine is the one way in.
std::unique_ptr<Engine> make_warden_engine(const EngineSetup& setup);
std::unique_ptr<Engine> make_wabt_engine(const EngineSetup& setup);
std::unique_ptr<Engine> make_binaryen_engine(const EngineSetup& setup);
std::unique_ptr<Engine> make_v8_engine(const EngineSetup& setup);

std::unique_ptr<Engine> make_engine(std::string_view name, const EngineSetup& setup) {
  if (name == "warden") return make_warden_engine(setup);
  if (name == "wabt") return make_wabt_engine(setup);
  if (name == "binaryen") return make_binaryen_engine(setup);
  if (name == "v8") return make_v8_engine(setup);
  return nullptr;
}

std::vector<RunResult> Engine::run(std::span<const RunJob> jobs) {
  std::vector<RunResult> out;
  for (const RunJob& job : jobs) out.push_back(run_one(job));
  return out;
}

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::Valid: return "valid";
    case Verdict::Malformed: return "malformed";
    case Verdict::Invalid: return "invalid";
    case Verdict::Rejected: return "rejected";
    case Verdict::Limit: return "limit";
    case Verdict::Unsupported: return "unsupported";
    case Verdict::Crash: return "crash";
    case Verdict::Hang: return "hang";
    case Verdict::NotRun: return "not-run";
  }
  return "?";
}

std::string_view to_string(Outcome::Status s) {
  switch (s) {
    case Outcome::Status::Ok: return "ok";
    case Outcome::Status::Trap: return "trap";
    case Outcome::Status::Exhausted: return "exhausted";
    case Outcome::Status::Unlinkable: return "unlinkable";
    case Outcome::Status::Unsupported: return "unsupported";
    case Outcome::Status::Crash: return "crash";
    case Outcome::Status::Hang: return "hang";
    case Outcome::Status::NotRun: return "not-run";
  }
  return "?";
}

std::string describe(const Outcome& o) {
  std::string s(to_string(o.status));
  if (o.status == Outcome::Status::Ok) {
    char buf[24];
    for (uint64_t v : o.values) {
      std::snprintf(buf, sizeof buf, " 0x%" PRIx64, v);
      s += buf;
    }
    return s;
  }
  if (o.status == Outcome::Status::Trap) s += " " + trap_names(o.trap);
  if (!o.message.empty()) s += " (" + o.message + ")";
  return s;
}

}  // namespace warden::diff
