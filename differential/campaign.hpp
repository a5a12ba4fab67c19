// The differential campaign behind `warden diff` (docs/differential.md).
//
// A campaign runs in cycles. Each cycle
//  1. generates `batch` modules (own generator and wasm-opt -ttf, in turn),
//     turns each into a probe (probe.hpp), runs the probes on every engine
//     (the peers in parallel with Warden), and compares the runs;
//  2. runs `wasi_batch` hostile WASI programs under Warden and node:wasi
//     (wasi_diff.hpp) and compares errnos, ends, output and trees;
//  3. mutates `mutate_batch` modules (testsuite modules and generated ones)
//     and compares the engines' verdicts: the three-way validation
//     differential (malformed / invalid / valid).
// The engines do the three at once, each on a thread of its own (cycle.hpp),
// while the next cycle's inputs are made; the comparisons follow in the
// order above (docs/differential.md, "Throughput").
// Every disagreement is classified, matched against the catalogued peer-bug
// rules, and bucketed by signature; each new bucket is minimized and written
// to findings/<bucket>/. The schedule depends only on the seed, so the same
// seed, versions and limits give the same findings for the same number of
// cycles; time only decides when to stop (between cycles).
#pragma once
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "compare.hpp"
#include "engine.hpp"
#include "probe.hpp"

namespace warden::diff {

/// What a replay did with one file (warden repro): every engine's answer on
/// the module and on its probe, the comparisons it ignored and why, and
/// every finding with its explaining rule and bundle.
struct ReplayFinding {
  Finding finding;
  std::string rule;    ///< "" when unexplained; "feature:..." is an ignored run
  std::string bundle;  ///< findings/<bucket> written for it ("" when its bucket was already open)
};
struct ReplayRecord {
  std::string file;
  std::vector<EngineLoad> loads;            ///< on the module as given
  std::vector<EngineRun> runs;              ///< on its probe, when Warden loads it
  std::vector<std::string> calls;           ///< the probe's calls, in order
  std::map<std::string, uint64_t> ignored;  ///< comparisons set aside, by rule
  std::vector<ReplayFinding> findings;
  /// WASI programs (wasi_replay): each runtime's end and errnos, in words.
  std::vector<std::pair<std::string, std::string>> wasi;
};

struct CampaignOptions {
  double seconds = 600;     ///< stop after the cycle that passes this
  uint64_t max_cycles = 0;  ///< 0: until the time is up
  uint64_t seed = 1;
  std::vector<std::string> engines{"warden", "wabt", "binaryen", "v8"};
  /// Engines of one's own (`--engine NAME=COMMAND`, docs/engine-protocol.md);
  /// each takes part when its name is in `engines`.
  std::vector<ProtocolSpec> protocol;
  std::vector<std::string> generators{"own", "ttf", "mutate", "wasi"};
  std::string findings_dir = "findings";
  std::string work_dir;  ///< scratch files; default /tmp/warden-diff-<pid>
  std::string tool_dir = "/usr/bin";
  /// The tool server that keeps wasm-opt and wasm-validate loaded
  /// (EngineSetup::tool_server): "" = this tree's, "none" = exec every run.
  std::string tool_server;
  std::string node = "/usr/bin/node";
  /// warden-asan's executable (EngineSetup::sanitized): the ASan+UBSan
  /// build's `warden`, for `warden diff --sanitized`.
  std::string sanitized;
  std::string harness;                     ///< default: differential/v8_harness.js of this tree
  std::string wasi_harness;                ///< default: differential/wasi_harness.js of this tree
  std::string testsuite;                   ///< default: the configured testsuite directory
  uint32_t batch = 16;                     ///< generated modules per cycle
  uint32_t mutate_batch = 384;             ///< mutated modules per cycle
  uint32_t wasi_batch = 4;                 ///< WASI programs per cycle
  uint32_t binaryen_validate_one_in = 48;  ///< Binaryen sees this share of mutants
  bool minimize = true;
  uint32_t reduce_budget = 250;  ///< predicate calls per bucket
  double reduce_seconds = 30;    ///< wall-clock time per bucket
  ProbeConfig probe;
  EngineLimits limits;
  bool verbose = false;
  /// Instead of generating: compare the engines on these .wasm files.
  std::vector<std::string> replay;
  /// The probe seed of replayed modules (a bundle's module_seed makes the
  /// same probe the campaign ran).
  uint64_t replay_seed = 0;
  /// When set, replay() and wasi_replay() append one record per file here.
  std::vector<ReplayRecord>* replay_records = nullptr;
  /// Instead of generating: run these WASI programs (regression.json files
  /// or bare program arrays) under Warden and node; each one's result goes
  /// to findings/<name>.json as a regression (corpora/regressions/wasi-diff/).
  std::vector<std::string> wasi_replay;
};

/// What a campaign did, in numbers (warden diff --metrics).
struct CampaignTotals {
  double seconds = 0;
  uint64_t cycles = 0, generated = 0, mutants = 0, wasi_programs = 0, wasi_calls = 0;
  uint64_t findings = 0, explained = 0, buckets = 0, unexplained = 0;
  std::map<std::string, double> engine_seconds;    ///< per engine (and "engine (validate)", "engine (wasi)")
  std::map<std::string, uint64_t> engine_modules;  ///< the same keys
  std::map<std::string, uint64_t> ignored;         ///< ignored runs, by rule
  std::map<std::string, std::string> versions;     ///< engines that ran, with their versions
  std::vector<std::string> missing;                ///< engines asked for but unavailable, with why
  struct Bucket {
    std::string id, signature, rule, kind;  ///< rule "" = unexplained
    std::vector<std::string> engines;       ///< on the other side of the reference
    uint64_t count = 0;                     ///< findings in it
    std::string dir;                        ///< its bundle, findings/<id>
  };
  std::vector<Bucket> bucket_list;
};

/// Runs a campaign, printing progress and the summary to `out`. Returns the
/// number of unexplained buckets (the caller's exit status is non-zero when
/// it is), or -1 when the campaign could not start. `totals` (when not
/// null) gets the campaign's figures.
int run_campaign(const CampaignOptions& options, std::FILE* out, CampaignTotals* totals = nullptr);

}  // namespace warden::diff
