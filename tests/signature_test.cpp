// Signed modules (warden/signature.hpp): sign, verify, and every way a
// module can fail to be what was signed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "warden/binary.hpp"
#include "warden/signature.hpp"
#include "warden/text.hpp"
#include "warden/warden.hpp"

using namespace warden;
using namespace warden::sig;

namespace {

std::vector<uint8_t> module_bytes() {
  Result<std::vector<uint8_t>> b = wat_to_wasm(R"((module
    (memory (export "mem") 1)
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    (data (i32.const 8) "signed"))
  )");
  EXPECT_TRUE(b) << (b ? "" : b.error().message);
  return b ? *b : std::vector<uint8_t>{};
}

std::vector<uint8_t> signed_by(const KeyPair& k, std::span<const uint8_t> m) {
  std::string err;
  std::optional<Signed> s = sign(m, k, {}, err);
  EXPECT_TRUE(s) << err;
  return s ? s->module : std::vector<uint8_t>{};
}

Signed signed_detached(const KeyPair& k, std::span<const uint8_t> m) {
  std::string err;
  SignOptions o;
  o.detached = true;
  std::optional<Signed> s = sign(m, k, o, err);
  EXPECT_TRUE(s) << err;
  return s ? *s : Signed{};
}

std::vector<uint8_t> custom_section(std::string_view name, std::span<const uint8_t> payload) {
  std::vector<uint8_t> body;
  body.push_back(static_cast<uint8_t>(name.size()));
  body.insert(body.end(), name.begin(), name.end());
  body.insert(body.end(), payload.begin(), payload.end());
  std::vector<uint8_t> s;
  s.reserve(2 + body.size());
  s.push_back(0);
  s.push_back(static_cast<uint8_t>(body.size()));
  s.insert(s.end(), body.begin(), body.end());
  return s;
}

}  // namespace

TEST(Signature, SignedModuleVerifiesAndStillLoads) {
  KeyPair k = generate_key();
  std::vector<uint8_t> m = module_bytes();
  std::vector<uint8_t> s = signed_by(k, m);
  PublicKey keys[] = {k.public_key};
  Verification v = verify(s, keys);
  EXPECT_TRUE(v.ok) << v.error;
  EXPECT_EQ(v.parts, 1u);
  // The signature is a custom section: the module means what it meant.
  Result<std::shared_ptr<const Module>> loaded = Module::load(s);
  EXPECT_TRUE(loaded) << (loaded ? "" : loaded.error().message);
  // Its first section is the signature.
  EXPECT_EQ(s[8], 0);
  EXPECT_EQ(std::string(s.begin() + 11, s.begin() + 20), "signature");
}

TEST(Signature, EverySingleByteFlipFailsVerification) {
  KeyPair k = generate_key();
  std::vector<uint8_t> s = signed_by(k, module_bytes());
  PublicKey keys[] = {k.public_key};
  ASSERT_TRUE(verify(s, keys).ok);
  size_t refused = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
      std::vector<uint8_t> t = s;
      t[i] ^= flip;
      Verification v = verify(t, keys);
      EXPECT_FALSE(v.ok) << "byte " << i << " ^ " << int(flip) << " still verifies";
      EXPECT_FALSE(v.error.empty());
      refused += !v.ok;
    }
  }
  EXPECT_EQ(refused, 3 * s.size());
}

TEST(Signature, RefusalsSayWhy) {
  KeyPair k = generate_key(), other = generate_key();
  std::vector<uint8_t> m = module_bytes();
  std::vector<uint8_t> s = signed_by(k, m);
  PublicKey keys[] = {k.public_key}, wrong[] = {other.public_key};
  EXPECT_EQ(verify(m, keys).error,
            "module is not signed (no signature section first, and no detached signature given)");
  EXPECT_EQ(verify(s, wrong).error, "no signature by a trusted key");
  std::vector<uint8_t> truncated(s.begin(), s.end() - 3);
  EXPECT_EQ(verify(truncated, keys).error.rfind("section at byte", 0), 0u) << verify(truncated, keys).error;
  std::vector<uint8_t> appended = s;
  std::vector<uint8_t> extra = custom_section("x", std::vector<uint8_t>{1, 2, 3});
  appended.insert(appended.end(), extra.begin(), extra.end());
  EXPECT_EQ(verify(appended, keys).error, "module content does not match its signature (part 1 of 1)");
  std::vector<uint8_t> not_wasm = {'\0', 'a', 's', 'n', 1, 0, 0, 0};
  EXPECT_EQ(verify(not_wasm, keys).error, "not a WebAssembly module (bad magic number or version)");
}

TEST(Signature, TwoSignersEitherKeyVerifies) {
  KeyPair a = generate_key(), b = generate_key(), c = generate_key();
  std::vector<uint8_t> twice = signed_by(b, signed_by(a, module_bytes()));
  PublicKey only_a[] = {a.public_key}, only_b[] = {b.public_key}, only_c[] = {c.public_key};
  EXPECT_TRUE(verify(twice, only_a).ok);
  EXPECT_TRUE(verify(twice, only_b).ok);
  EXPECT_FALSE(verify(twice, only_c).ok);
  PublicKey c_then_b[] = {c.public_key, b.public_key};
  Verification v = verify(twice, c_then_b);
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.key, 1u);
}

TEST(Signature, DetachedSignatureVerifiesTheUnchangedModule) {
  KeyPair k = generate_key();
  std::vector<uint8_t> m = module_bytes();
  Signed s = signed_detached(k, m);
  EXPECT_EQ(s.module, m);
  PublicKey keys[] = {k.public_key};
  EXPECT_TRUE(verify(m, keys, std::span<const uint8_t>(s.detached)).ok);
  // The same bytes embedded are the same signature.
  std::vector<uint8_t> embedded = signed_by(k, m);
  EXPECT_TRUE(verify(embedded, keys).ok);
  std::vector<uint8_t> other = m;
  other.back() ^= 1;
  EXPECT_FALSE(verify(other, keys, std::span<const uint8_t>(s.detached)).ok);
}

TEST(Signature, DelimitedPartsVerifyAndAPartialSignatureIsRefused) {
  KeyPair k = generate_key();
  std::vector<uint8_t> m = module_bytes();
  std::vector<uint8_t> delimiter = custom_section("signature_delimiter", std::vector<uint8_t>(16, 0xA5));
  m.insert(m.end(), delimiter.begin(), delimiter.end());
  std::vector<uint8_t> s = signed_by(k, m);
  PublicKey keys[] = {k.public_key};
  Verification v = verify(s, keys);
  ASSERT_TRUE(v.ok) << v.error;
  EXPECT_EQ(v.parts, 1u);
  // A section added after the last delimiter is a second, unsigned part.
  std::vector<uint8_t> extended = s;
  std::vector<uint8_t> extra = custom_section("later", std::vector<uint8_t>{7});
  extended.insert(extended.end(), extra.begin(), extra.end());
  EXPECT_EQ(verify(extended, keys).error, "partial signature: it covers 1 of the module's 2 parts (refused)");
  // Signed again, both parts are covered.
  Verification again = verify(signed_by(k, extended), keys);
  EXPECT_TRUE(again.ok) << again.error;
  EXPECT_EQ(again.parts, 2u);
}

// At most 64 parts, the one after the last delimiter included: sign()
// once made a 65th hash for content after 64 delimiters, which verify()
// then refused as malformed (the signature fuzz target's find,
// corpora/regressions/signature/).
TEST(Signature, SixtyFourPartsAtMostTheLastOneCounted) {
  KeyPair k = generate_key();
  PublicKey keys[] = {k.public_key};
  const std::vector<uint8_t> delimiter = custom_section("signature_delimiter", std::vector<uint8_t>(4, 0x5A));
  const std::vector<uint8_t> tail = custom_section("tail", std::vector<uint8_t>{1});
  auto with = [&](int delimiters, bool trailing) {
    std::vector<uint8_t> m = module_bytes();
    for (int i = 0; i < delimiters; ++i) m.insert(m.end(), delimiter.begin(), delimiter.end());
    if (trailing) m.insert(m.end(), tail.begin(), tail.end());
    return m;
  };
  for (auto [delimiters, trailing] : {std::pair{63, true}, std::pair{64, false}}) {
    Verification v = verify(signed_by(k, with(delimiters, trailing)), keys);
    ASSERT_TRUE(v.ok) << delimiters << ": " << v.error;
    EXPECT_EQ(v.parts, 64u);
  }
  for (auto [delimiters, trailing] : {std::pair{64, true}, std::pair{65, false}}) {
    std::string err;
    EXPECT_FALSE(sign(with(delimiters, trailing), k, {}, err));
    EXPECT_EQ(err, "module has more than 64 signed parts");
  }
}

TEST(Signature, KeysRoundTripAndDamagedKeysAreRefused) {
  KeyPair k = generate_key();
  std::string err;
  std::vector<uint8_t> pair = serialize(k), pub = serialize(k.public_key);
  EXPECT_EQ(pair.size(), 65u);
  EXPECT_EQ(pair[0], 0x81);
  EXPECT_EQ(pub.size(), 33u);
  EXPECT_EQ(pub[0], 0x01);
  std::optional<KeyPair> back = parse_key_pair(pair, err);
  ASSERT_TRUE(back) << err;
  EXPECT_EQ(back->public_key.bytes, k.public_key.bytes);
  pair[40] ^= 1;  // the public half no longer matches the seed
  EXPECT_FALSE(parse_key_pair(pair, err));
  EXPECT_EQ(err, "key pair's public key does not belong to its secret key");
  EXPECT_FALSE(parse_public_key(std::vector<uint8_t>(pub.begin(), pub.end() - 1), err));
  EXPECT_FALSE(parse_key_pair(pub, err));
}

namespace {

void put_leb(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out.push_back(static_cast<uint8_t>(b | (v ? 0x80 : 0)));
  } while (v);
}

// Signature data of `sets` hash sets, each one hash of `hash` and one
// 64-byte signature of `sig` bytes, and `nhashes` as the first set's count.
std::vector<uint8_t> data_of(uint32_t sets, uint8_t hash, uint8_t sig, uint32_t nhashes = 1) {
  std::vector<uint8_t> d;
  d.reserve(16 + sets * 110);
  d.push_back(1);
  d.push_back(1);
  d.push_back(1);
  put_leb(d, sets);
  for (uint32_t i = 0; i < sets; ++i) {
    put_leb(d, i == 0 ? nhashes : 1);
    d.insert(d.end(), 32 * (i == 0 ? nhashes : 1), hash);
    put_leb(d, 1);
    put_leb(d, 0);   // no key id
    d.push_back(1);  // Ed25519
    put_leb(d, 64);
    d.insert(d.end(), 64, sig);
  }
  return d;
}

}  // namespace

TEST(Signature, HostileSignatureDataIsBoundedAndRefused) {
  KeyPair k = generate_key();
  std::vector<uint8_t> m = module_bytes();
  PublicKey keys[] = {k.public_key};
  auto refused = [&](const std::vector<uint8_t>& data) {
    return verify(m, keys, std::span<const uint8_t>(data)).error;
  };
  EXPECT_EQ(refused(data_of(1, 0, 0, 0)), "signature data is malformed: hash count 0");
  EXPECT_EQ(refused(data_of(1, 0, 0, 65)), "signature data is malformed: hash count 65");
  EXPECT_EQ(refused(data_of(65, 0, 0)), "signature data holds 65 hash sets (at most 64)");
  EXPECT_EQ(refused(data_of(2, 7, 7)), "no signature by a trusted key");
  std::vector<uint8_t> trailing = data_of(1, 0, 0);
  trailing.push_back(0);
  EXPECT_EQ(refused(trailing), "signature data is malformed: bytes after the last signature");
  std::vector<uint8_t> d = {1, 1, 2, 0};
  EXPECT_EQ(refused(d), "unsupported hash function 2");
}

TEST(Signature, JunkHashSetsBesideAGoodOneDoNotMatter) {
  KeyPair k = generate_key();
  std::vector<uint8_t> m = module_bytes();
  Signed s = signed_detached(k, m);
  ASSERT_FALSE(s.detached.empty());
  // Two junk sets (wrong hashes, bad signatures) in front of the real one.
  std::vector<uint8_t> junk = data_of(2, 9, 9), data;
  data.reserve(junk.size() + s.detached.size());
  data.insert(data.end(), junk.begin(), junk.end());
  data[3] = 3;  // three sets
  data.insert(data.end(), s.detached.begin() + 4, s.detached.end());
  PublicKey keys[] = {k.public_key};
  Verification v = verify(m, keys, std::span<const uint8_t>(data));
  EXPECT_TRUE(v.ok) << v.error;
}

TEST(Signature, FramingEdgeCases) {
  KeyPair k = generate_key();
  PublicKey keys[] = {k.public_key};
  // A header alone can be signed and verified (one empty part).
  std::vector<uint8_t> m = module_bytes(), s = signed_by(k, m);
  std::vector<uint8_t> header(m.begin(), m.begin() + 8);
  EXPECT_TRUE(verify(signed_by(k, header), keys).ok);
  // A signature section that is not the first section is not a signature.
  std::vector<uint8_t> moved(s.begin(), s.begin() + 8);
  size_t sig_end = 8 + 2 + s[9];  // id, one-byte size, payload
  ASSERT_LT(s[9], 0x80);
  moved.insert(moved.end(), s.begin() + static_cast<long>(sig_end), s.end());
  moved.insert(moved.end(), s.begin() + 8, s.begin() + static_cast<long>(sig_end));
  EXPECT_EQ(verify(moved, keys).error,
            "module is not signed (no signature section first, and no detached signature given)");
  // Cut at a delimiter: the signature covers a part that is no longer there.
  std::vector<uint8_t> two = m;
  std::vector<uint8_t> delimiter = custom_section("signature_delimiter", std::vector<uint8_t>(16, 1));
  two.insert(two.end(), delimiter.begin(), delimiter.end());
  std::vector<uint8_t> more = custom_section("more", std::vector<uint8_t>{1});
  two.insert(two.end(), more.begin(), more.end());
  two.insert(two.end(), delimiter.begin(), delimiter.end());
  std::vector<uint8_t> signed_two = signed_by(k, two);
  ASSERT_TRUE(verify(signed_two, keys).ok);
  std::vector<uint8_t> cut(signed_two.begin(), signed_two.end() - static_cast<long>(delimiter.size() + more.size()));
  EXPECT_EQ(verify(cut, keys).error, "module content does not match its signature (part 2 of 2)");
  // A detached signature of a module that carries an embedded one covers
  // all of it, embedded section included.
  Signed d = signed_detached(k, s);
  EXPECT_EQ(d.module, s);
  EXPECT_TRUE(verify(s, keys, std::span<const uint8_t>(d.detached)).ok);
}
