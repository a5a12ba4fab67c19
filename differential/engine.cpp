#include "engine.hpp"

#include <cinttypes>
#include <cstdio>

namespace warden::diff {

const std::vector<std::string> kBinaryenFeatures = {
    "--enable-sign-ext",         "--enable-mutable-globals", "--enable-nontrapping-float-to-int",
    "--enable-simd",             "--enable-bulk-memory",     "--enable-multivalue",
    "--enable-reference-types",
};

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
