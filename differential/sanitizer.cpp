#include "sanitizer.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

namespace warden::diff {
namespace {

namespace fs = std::filesystem;

std::vector<std::string_view> lines_of(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t nl = s.find('\n');
    out.push_back(s.substr(0, nl));
    if (nl == std::string_view::npos) break;
    s.remove_prefix(nl + 1);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A stack frame "#N 0xADDR in FUNCTION FILE:LINE:COL" (or "(module+0x...)"
// when the symbolizer knew no file).
struct Frame {
  std::string function, place;
};

// FILE:LINE:COL as a path in this tree ("engine/src/execute/simd.hpp:48:51"),
// or "" for a file elsewhere (a library's). A build directory's
// "build/x/../../" goes; a sanitized build of another checkout is
// recognised by the tree's top folders.
std::string tree_place(std::string_view place, std::string_view source_dir) {
  std::string p = fs::path(place).lexically_normal().string();
  std::string root = source_dir.empty() ? "" : fs::path(source_dir).lexically_normal().string();
  if (!root.empty() && root.back() != '/') root += '/';
  if (!root.empty() && p.rfind(root, 0) == 0) return p.substr(root.size());
  for (const char* top : {"/engine/", "/differential/", "/tools/", "/fuzzers/", "/spec-tests/"})
    if (size_t at = p.rfind(top); at != std::string::npos) return p.substr(at + 1);
  return "";
}

std::optional<Frame> frame_of(std::string_view line, std::string_view source_dir) {
  line = trim(line);
  if (line.size() < 2 || line[0] != '#' || line[1] < '0' || line[1] > '9') return std::nullopt;
  size_t in = line.find(" in ");
  if (in == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(in + 4);
  // The place is the last word; a function name has spaces of its own.
  size_t sp = rest.rfind(' ');
  Frame f;
  f.function = std::string(sp == std::string_view::npos ? rest : rest.substr(0, sp));
  std::string_view place = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  f.place = tree_place(place, source_dir);
  if (f.place.empty() && !place.empty()) f.place = "?" + std::string(place);  // not in this tree
  return f;
}

std::string cut(std::string_view s, size_t n) {
  return s.size() <= n ? std::string(s) : std::string(s.substr(0, n)) + "...";
}

}  // namespace

std::string sanitizer_message(std::string_view report, std::string_view source_dir) {
  std::string kind, summary_place;
  std::vector<Frame> frames;
  for (std::string_view line : lines_of(report)) {
    std::string_view t = trim(line);
    if (size_t at = t.find("ERROR: AddressSanitizer: "); at != std::string_view::npos && kind.empty()) {
      std::string_view k = t.substr(at + 25);
      kind = std::string(k.substr(0, k.find(' ')));
    } else if (size_t re = t.find(": runtime error: "); re != std::string_view::npos && kind.empty()) {
      kind = "runtime error: " + cut(t.substr(re + 17), 120);
      summary_place = tree_place(t.substr(0, re), source_dir);
    } else if (!kind.empty() && kind.find('(') == std::string::npos && kind.rfind("runtime error", 0) != 0 &&
               (t.rfind("READ of size", 0) == 0 || t.rfind("WRITE of size", 0) == 0)) {
      std::string_view a = t.substr(0, t.find(" at "));
      kind += " (" + std::string(a) + ")";
    } else if (std::optional<Frame> f = frame_of(t, source_dir); f && !kind.empty()) {
      if (t.rfind("#0 ", 0) == 0 && !frames.empty()) break;  // the next stack: an allocation's
      frames.push_back(std::move(*f));
    }
  }
  if (kind.empty()) return "";
  const Frame* at = nullptr;
  for (const Frame& f : frames)
    if (!at && !f.place.empty() && f.place[0] != '?') at = &f;
  std::string place = at ? at->place : !summary_place.empty() ? summary_place : "an unknown place";
  std::string msg = std::string(kSanitizerPrefix) + kind + " at " + place;
  if (at) msg += " in " + cut(at->function, 160);
  msg += "\nframes:";
  for (size_t i = 0; i < frames.size() && i < 4; ++i)
    msg += " #" + std::to_string(i) + " " + cut(frames[i].function, 80) + " " + frames[i].place;
  msg += "\n";
  msg += report;
  return msg;
}

std::string sanitizer_key(std::string_view message) {
  if (message.substr(0, kSanitizerPrefix.size()) != kSanitizerPrefix) return "";
  std::string_view first = message.substr(kSanitizerPrefix.size());
  first = first.substr(0, first.find('\n'));
  size_t at = first.rfind(" at ");
  if (at == std::string_view::npos) return std::string(first);
  std::string_view place = first.substr(at + 4);
  place = place.substr(0, place.find(' '));  // without " in FUNCTION"
  // FILE:LINE:COL -> FILE:LINE
  size_t last = place.rfind(':');
  if (last != std::string_view::npos && place.find(':') != last) place = place.substr(0, last);
  return std::string(first.substr(0, at)) + " at " + std::string(place);
}

std::string take_sanitizer_logs(const std::string& prefix) {
  fs::path p(prefix);
  std::string stem = p.filename().string() + ".";
  std::vector<fs::path> files;
  std::error_code ec;
  for (const fs::directory_entry& d : fs::directory_iterator(p.parent_path(), ec))
    if (d.path().filename().string().rfind(stem, 0) == 0) files.push_back(d.path());
  std::sort(files.begin(), files.end());
  std::string all;
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    fs::remove(f, ec);
  }
  return all;
}

}  // namespace warden::diff
