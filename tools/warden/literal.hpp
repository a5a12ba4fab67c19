// Typed value literals on the command line: `i32:5`, `f64:0x1p-3`,
// `v128:i32x4:1,2,3,4`, `externref:7`, ... and the same form for results.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "warden/warden.hpp"

namespace warden::cli {

/// Parses one typed literal:
///   i32:N  i64:N         decimal or 0x-hex, optional sign; unsigned values up
///                        to 2^bits-1 and negative ones down to -2^(bits-1)
///   f32:X  f64:X         decimal or hex float (0x1.8p3), inf, nan,
///                        nan:0xPAYLOAD, each with an optional sign; a value
///                        that rounds to infinity is rejected
///   v128:SHAPE:L,L,...   SHAPE one of i8x16 i16x8 i32x4 i64x2 f32x4 f64x2,
///                        exactly as many lanes as the shape has
///   funcref:null  externref:null  externref:N  (N is held as host word N+1,
///                        as the spec-test runner does, so externref:0 is
///                        not null)
/// `_` may separate digits, as in the text format. On failure returns nullopt
/// and sets `error` to a one-line reason.
std::optional<Value> parse_literal(std::string_view text, std::string& error);

/// Formats a value in the form parse_literal reads back. Integers are signed
/// decimal; floats are the shortest decimal that round-trips (or inf,
/// nan:0xPAYLOAD) followed by their bit pattern, e.g. `f32:1.5 (0x3fc00000)`;
/// v128 is shown as i32x4 lanes (signed) followed by its 128 bits as one hex
/// number, lane 0 in the lowest digits; a non-null funcref is
/// `funcref:nonnull` (it has no printable identity).
std::string format_value(const Value& v);

}  // namespace warden::cli
