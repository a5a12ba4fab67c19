// The `warden wast` driver (see wast_main.hpp).
#include "wast_main.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runner.hpp"

namespace warden::spec {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr int kExitOk = 0, kExitFailed = 1, kExitUsage = 64;

/// Files named on the command line, with each directory replaced by its
/// *.wast files in name order.
bool expand_inputs(const std::vector<std::string>& inputs, std::vector<std::string>& files) {
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(in, ec)) {
        if (entry.path().extension() == ".wast" && !entry.is_directory()) {
          found.push_back(entry.path().string());
        }
      }
      if (ec) {
        std::fprintf(stderr, "warden wast: %s: %s\n", in.c_str(), ec.message().c_str());
        return false;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(in, ec)) {
      files.push_back(in);
    } else {
      std::fprintf(stderr, "warden wast: %s: no such file or directory\n", in.c_str());
      return false;
    }
  }
  return true;
}

/// Lines of `path` without comments (#...) and surrounding blanks, with
/// their line numbers.
bool read_list(const std::string& path, std::vector<std::pair<int, std::string>>& lines) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "warden wast: %s: cannot read\n", path.c_str());
    return false;
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    size_t e = line.find_last_not_of(" \t\r");
    lines.emplace_back(n, line.substr(b, e - b + 1));
  }
  return true;
}

using Skips = std::map<std::string, std::map<uint32_t, std::string>>;

/// "NAME.wast:LINE reason" per line.
bool read_skips(const std::string& path, Skips& skips) {
  std::vector<std::pair<int, std::string>> lines;
  if (!read_list(path, lines)) return false;
  for (const auto& [n, text] : lines) {
    size_t colon = text.find(':');
    size_t space = text.find_first_of(" \t");
    unsigned long line = 0;
    bool ok = colon != std::string::npos && colon > 0 && space != std::string::npos && space > colon + 1;
    if (ok) {
      std::string digits = text.substr(colon + 1, space - colon - 1);
      ok = digits.find_first_not_of("0123456789") == std::string::npos && digits.size() < 9;
      if (ok) line = std::stoul(digits);
    }
    if (!ok) {
      std::fprintf(stderr, "%s:%d: expected \"FILE.wast:LINE reason\"\n", path.c_str(), n);
      return false;
    }
    size_t reason = text.find_first_not_of(" \t", space);
    skips[text.substr(0, colon)][static_cast<uint32_t>(line)] = text.substr(reason);
  }
  return true;
}

struct Pin {
  uint32_t total = 0, passed = 0;
};

/// "NAME.wast TOTAL PASSED" per line, and one "total TOTAL PASSED".
bool read_pin(const std::string& path, std::map<std::string, Pin>& pins) {
  std::vector<std::pair<int, std::string>> lines;
  if (!read_list(path, lines)) return false;
  for (const auto& [n, text] : lines) {
    std::istringstream ss(text);
    std::string name;
    long long total = -1, passed = -1;
    std::string extra;
    if (!(ss >> name >> total >> passed) || (ss >> extra) || total < 0 || passed < 0 || passed > total ||
        total > 100'000'000) {
      std::fprintf(stderr, "%s:%d: expected \"FILE.wast TOTAL PASSED\"\n", path.c_str(), n);
      return false;
    }
    pins[name] = Pin{static_cast<uint32_t>(total), static_cast<uint32_t>(passed)};
  }
  return true;
}

std::string summary_line(const FileReport& r) {
  std::string s = r.name + ": " + std::to_string(r.passed) + " passed, " + std::to_string(r.failed) + " failed";
  if (r.message_mismatches) s += ", " + std::to_string(r.message_mismatches) + " message mismatches";
  if (r.skipped) s += ", " + std::to_string(r.skipped) + " skipped";
  if (!r.fatal.empty()) s += " (" + r.fatal + ")";
  return s;
}

json outcome_json(const Outcome& o) {
  return json{{"line", o.line}, {"command", o.command}, {"expected", o.expected}, {"actual", o.actual}};
}

json report_json(const std::vector<FileReport>& reports, const Skips& skips) {
  json files = json::array();
  uint64_t passed = 0, failed = 0, skipped = 0, mismatches = 0;
  for (const FileReport& r : reports) {
    json failures = json::array(), mism = json::array(), skip_list = json::array();
    for (const Outcome& o : r.failures) failures.push_back(outcome_json(o));
    for (const Outcome& o : r.mismatches) mism.push_back(outcome_json(o));
    auto it = skips.find(r.name);
    if (it != skips.end()) {
      for (const auto& [line, reason] : it->second) {
        skip_list.push_back(json{{"line", line}, {"reason", reason}});
      }
    }
    files.push_back(json{{"file", r.name},
                         {"path", r.path},
                         {"commands", r.total()},
                         {"passed", r.passed},
                         {"failed", r.failed},
                         {"skipped", r.skipped},
                         {"message_mismatches", r.message_mismatches},
                         {"fatal", r.fatal.empty() ? json(nullptr) : json(r.fatal)},
                         {"failures", failures},
                         {"mismatches", mism},
                         {"skips", skip_list}});
    passed += r.passed;
    failed += r.failed;
    skipped += r.skipped;
    mismatches += r.message_mismatches;
  }
  return json{{"engine", "warden"},
              {"files", files},
              {"totals",
               {{"files", reports.size()},
                {"commands", passed + failed + skipped},
                {"passed", passed},
                {"failed", failed},
                {"skipped", skipped},
                {"message_mismatches", mismatches}}}};
}

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "warden wast: %s: cannot write\n", path.c_str());
    return false;
  }
  return true;
}

std::string pin_text(const std::vector<FileReport>& reports) {
  std::string s =
      "# Pinned `warden wast` results: FILE COMMANDS PASSED (skipped commands count in\n"
      "# COMMANDS, not in PASSED). Checked by the ctest `spec_testsuite`. Regenerate with\n"
      "#   warden wast --skips spec-tests/skips.txt --write-expect spec-tests/expected.txt DIR\n"
      "# and explain any drop in the commit message.\n";
  uint64_t total = 0, passed = 0;
  for (const FileReport& r : reports) {
    s += r.name + " " + std::to_string(r.total()) + " " + std::to_string(r.passed) + "\n";
    total += r.total();
    passed += r.passed;
  }
  s += "total " + std::to_string(total) + " " + std::to_string(passed) + "\n";
  return s;
}

/// Compares the results with the pin; prints each difference.
bool check_pin(const std::vector<FileReport>& reports, const std::map<std::string, Pin>& pins,
               const std::string& pin_path) {
  bool ok = true;
  std::set<std::string> seen;
  uint64_t total = 0, passed = 0;
  for (const FileReport& r : reports) {
    seen.insert(r.name);
    total += r.total();
    passed += r.passed;
    auto it = pins.find(r.name);
    if (it == pins.end()) {
      std::printf("pin: %s: not in %s (%u commands, %u passed)\n", r.name.c_str(), pin_path.c_str(), r.total(),
                  r.passed);
      ok = false;
    } else if (it->second.total != r.total() || it->second.passed != r.passed) {
      std::printf("pin: %s: expected %u commands, %u passed; got %u commands, %u passed%s\n", r.name.c_str(),
                  it->second.total, it->second.passed, r.total(), r.passed,
                  r.passed > it->second.passed ? " (better: update the pin)" : "");
      ok = false;
    }
  }
  std::vector<std::string> not_run;
  for (const auto& [name, pin] : pins) {
    if (name == "total") {
      if (pin.total != total || pin.passed != passed) {
        std::printf("pin: total: expected %u commands, %u passed; got %llu commands, %llu passed\n", pin.total,
                    pin.passed, static_cast<unsigned long long>(total), static_cast<unsigned long long>(passed));
        ok = false;
      }
    } else if (!seen.count(name)) {
      not_run.push_back(name);
      ok = false;
    }
  }
  if (!not_run.empty()) {
    std::string list;
    for (size_t i = 0; i < not_run.size() && i < 5; ++i) list += (i ? ", " : "") + not_run[i];
    if (not_run.size() > 5) list += ", ...";
    std::printf("pin: %zu pinned files not run (%s)\n", not_run.size(), list.c_str());
  }
  std::printf("pin %s: %s\n", ok ? "matches" : "DIFFERS", pin_path.c_str());
  return ok;
}

}  // namespace

int run_wast(const WastOptions& options, std::vector<FileReport>* out) {
  std::vector<std::string> files;
  if (!expand_inputs(options.inputs, files)) return kExitUsage;
  Skips skips;
  if (!options.skips_path.empty() && !read_skips(options.skips_path, skips)) return kExitUsage;
  std::map<std::string, Pin> pins;
  if (!options.expect_path.empty() && !read_pin(options.expect_path, pins)) return kExitUsage;

  std::vector<FileReport> reports;
  uint64_t passed = 0, failed = 0, skipped = 0, mismatches = 0;
  for (const std::string& path : files) {
    RunnerOptions ro;
    ro.print_to = options.print ? stdout : nullptr;
    std::string name = fs::path(path).filename().string();
    auto sk = skips.find(name);
    if (sk != skips.end()) ro.skips = sk->second;
    FileReport r = options.isolate ? run_file_isolated(path, ro, options.timeout_seconds) : run_file(path, ro);
    std::printf("%s\n", summary_line(r).c_str());
    if (options.verbose) {
      for (const Outcome& o : r.failures) {
        std::printf("%s:%u: %s: expected %s, got %s\n", r.path.c_str(), o.line, o.command.c_str(), o.expected.c_str(),
                    o.actual.c_str());
      }
      for (const Outcome& o : r.mismatches) {
        std::printf("%s:%u: %s: message mismatch: expected %s, got %s\n", r.path.c_str(), o.line, o.command.c_str(),
                    o.expected.c_str(), o.actual.c_str());
      }
    }
    if (sk != skips.end() && r.skipped != sk->second.size() && r.fatal.empty()) {
      std::fprintf(stderr, "warden wast: %s: %zu skip-list entries match no command\n", name.c_str(),
                   sk->second.size() - r.skipped);
    }
    std::fflush(stdout);
    passed += r.passed;
    failed += r.failed;
    skipped += r.skipped;
    mismatches += r.message_mismatches;
    reports.push_back(std::move(r));
  }
  if (mismatches || skipped) {
    std::printf("(%llu message mismatches, %llu skipped)\n", static_cast<unsigned long long>(mismatches),
                static_cast<unsigned long long>(skipped));
  }
  std::printf("%llu passed, %llu failed\n", static_cast<unsigned long long>(passed),
              static_cast<unsigned long long>(failed));
  std::fflush(stdout);

  bool io_ok = true;
  if (!options.json_path.empty()) {
    io_ok &= write_text(options.json_path,
                        report_json(reports, skips).dump(1, ' ', false, json::error_handler_t::replace) + "\n");
  }
  if (!options.write_expect_path.empty()) {
    io_ok &= write_text(options.write_expect_path, pin_text(reports));
  }
  if (out) *out = reports;
  if (!io_ok) return kExitUsage;
  if (!options.expect_path.empty()) {
    return check_pin(reports, pins, options.expect_path) ? kExitOk : kExitFailed;
  }
  return failed ? kExitFailed : kExitOk;
}

}  // namespace warden::spec
