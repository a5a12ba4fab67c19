// Tokenizer for the text format (spec 6.2). One forward pass over the bytes,
// no recursion: block comments nest through a counter.
#include "lexer.hpp"

#include <array>
#include <unordered_set>

#include "warden/opcode.hpp"

namespace warden::text {
namespace {

// spec 6.2.2 idchar
constexpr bool is_idchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '/':
    case ':':
    case '<':
    case '=':
    case '>':
    case '?':
    case '@':
    case '\\':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~': return true;
    default: return false;
  }
}

constexpr bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// What each byte is to the tokenizer, looked up once per byte: the atom
// and whitespace loops below are the text fuzz target's hottest code.
enum : uint8_t { kIdChar = 1, kSpace = 2, kEndsAtom = 4 };
constexpr std::array<uint8_t, 256> kCharClass = [] {
  std::array<uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    if (is_idchar(static_cast<unsigned char>(c))) t[c] |= kIdChar;
    if (is_space(static_cast<unsigned char>(c))) t[c] |= kSpace | kEndsAtom;
  }
  t['('] |= kEndsAtom;
  t[')'] |= kEndsAtom;
  t[';'] |= kEndsAtom;
  return t;
}();

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// num ::= digit ('_'? digit)*   (hexnum likewise): '_' only between digits.
bool is_digits(std::string_view s, bool hex) {
  if (s.empty()) return false;
  bool prev_digit = false;
  for (char c : s) {
    if (c == '_') {
      if (!prev_digit) return false;
      prev_digit = false;
    } else if (hex ? is_hex(c) : is_digit(c)) {
      prev_digit = true;
    } else {
      return false;
    }
  }
  return prev_digit;
}

bool is_nat_syntax(std::string_view s) {
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x') return is_digits(s.substr(2), true);
  return is_digits(s, false);
}

// The magnitude part of a float (spec 6.3.2) that is not a plain nat:
//   num '.' num? ([eE] sign? num)?  |  num [eE] sign? num
//   0x hexnum '.' hexnum? ([pP] sign? num)?  |  0x hexnum [pP] sign? num
//   inf | nan | nan:0x hexnum
bool is_float_mag(std::string_view s) {
  if (s == "inf" || s == "nan") return true;
  if (s.substr(0, 6) == "nan:0x") return is_digits(s.substr(6), true);
  bool hex = s.size() > 2 && s[0] == '0' && s[1] == 'x';
  if (hex) s.remove_prefix(2);
  size_t e = s.find_first_of(hex ? "pP" : "eE");
  std::string_view mant = s.substr(0, e);
  size_t dot = mant.find('.');
  if (dot == std::string_view::npos) {
    if (!is_digits(mant, hex)) return false;
  } else {
    if (!is_digits(mant.substr(0, dot), hex)) return false;
    std::string_view frac = mant.substr(dot + 1);
    if (!frac.empty() && !is_digits(frac, hex)) return false;
  }
  if (e == std::string_view::npos) return dot != std::string_view::npos;
  std::string_view ex = s.substr(e + 1);
  if (!ex.empty() && (ex[0] == '+' || ex[0] == '-')) ex.remove_prefix(1);
  return is_digits(ex, false);  // exponents are decimal in both forms
}

Tok classify_number(std::string_view s) {
  bool sign = !s.empty() && (s[0] == '+' || s[0] == '-');
  std::string_view mag = sign ? s.substr(1) : s;
  // Every number's magnitude starts with a digit, or is inf or nan(:0x...):
  // keywords (most atoms) are told apart by their first byte or three.
  if (mag.empty() || (!is_digit(mag[0]) && mag != "inf" && mag.substr(0, 3) != "nan")) return Tok::Error;
  if (is_nat_syntax(mag)) return sign ? Tok::Int : Tok::Nat;
  if (is_float_mag(mag)) return Tok::Float;
  return Tok::Error;
}

// One set of every keyword and instruction name (the opcode table's), built
// once: an atom costs one hash lookup, not one per table.
bool known_keyword(std::string_view s) {
  static const std::unordered_set<std::string_view> kKeywords = [] {
    std::unordered_set<std::string_view> k = {
        // module fields and their parts (spec 6.4, 6.6)
        "module", "type", "func", "param", "result", "local", "import", "export", "table", "memory", "global", "elem",
        "data", "start", "offset", "item", "declare", "mut", "then", "funcref", "externref", "extern", "ref", "null",
        "i32", "i64", "f32", "f64", "v128", "i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2",
        // scripts
        "binary", "quote", "register", "invoke", "get", "script", "input", "output", "assert_return", "assert_trap",
        "assert_exhaustion", "assert_malformed", "assert_invalid", "assert_unlinkable", "assert_uninstantiable",
        "ref.extern", "nan:canonical", "nan:arithmetic"};
    for (const OpInfo& o : kOpInfo) k.insert(o.name);
    return k;
  }();
  if (kKeywords.count(s) != 0) return true;
  if (s.substr(0, 7) == "offset=") return is_nat_syntax(s.substr(7));
  if (s.substr(0, 6) == "align=") return is_nat_syntax(s.substr(6));
  return false;
}

// Length of the UTF-8 sequence at s[i], or 0 if malformed (spec 6.3.3:
// shortest form, no surrogates, at most U+10FFFF).
size_t utf8_len(std::string_view s, size_t i) {
  auto at = [&](size_t k) -> unsigned { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  auto cont = [&](size_t k) {
    unsigned c = at(k);
    return c >= 0x80 && c <= 0xBF;
  };
  unsigned c = at(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned c1 = at(1);
    if (c == 0xE0 && c1 < 0xA0) return 0;
    if (c == 0xED && c1 > 0x9F) return 0;
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned c1 = at(1);
    if (c == 0xF0 && c1 < 0x90) return 0;
    if (c == 0xF4 && c1 > 0x8F) return 0;
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : s_(src) {
    // Every token takes at least one byte. The testsuite's scripts have
    // one token per 3.75 bytes (median; a tenth of them one per 3), so a
    // token per 4 bytes spares most inputs the copies of a growing vector.
    out_.toks.reserve(src.size() / 4 + 2);
  }

  TokenList run() {
    while (!done_) step();
    Token eof;
    eof.kind = Tok::Eof;
    eof.line = line_;
    eof.col = col();
    out_.toks.push_back(eof);
    return std::move(out_);
  }

 private:
  uint32_t col() const { return static_cast<uint32_t>(i_ - line_start_ + 1); }

  void newline_at(size_t k) {  // s_[k] ends a line
    ++line_;
    line_start_ = k + 1;
  }

  void error(uint32_t line, uint32_t col, size_t begin, std::string msg) {
    Token t;
    t.kind = Tok::Error;
    t.line = line;
    t.col = col;
    t.text = s_.substr(begin, i_ > begin ? i_ - begin : 0);
    t.str = static_cast<uint32_t>(out_.strings.size());
    out_.strings.push_back(std::move(msg));
    out_.toks.push_back(t);
    done_ = true;
  }

  void step() {
    if (i_ >= s_.size()) {
      done_ = true;
      return;
    }
    unsigned char c = static_cast<unsigned char>(s_[i_]);
    if (kCharClass[c] & kSpace) {  // the whole run of white space
      do {
        if (c == '\n') newline_at(i_);
        if (++i_ == s_.size()) break;
        c = static_cast<unsigned char>(s_[i_]);
      } while (kCharClass[c] & kSpace);
      return;
    }
    if (c == ';' && i_ + 1 < s_.size() && s_[i_ + 1] == ';') {
      // Line comment: up to a line feed or carriage return (both end a line
      // in the testsuite's comments.wast).
      while (i_ < s_.size() && s_[i_] != '\n' && s_[i_] != '\r') ++i_;
      return;
    }
    if (c == '(' && i_ + 1 < s_.size() && s_[i_ + 1] == ';') {
      block_comment();
      return;
    }
    Token t;
    t.line = line_;
    t.col = col();
    if (c == '(' || c == ')') {
      t.kind = c == '(' ? Tok::LParen : Tok::RParen;
      t.text = s_.substr(i_, 1);
      ++i_;
      out_.toks.push_back(t);
      return;
    }
    atom(t);
  }

  void block_comment() {
    uint32_t line = line_, c = col();
    size_t begin = i_;
    size_t depth = 0;
    while (i_ < s_.size()) {
      if (s_[i_] == '(' && i_ + 1 < s_.size() && s_[i_ + 1] == ';') {
        ++depth;
        i_ += 2;
      } else if (s_[i_] == ';' && i_ + 1 < s_.size() && s_[i_ + 1] == ')') {
        i_ += 2;
        if (--depth == 0) return;
      } else {
        if (s_[i_] == '\n') newline_at(i_);
        ++i_;
      }
    }
    error(line, c, begin, "unclosed comment");
  }

  // A maximal run of non-space, non-parenthesis, non-';' characters and
  // string literals. Exactly one string is a String token; anything else
  // that is not an id, a number or a keyword is "unknown operator" (the
  // testsuite's token.wast requires `$l"a"` and `"a""b"` to be rejected so).
  void atom(Token& t) {
    size_t begin = i_;
    size_t strings = 0;
    bool only_idchars = true;
    std::string bytes;
    while (i_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      const uint8_t k = kCharClass[c];
      if (k & kEndsAtom) break;
      if (c == '"') {
        ++strings;
        only_idchars = false;
        bytes.clear();
        if (!string_literal(bytes)) return;
        continue;
      }
      if (!(k & kIdChar)) only_idchars = false;
      ++i_;
    }
    t.text = s_.substr(begin, i_ - begin);
    if (t.text.empty()) {  // a lone ';'
      ++i_;
      error(t.line, t.col, begin, "unexpected character");
      return;
    }
    // One string spanning the run: it starts at the front, and a closing
    // quote at the back would otherwise have to start a second string.
    if (strings == 1 && t.text.front() == '"' && t.text.back() == '"') {
      t.kind = Tok::String;
      t.str = static_cast<uint32_t>(out_.strings.size());
      out_.strings.push_back(std::move(bytes));
      out_.toks.push_back(t);
      return;
    }
    if (only_idchars) {
      if (t.text[0] == '$' && t.text.size() > 1) {
        t.kind = Tok::Id;
        out_.toks.push_back(t);
        return;
      }
      Tok k = classify_number(t.text);
      if (k != Tok::Error) {
        t.kind = k;
        out_.toks.push_back(t);
        return;
      }
      if (known_keyword(t.text)) {
        t.kind = Tok::Keyword;
        out_.toks.push_back(t);
        return;
      }
    }
    error(t.line, t.col, begin, "unknown operator " + std::string(t.text));
  }

  // Scans the string literal at s_[i_] == '"' into `out` (spec 6.3.3).
  bool string_literal(std::string& out) {
    size_t begin = i_;
    uint32_t line = line_, c0 = col();
    ++i_;
    while (true) {
      if (i_ >= s_.size() || s_[i_] == '\n') {
        error(line, c0, begin, "unclosed string literal");
        return false;
      }
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20 || c == 0x7F) {
        error(line_, col(), begin, "illegal control character in string literal");
        return false;
      }
      if (c >= 0x80) {
        size_t n = utf8_len(s_, i_);
        if (n == 0) {
          error(line_, col(), begin, "malformed UTF-8 encoding");
          return false;
        }
        out.append(s_.substr(i_, n));
        i_ += n;
        continue;
      }
      if (c != '\\') {
        out += static_cast<char>(c);
        ++i_;
        continue;
      }
      // escape
      if (i_ + 1 >= s_.size()) {
        error(line, c0, begin, "unclosed string literal");
        return false;
      }
      char e = s_[i_ + 1];
      switch (e) {
        case 'n':
          out += '\n';
          i_ += 2;
          continue;
        case 'r':
          out += '\r';
          i_ += 2;
          continue;
        case 't':
          out += '\t';
          i_ += 2;
          continue;
        case '\\':
          out += '\\';
          i_ += 2;
          continue;
        case '\'':
          out += '\'';
          i_ += 2;
          continue;
        case '"':
          out += '"';
          i_ += 2;
          continue;
        default: break;
      }
      if (e == 'u') {
        size_t j = i_ + 2;
        if (j < s_.size() && s_[j] == '{') {
          size_t close = s_.find('}', j + 1);
          if (close != std::string_view::npos && is_digits(s_.substr(j + 1, close - j - 1), true)) {
            uint64_t cp = 0;
            bool big = false;
            for (char h : s_.substr(j + 1, close - j - 1)) {
              if (h == '_') continue;
              cp = cp * 16 + static_cast<uint64_t>(hex_value(h));
              if (cp > 0x10FFFF) big = true;
              if (big) cp = 0x110000;  // saturate; rejected below
            }
            if (!big && (cp < 0xD800 || (cp >= 0xE000 && cp < 0x110000))) {
              append_utf8(out, static_cast<uint32_t>(cp));
              i_ = close + 1;
              continue;
            }
          }
        }
      } else if (is_hex(e) && i_ + 2 < s_.size() && is_hex(s_[i_ + 2])) {
        out += static_cast<char>(hex_value(e) * 16 + hex_value(s_[i_ + 2]));
        i_ += 3;
        continue;
      }
      i_ += 1;
      error(line_, col(), begin, "illegal escape");
      return false;
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  size_t line_start_ = 0;
  uint32_t line_ = 1;
  bool done_ = false;
  TokenList out_;
};

}  // namespace

TokenList tokenize(std::string_view src) { return Lexer(src).run(); }

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_len(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace warden::text
