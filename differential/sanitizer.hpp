// Sanitizer reports (AddressSanitizer, UndefinedBehaviorSanitizer) of a
// protocol engine built with them, as the differential words them: the
// sanitized differential's "warden-asan" writes its reports to files
// (ASAN_OPTIONS / UBSAN_OPTIONS log_path), and the adapter turns the report
// of a process that died into its crash message (docs/differential.md,
// "The sanitized differential").
#pragma once
#include <string>
#include <string_view>

namespace warden::diff {

/// A crash message that is a sanitizer report starts with this.
inline constexpr std::string_view kSanitizerPrefix = "sanitizer: ";

/// The crash message for a sanitizer report: a first line
///   "sanitizer: KIND at FILE:LINE:COL in FUNCTION"
/// (KIND: ASan's error name with the access, "heap-buffer-overflow (WRITE
/// of size 1)", or UBSan's "runtime error: ..."; the place: the first stack
/// frame in this source tree, `source_dir` cut off its path, else the
/// report's SUMMARY), a second line with the first frames, then the whole
/// report. "" when `report` holds no sanitizer error.
std::string sanitizer_message(std::string_view report, std::string_view source_dir);

/// The bucket key of a sanitizer crash message: "KIND at FILE:LINE" (the
/// first line without the column and the function), or "" when `message`
/// is not one.
std::string sanitizer_key(std::string_view message);

/// Reads, concatenates and removes the files `prefix`.* (what a sanitizer
/// run with log_path=PREFIX wrote, one file per process); "" when there
/// are none.
std::string take_sanitizer_logs(const std::string& prefix);

}  // namespace warden::diff
