// `warden audit`: the report a person reads (docs/audit.md). The command
// (cmd_audit.cpp) gathers report.json; these render it.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace warden::cli::audit {

/// One self-contained page: inline CSS and SVG, no script, nothing fetched.
/// Its sections have the ids summary, conformance, differential, fuzzing,
/// findings and reproduce (the browser test checks them).
std::string render_html(const nlohmann::json& report);

/// The summary printed on stdout: a few Markdown tables.
std::string render_markdown(const nlohmann::json& report);

}  // namespace warden::cli::audit
