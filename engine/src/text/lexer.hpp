// Tokens of the text format (spec 6.2 "Lexical format") and the literal
// conversions of spec 6.3 ("Values"). Internal to the text layer.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warden::text {

enum class Tok : uint8_t {
  LParen,
  RParen,
  Keyword,  ///< a known keyword, instruction name, offset=N or align=N
  Nat,      ///< uN syntax: digits or 0x hexdigits (with '_' separators)
  Int,      ///< sN syntax: a sign followed by a Nat
  Float,    ///< fN syntax that is neither Nat nor Int (., e, p, inf, nan)
  String,   ///< "..." as a whole token; `str` indexes TokenList::strings
  Id,       ///< $name; `text` includes the '$'
  Error,    ///< lexical error; `str` indexes the message in strings
  Eof,
};

struct Token {
  Tok kind = Tok::Eof;
  uint32_t line = 1, col = 1;  // 1-based; col counts bytes
  std::string_view text;       // the source text of the token
  uint32_t str = 0;            // String: decoded bytes; Error: message
};

/// The whole input as tokens. Lexing stops at the first lexical error,
/// which becomes an Error token followed by Eof: the parser reports it when
/// it reaches that token, so errors appear in source order.
struct TokenList {
  std::vector<Token> toks;  // always ends with Eof
  std::vector<std::string> strings;
};

/// Tokenizes `src` (which must outlive the result: tokens view into it).
/// An atom that is neither a number nor a known keyword is an Error token
/// "unknown operator <atom>", as in the reference interpreter, whose lexer
/// rejects unknown keywords.
TokenList tokenize(std::string_view src);

/// True if `s` is a well-formed UTF-8 sequence (spec 6.3.3 names).
bool valid_utf8(std::string_view s);

// ---- literal conversions (spec 6.3.1, 6.3.2) ----
// Each takes the text of a Nat/Int/Float token and returns false when the
// value is out of range for the type or the text is not a literal of it.

/// u32 from a Nat token (indices, limits, offsets).
bool nat32_value(std::string_view s, uint32_t& out);
/// u64 from a Nat token (alignment, which is checked separately).
bool nat64_value(std::string_view s, uint64_t& out);
/// iN (N = 8, 16, 32, 64) from a Nat or Int token: -2^(N-1) .. 2^N - 1,
/// returned as N-bit two's complement zero-extended.
bool int_value(std::string_view s, unsigned bits, uint64_t& out);
/// f32/f64 bits from any number token, correctly rounded to nearest-even.
/// Fails ("constant out of range") when a finite literal rounds to
/// infinity or a NaN payload is zero or too wide.
bool f32_value(std::string_view s, uint32_t& out);
bool f64_value(std::string_view s, uint64_t& out);

}  // namespace warden::text
