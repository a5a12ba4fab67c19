// The audit report's two renderings (audit.hpp): a self-contained HTML page
// with inline SVG charts, and a Markdown summary.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "audit.hpp"

namespace warden::cli::audit {
namespace {

using json = nlohmann::json;

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string num(double v, int decimals = 0) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string str(const json& j, const char* key, const std::string& fallback = "") {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

/// j[key], or an empty object when j has no such member (never a temporary,
/// so items() of it can be iterated).
const json& member(const json& j, const char* key) {
  static const json empty = json::object();
  auto it = j.find(key);
  return it != j.end() ? *it : empty;
}

double dbl(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

const char* const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
const char* color(size_t i) { return kPalette[i % (sizeof kPalette / sizeof kPalette[0])]; }

/// Horizontal stacked bars: one row per label, segments (value, color, name).
struct Segment {
  double value;
  const char* color;
  std::string name;
};
std::string stacked_bars(const std::vector<std::pair<std::string, std::vector<Segment>>>& rows, const char* title) {
  const int width = 900, label_w = 330, bar_w = width - label_w - 20, row_h = 26;
  double max = 0;
  for (const auto& [_, segs] : rows) {
    double t = 0;
    for (const Segment& s : segs) t += s.value;
    max = std::max(max, t);
  }
  if (max <= 0) max = 1;
  int h = static_cast<int>(rows.size()) * row_h + 40;
  std::string s = "<svg class=\"chart\" role=\"img\" aria-label=\"" + esc(title) + "\" width=\"" +
                  std::to_string(width) + "\" height=\"" + std::to_string(h) + "\" viewBox=\"0 0 " +
                  std::to_string(width) + " " + std::to_string(h) + "\">";
  int y = 10;
  for (const auto& [label, segs] : rows) {
    s += "<text x=\"0\" y=\"" + std::to_string(y + 16) + "\" class=\"lbl\">" + esc(label) + "</text>";
    double x = label_w;
    for (const Segment& g : segs) {
      double w = g.value / max * bar_w;
      if (w <= 0) continue;
      s += "<rect x=\"" + num(x, 1) + "\" y=\"" + std::to_string(y) + "\" width=\"" + num(w, 1) +
           "\" height=\"20\" fill=\"" + g.color + "\"><title>" + esc(label + ": " + g.name + " " + num(g.value)) +
           "</title></rect>";
      x += w;
    }
    y += row_h;
  }
  // The legend: each segment name once.
  std::vector<std::pair<std::string, const char*>> legend;
  for (const auto& [_, segs] : rows)
    for (const Segment& g : segs)
      if (std::none_of(legend.begin(), legend.end(), [&](const auto& l) { return l.first == g.name; }))
        legend.emplace_back(g.name, g.color);
  int lx = label_w;
  for (const auto& [name, c] : legend) {
    s += "<rect x=\"" + std::to_string(lx) + "\" y=\"" + std::to_string(y + 6) +
         "\" width=\"12\" height=\"12\" fill=\"" + c + "\"/><text x=\"" + std::to_string(lx + 16) + "\" y=\"" +
         std::to_string(y + 17) + "\" class=\"lbl\">" + esc(name) + "</text>";
    lx += 24 + static_cast<int>(name.size()) * 7;
  }
  return s + "</svg>";
}

/// A line chart: one polyline per series of (x, y) points, axes from 0.
std::string line_chart(const std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>>& series,
                       const std::string& title, const std::string& xlabel, const std::string& ylabel) {
  const int width = 760, height = 280, left = 60, right = 190, top = 20, bottom = 40;
  double xmax = 0, ymax = 0;
  for (const auto& [_, pts] : series)
    for (const auto& [x, y] : pts) {
      xmax = std::max(xmax, x);
      ymax = std::max(ymax, y);
    }
  if (xmax <= 0) xmax = 1;
  if (ymax <= 0) ymax = 1;
  const double pw = width - left - right, ph = height - top - bottom;
  std::string s = "<svg class=\"chart\" role=\"img\" aria-label=\"" + esc(title) + "\" width=\"" +
                  std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                  std::to_string(width) + " " + std::to_string(height) + "\">";
  s += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + num(top + ph) + "\" x2=\"" + num(left + pw) + "\" y2=\"" +
       num(top + ph) + "\" class=\"axis\"/>";
  s += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(top) + "\" x2=\"" + std::to_string(left) +
       "\" y2=\"" + num(top + ph) + "\" class=\"axis\"/>";
  s += "<text x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(height - 8) + "\" class=\"lbl\">0</text>";
  s += "<text x=\"" + num(left + pw - 40) + "\" y=\"" + std::to_string(height - 8) + "\" class=\"lbl\">" +
       num(xmax, 0) + " " + esc(xlabel) + "</text>";
  s += "<text x=\"4\" y=\"" + std::to_string(top + 10) + "\" class=\"lbl\">" + num(ymax, 0) + "</text>";
  s += "<text x=\"4\" y=\"" + num(top + ph) + "\" class=\"lbl\">0</text>";
  s += "<text x=\"4\" y=\"" + num(top + ph / 2) + "\" class=\"lbl\">" + esc(ylabel) + "</text>";
  for (size_t i = 0; i < series.size(); ++i) {
    const auto& [name, pts] = series[i];
    std::string p;
    for (const auto& [x, y] : pts) p += num(left + x / xmax * pw, 1) + "," + num(top + ph - y / ymax * ph, 1) + " ";
    if (!p.empty())
      s += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + std::string(color(i)) + "\" points=\"" + p +
           "\"><title>" + esc(name) + "</title></polyline>";
    int ly = top + 14 + static_cast<int>(i) * 18;
    s += "<rect x=\"" + num(left + pw + 14) + "\" y=\"" + std::to_string(ly - 10) +
         "\" width=\"12\" height=\"12\" fill=\"" + color(i) + "\"/><text x=\"" + num(left + pw + 30) + "\" y=\"" +
         std::to_string(ly) + "\" class=\"lbl\">" + esc(name) + "</text>";
  }
  return s + "</svg>";
}

/// The testsuite's files grouped the way its names group them: simd_*,
/// memory_*, table_*, ... (roughly: by proposal and by instruction family).
std::string group_of(const std::string& file) {
  std::string stem = file.substr(0, file.find('.'));
  size_t cut = stem.find('_');
  return cut == std::string::npos ? stem : stem.substr(0, cut);
}

const char* const kVerdictColor[][2] = {{"warden-bug", "#d62728"},       {"new-peer-bug", "#ff7f0e"},
                                        {"peer-bug", "#1f77b4"},         {"spec-allowed", "#2ca02c"},
                                        {"not-reproducible", "#7f7f7f"}, {"error", "#9467bd"}};

std::string verdict_badge(const std::string& v) {
  const char* c = "#7f7f7f";
  for (const auto& [name, col] : kVerdictColor)
    if (v == name) c = col;
  return "<span class=\"badge\" style=\"background:" + std::string(c) + "\">" + esc(v) + "</span>";
}

std::string conformance_section(const json& c) {
  std::string s = "<section id=\"conformance\"><h2>Conformance</h2>";
  if (str(c, "status") != "ran") return s + "<p>" + esc(str(c, "status", "not run")) + "</p></section>";
  s += "<p>The official testsuite (" + esc(str(c, "suite")) +
       ") through every engine, counted per top-level command. " + "Command: <code>" + esc(str(c, "command")) +
       "</code>; " + num(dbl(c, "seconds")) + " s.</p>";
  std::vector<std::pair<std::string, std::vector<Segment>>> rows;
  const json& totals = member(c, "totals");
  for (const auto& [engine, t] : totals.items())
    rows.push_back({engine + " (" + str(member(c, "versions"), engine.c_str()) + ")",
                    {{dbl(t, "passed"), "#2ca02c", "passed"},
                     {dbl(t, "failed"), "#d62728", "failed"},
                     {dbl(t, "not_run"), "#c7c7c7", "not run"}}});
  s += "<h3>Per engine</h3>" + stacked_bars(rows, "conformance per engine");
  // Per group of files, the share of commands passed per engine.
  // group -> engine -> passed, failed, all commands
  std::map<std::string, std::map<std::string, std::tuple<double, double, double>>> groups;
  const json& files = member(c, "files");
  for (const auto& [file, f] : files.items())
    for (const auto& [engine, r] : member(f, "engines").items()) {
      auto& [passed, failed, all] = groups[group_of(file)][engine];
      passed += dbl(r, "passed");
      failed += dbl(r, "failed");
      all += dbl(r, "passed") + dbl(r, "failed") + dbl(r, "not_run");
    }
  s += "<h3>Per group of files (share of commands passed)</h3><table><tr><th>group</th>";
  std::vector<std::string> engines;
  for (const auto& [engine, _] : totals.items()) engines.push_back(engine);
  for (const std::string& e : engines) s += "<th>" + esc(e) + "</th>";
  s += "</tr>";
  for (const auto& [group, per] : groups) {
    s += "<tr><td>" + esc(group) + "</td>";
    for (const std::string& e : engines) {
      auto it = per.find(e);
      if (it == per.end() || std::get<2>(it->second) == 0) {
        s += "<td>-</td>";
        continue;
      }
      const auto& [passed, failed, all] = it->second;
      if (passed + failed == 0) {  // never reached (the time box, or the engine could not run it)
        s += "<td class=\"warn\">not run</td>";
        continue;
      }
      double pct = 100 * passed / all;
      std::string not_run = all > passed + failed ? " (" + num(all - passed - failed) + " not run)" : "";
      s += std::string("<td class=\"") +
           (pct >= 100  ? "ok"
            : pct >= 90 ? "warn"
                        : "bad") +
           "\">" + num(pct, 1) + "%" + not_run + "</td>";
    }
    s += "</tr>";
  }
  s += "</table><h3>Per file</h3><details><summary>" + std::to_string(files.size()) +
       " files</summary><table><tr><th>file</th><th>commands</th>";
  for (const std::string& e : engines) s += "<th>" + esc(e) + "</th>";
  s += "</tr>";
  for (const auto& [file, f] : files.items()) {
    s += "<tr><td>" + esc(file) + "</td><td>" + num(dbl(f, "commands")) + "</td>";
    for (const std::string& e : engines) {
      const json& r = member(f, "engines").value(e, json::object());
      double failed = dbl(r, "failed"), nr = dbl(r, "not_run");
      std::string cls = failed > 0 ? "bad" : nr > 0 ? "warn" : "ok";
      std::string text = num(dbl(r, "passed")) + (failed > 0 ? " / " + num(failed) + " failed" : "") +
                         (nr > 0 ? " / " + num(nr) + " not run" : "");
      s += "<td class=\"" + cls + "\" title=\"" + esc(str(r, "could_not_run")) + "\">" + text + "</td>";
    }
    s += "</tr>";
  }
  return s + "</table></details></section>";
}

std::string differential_section(const json& d) {
  std::string s = "<section id=\"differential\"><h2>Differential campaign</h2>";
  if (str(d, "status") != "ran") return s + "<p>" + esc(str(d, "status", "not run")) + "</p></section>";
  s += "<p>Seed " + num(dbl(d, "seed")) + ", " + num(dbl(d, "seconds")) + " s, " + num(dbl(d, "cycles")) +
       " cycles: " + num(dbl(d, "generated")) + " generated modules (" + num(dbl(d, "modules_per_second"), 1) +
       "/s through all engines), " + num(dbl(d, "mutants")) + " mutants, " + num(dbl(d, "wasi_programs")) +
       " WASI programs. Findings: " + num(dbl(d, "findings")) + " (" + num(dbl(d, "explained")) +
       " explained by catalogued rules); unexplained buckets: <b>" + num(dbl(d, "unexplained_buckets")) + "</b>.</p>";
  s += "<table><tr><th>engine</th><th>version</th></tr>";
  for (const auto& [e, v] : member(d, "engines").items())
    s += "<tr><td>" + esc(e) + "</td><td>" + esc(v.get<std::string>()) + "</td></tr>";
  for (const json& m : member(d, "missing"))
    s += "<tr><td colspan=\"2\">missing: " + esc(m.get<std::string>()) + "</td></tr>";
  s += "</table>";
  // Findings per engine (the engines on the other side of the reference).
  std::map<std::string, std::pair<double, double>> per;  // engine -> explained, unexplained findings
  for (const json& b : member(d, "buckets"))
    for (const json& e : member(b, "engines")) {
      auto& p = per[e.get<std::string>()];
      (str(b, "rule").empty() ? p.second : p.first) += dbl(b, "count");
    }
  std::vector<std::pair<std::string, std::vector<Segment>>> rows;
  for (const auto& [e, p] : per)
    rows.push_back({e, {{p.first, "#1f77b4", "explained (catalogued)"}, {p.second, "#d62728", "unexplained"}}});
  s += "<h3>Findings per engine</h3>" +
       (rows.empty() ? std::string("<p>No findings.</p>") : stacked_bars(rows, "findings per engine"));
  std::vector<std::pair<std::string, std::vector<Segment>>> brows;
  for (const json& b : member(d, "buckets"))
    brows.push_back({str(b, "rule").empty() ? str(b, "signature").substr(0, 40) : str(b, "rule").substr(0, 40),
                     {{dbl(b, "count"), str(b, "rule").empty() ? "#d62728" : "#1f77b4",
                       str(b, "rule").empty() ? "unexplained" : "explained (catalogued)"}}});
  if (!brows.empty()) s += "<h3>Findings per bucket</h3>" + stacked_bars(brows, "findings per bucket");
  return s + "</section>";
}

std::string fuzzing_section(const json& f) {
  std::string s = "<section id=\"fuzzing\"><h2>Fuzzing</h2>";
  if (str(f, "status").rfind("ran", 0) != 0) return s + "<p>" + esc(str(f, "status", "not run")) + "</p></section>";
  s += "<p>Every fuzz target for " + num(dbl(f, "seconds_per_target")) +
       " s on one core (libFuzzer, ASan + UBSan, scripts/fuzz). " + esc(str(f, "status")) + ".</p>";
  std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> execs, cov;
  s += "<table><tr><th>target</th><th>executions</th><th>exec/s</th><th>coverage (edges)</th><th>corpus</th>"
       "<th>crashes</th></tr>";
  for (const json& t : member(f, "targets")) {
    std::vector<std::pair<double, double>> e, c;
    for (const json& p : member(t, "series")) {
      e.emplace_back(p[0].get<double>(), p[1].get<double>());
      c.emplace_back(p[0].get<double>(), p[2].get<double>());
    }
    execs.emplace_back(str(t, "name"), e);
    cov.emplace_back(str(t, "name"), c);
    s += "<tr><td>" + esc(str(t, "name")) + "</td><td>" + num(dbl(t, "execs")) + "</td><td>" +
         num(dbl(t, "exec_per_s")) + "</td><td>" + num(dbl(t, "cov")) + "</td><td>" + num(dbl(t, "corpus")) +
         "</td><td class=\"" + (dbl(t, "crashes") > 0 ? "bad" : "ok") + "\">" + num(dbl(t, "crashes")) + "</td></tr>";
  }
  s += "</table><h3>Executions per second over time</h3>" + line_chart(execs, "exec/s over time", "s", "exec/s");
  s += "<h3>Coverage over time</h3>" + line_chart(cov, "coverage over time", "s", "edges");
  return s + "</section>";
}

std::string findings_section(const json& r) {
  std::string s = "<section id=\"findings\"><h2>Findings and their verdicts</h2>";
  const json& list = member(r, "findings");
  if (list.empty()) return s + "<p>Nothing to explain: no finding and no crash.</p></section>";
  s += "<table><tr><th>verdict</th><th>from</th><th>why</th><th>artifact</th></tr>";
  for (const json& f : list)
    s += "<tr><td>" + verdict_badge(str(f, "verdict")) + "</td><td>" + esc(str(f, "origin")) + "</td><td>" +
         esc(str(f, "why")) + "</td><td><code>" + esc(str(f, "artifact")) + "</code></td></tr>";
  return s + "</table></section>";
}

std::string reproduce_section(const json& r) {
  std::string s = "<section id=\"reproduce\"><h2>Reproduce</h2><ul>";
  s += "<li>This audit: <code>" + esc(str(r, "command")) + "</code></li>";
  for (const json& f : member(r, "findings")) s += "<li><code>" + esc(str(f, "command")) + "</code></li>";
  return s + "</ul><p>Raw data: <code>report.json</code>; logs beside it.</p></section>";
}

}  // namespace

std::string render_html(const json& r) {
  std::string s =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Warden audit</title><style>"
      "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:64em;color:#222}"
      "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}"
      "table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left}"
      "td.ok{background:#e6f4e6}td.warn{background:#fff4d6}td.bad{background:#fbe0e0}"
      ".badge{color:#fff;border-radius:.3em;padding:.05em .4em;font-size:.9em;white-space:nowrap}"
      ".lbl{font:12px system-ui,sans-serif;fill:#333}.axis{stroke:#888}code{font-size:.92em}"
      ".cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:.4em;padding:.5em 1em}"
      ".card b{font-size:1.5em;display:block}</style></head><body>";
  s += "<h1>Warden audit</h1>";
  s += "<section id=\"summary\"><h2>Summary</h2><p>Started " + esc(str(r, "started")) + ", " + num(dbl(r, "seconds")) +
       " s (budget " + num(dbl(r, "time_budget")) + " s), seed " + num(dbl(r, "seed")) + ".</p><div class=\"cards\">";
  const json& v = member(r, "verdicts");
  for (const auto& [name, col] : kVerdictColor) {
    if (std::string(name) == "error" && !v.contains("error")) continue;
    s += "<div class=\"card\" style=\"border-color:" + std::string(col) + "\"><b>" + num(v.value(name, 0)) + "</b>" +
         esc(name) + "</div>";
  }
  s += "</div></section>";
  s += conformance_section(member(r, "conformance"));
  s += differential_section(member(r, "differential"));
  s += fuzzing_section(member(r, "fuzzing"));
  s += findings_section(r);
  s += reproduce_section(r);
  return s + "</body></html>\n";
}

std::string render_markdown(const json& r) {
  std::string s = "# Warden audit\n\n" + str(r, "started") + ", " + num(dbl(r, "seconds")) + " s, seed " +
                  num(dbl(r, "seed")) + "\n\n## Verdicts\n\n| verdict | findings |\n|---|---:|\n";
  for (const auto& [name, n] : member(r, "verdicts").items()) s += "| " + name + " | " + n.dump() + " |\n";
  const json& c = member(r, "conformance");
  s += "\n## Conformance\n\n";
  if (str(c, "status") == "ran") {
    s += "| engine | passed | failed | not run |\n|---|---:|---:|---:|\n";
    for (const auto& [e, t] : member(c, "totals").items())
      s += "| " + e + " | " + num(dbl(t, "passed")) + " | " + num(dbl(t, "failed")) + " | " + num(dbl(t, "not_run")) +
           " |\n";
  } else {
    s += str(c, "status") + "\n";
  }
  const json& d = member(r, "differential");
  s += "\n## Differential\n\n";
  s += str(d, "status") == "ran" ? num(dbl(d, "generated")) + " modules (" + num(dbl(d, "modules_per_second"), 1) +
                                       "/s), " + num(dbl(d, "mutants")) + " mutants, " + num(dbl(d, "findings")) +
                                       " findings, unexplained buckets: " + num(dbl(d, "unexplained_buckets")) + "\n"
                                 : str(d, "status") + "\n";
  const json& f = member(r, "fuzzing");
  s += "\n## Fuzzing\n\n";
  if (f.contains("targets")) {
    s += "| target | exec/s | coverage | crashes |\n|---|---:|---:|---:|\n";
    for (const json& t : f["targets"])
      s += "| " + str(t, "name") + " | " + num(dbl(t, "exec_per_s")) + " | " + num(dbl(t, "cov")) + " | " +
           num(dbl(t, "crashes")) + " |\n";
  } else {
    s += str(f, "status") + "\n";
  }
  return s;
}

}  // namespace warden::cli::audit
