// What an operator grants a WASI program under `warden run`: the grants, the
// limits and the determinism settings, from a policy file (TOML) and from
// the command line, merged with the flags winning (docs/policy.md).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "warden/host.hpp"

namespace warden::cli {

/// One directory to preopen.
struct DirGrant {
  std::string host, guest;
  bool writable = false;
};

/// Grants, limits and determinism as given (nullopt: not given, so the
/// other source or the default applies).
struct Policy {
  // Grants. Capabilities named with --allow / [grants] allow; args, env and
  // fs are also granted implicitly by program arguments, variables and
  // directories (see effective grants in cmd_run.cpp).
  bool std_in = false, std_out = false, std_err = false;
  Grants caps;
  std::vector<std::pair<std::string, std::string>> env;  ///< in order, names unique
  std::vector<DirGrant> dirs;                            ///< in order
  // Limits.
  std::optional<uint64_t> memory, fuel, timeout_ms;
  std::optional<uint32_t> call_depth, open_files;
  // Determinism.
  std::optional<bool> deterministic;
  std::optional<uint64_t> seed;
  // Trust: public key files (warden keygen's .pub); when any is given, a
  // module runs only if one of them signed it ([trust] require_signature,
  // --require-signature).
  std::vector<std::string> signature_keys;

  /// Grants one name of --allow (stdin stdout stderr stdio args env clock
  /// random exit fs). False (with `error` set) for any other name.
  bool allow(std::string_view name, std::string& error);
  /// Adds NAME=VALUE, replacing an earlier value of NAME.
  void set_env(std::string name, std::string value);
};

/// The names --allow takes, for messages.
inline constexpr std::string_view kAllowNames = "stdin, stdout, stderr, stdio, args, env, clock, random, exit, fs";

/// Reads a policy file (schema in docs/policy.md). Relative [[dirs]] host
/// paths are taken relative to the file's directory. On failure returns
/// false and sets `error` to "FILE:LINE:COLUMN: reason" (or "FILE: reason"),
/// naming the offending key: unknown keys and wrongly typed values are
/// errors.
bool load_policy(const std::string& path, Policy& out, std::string& error);

/// `over` laid on `base`: a scalar set in `over` wins; grants are united;
/// env and dirs are appended (an env name in both takes `over`'s value).
Policy merge(Policy base, const Policy& over);

/// "65536", "64KiB", "64MiB", "4GiB" (also "64 MiB", "B" suffix). Nullopt
/// on anything else or on overflow.
std::optional<uint64_t> parse_size(std::string_view text);

/// "HOST" or "HOST::GUEST" (split at the first "::"); GUEST defaults to
/// HOST. False when either part is empty.
bool parse_dir(std::string_view spec, bool writable, DirGrant& out, std::string& error);

/// "NAME=VALUE"; a bare "NAME" takes the value of the host's variable NAME
/// (an error when it is unset). NAME must be non-empty and without '='.
bool parse_env(std::string_view spec, std::pair<std::string, std::string>& out, std::string& error);

}  // namespace warden::cli
