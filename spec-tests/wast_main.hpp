// The `warden wast` driver: expands inputs, runs each file, prints the
// per-file and total lines, writes the JSON report and checks the pin.
#pragma once
#include <string>
#include <vector>

#include "runner.hpp"

namespace warden::spec {

struct WastOptions {
  std::vector<std::string> inputs;  ///< .wast files and directories
  std::string json_path;            ///< --json: machine-readable report
  std::string expect_path;          ///< --expect: pinned per-file counts
  std::string write_expect_path;    ///< --write-expect: write the pin
  std::string skips_path;           ///< --skips: "FILE.wast:LINE reason" lines
  bool verbose = false;             ///< print each failure and mismatch
  bool print = false;               ///< spectest print functions write to stdout
  bool isolate = true;              ///< one child process per file
  unsigned timeout_seconds = 600;   ///< per file, when isolated; 0 = none
};

/// Runs everything and returns the process exit code: 0 when every command
/// passed (with --expect: when the results equal the pin exactly), 1 when
/// not, 64 on a usage error (missing input, unreadable or malformed list).
/// `reports` (when not null) gets every file's report, for the caller's own
/// output (warden wast --metrics).
int run_wast(const WastOptions& options, std::vector<FileReport>* reports = nullptr);

}  // namespace warden::spec
