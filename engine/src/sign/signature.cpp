// Signed modules: the tool-conventions format (warden/signature.hpp,
// docs/signatures.md). Hostile-input code: the module and the signature
// data are read through the decoder's bounded Reader, nothing is allocated
// by a count before the bytes it counts are there, and the section walk
// that feeds the hash is the only pass over the module.
#include "warden/signature.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "decode/reader.hpp"

namespace warden::sig {
namespace {

using decode_detail::Reader;

constexpr uint8_t kSpecVersion = 0x01, kContentModule = 0x01, kHashSha256 = 0x01, kAlgEd25519 = 0x01;
constexpr uint8_t kPublicKeyId = 0x01, kKeyPairId = 0x81;
constexpr size_t kHash = crypto_hash_sha256_BYTES;  // 32
// Bounds on hostile signature data (wasmsign2 uses the first two): a set
// holds at most kMaxParts hashes (so a module of more parts cannot
// verify), a signature section at most kMaxSets sets of kMaxSignatures,
// and one verification makes at most kMaxChecks Ed25519 checks.
constexpr size_t kMaxParts = 64, kMaxSets = 64, kMaxSignatures = 256, kMaxChecks = 1024;
constexpr uint8_t kHeader[8] = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
constexpr std::string_view kSignatureSection = "signature", kDelimiterSection = "signature_delimiter";

void init() {
  // Idempotent and thread-safe; failure means no usable randomness source.
  if (sodium_init() < 0) std::abort();
}

using Digest = std::array<uint8_t, kHash>;

/// One section as it stands in the module.
struct Section {
  size_t begin = 0, end = 0;  ///< the whole section: id, size, content
  uint8_t id = 0;
  std::string_view name;             ///< custom sections
  std::span<const uint8_t> payload;  ///< custom sections: after the name
};

/// Reads the section at `r`'s position; false (with `error`) when its
/// framing does not read.
bool next_section(Reader& r, Section& s, std::string& error) {
  s = Section{};
  s.begin = r.pos();
  s.id = r.u8();
  uint32_t size = r.u32();
  const uint8_t* content = r.bytes(size);
  if (!r.ok() || !content) {
    error = "section at byte " + std::to_string(s.begin) + " runs past the end of the module";
    return false;
  }
  s.end = r.pos();
  if (s.id == 0) {
    Reader c(std::span<const uint8_t>(content, size));
    uint32_t n = c.u32();
    const uint8_t* name = c.bytes(n);
    if (!c.ok() || !name) {
      error = "custom section at byte " + std::to_string(s.begin) + " has a malformed name";
      return false;
    }
    s.name = std::string_view(reinterpret_cast<const char*>(name), n);
    s.payload = std::span<const uint8_t>(content + c.pos(), size - c.pos());
  }
  return true;
}

/// The content a signature covers, from `from` to the end, in parts: the
/// rolling SHA-256 after each delimiter, and at the end when content
/// follows the last delimiter (or there is none). One pass.
bool content_digests(std::span<const uint8_t> m, size_t from, std::vector<Digest>& out, std::string& error) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  Reader r(m);
  r.bytes(from);
  bool open_part = true;  // content since the last delimiter (or none yet)
  size_t fed = 0;
  // One more part, within kMaxParts: the last one, after the final
  // delimiter, counts as well as the others (verify() refuses more).
  auto add_part = [&](crypto_hash_sha256_state state) {
    if (out.size() == kMaxParts) {
      error = "module has more than " + std::to_string(kMaxParts) + " signed parts";
      return false;
    }
    Digest d;
    crypto_hash_sha256_final(&state, d.data());
    out.push_back(d);
    return true;
  };
  while (r.ok() && !r.at_end()) {
    Section s;
    if (!next_section(r, s, error)) return false;
    crypto_hash_sha256_update(&st, m.data() + s.begin, s.end - s.begin);
    ++fed;
    open_part = true;
    if (s.id == 0 && s.name == kDelimiterSection) {
      if (!add_part(st)) return false;
      open_part = false;
    }
  }
  if (open_part || fed == 0) return add_part(st);
  return true;
}

struct Signature {
  std::span<const uint8_t> key_id;
  uint8_t alg = 0;
  std::span<const uint8_t> bytes;
};
struct HashSet {
  std::span<const uint8_t> hashes;  ///< n × 32 bytes
  std::vector<Signature> signatures;
};

/// The signature data; false (with `error`) when it does not read to its
/// last byte or names a version, content type or hash Warden lacks.
bool parse_data(std::span<const uint8_t> data, std::vector<HashSet>& sets, std::string& error) {
  Reader r(data);
  uint8_t version = r.u8(), content = r.u8(), hash = r.u8();
  if (!r.ok()) return error = "signature data is malformed: too short", false;
  if (version != kSpecVersion) return error = "unsupported signature version " + std::to_string(version), false;
  if (content != kContentModule) return error = "unsupported signed content type " + std::to_string(content), false;
  if (hash != kHashSha256) return error = "unsupported hash function " + std::to_string(hash), false;
  const uint32_t nsets = r.u32();
  if (r.ok() && nsets > kMaxSets)
    return error = "signature data holds " + std::to_string(nsets) + " hash sets (at most " + std::to_string(kMaxSets) +
                   ")",
           false;
  for (uint32_t i = 0; i < nsets && r.ok(); ++i) {
    HashSet set;
    const uint32_t nhashes = r.u32();
    if (r.ok() && (nhashes == 0 || nhashes > kMaxParts || nhashes > r.remaining() / kHash))
      return error = "signature data is malformed: hash count " + std::to_string(nhashes), false;
    const uint8_t* h = r.bytes(uint64_t{nhashes} * kHash);
    if (h) set.hashes = std::span<const uint8_t>(h, size_t{nhashes} * kHash);
    const uint32_t nsigs = r.u32();
    if (r.ok() && nsigs > kMaxSignatures)
      return error = "signature data holds " + std::to_string(nsigs) + " signatures in a set (at most " +
                     std::to_string(kMaxSignatures) + ")",
             false;
    for (uint32_t k = 0; k < nsigs && r.ok(); ++k) {
      Signature s;
      const uint32_t id_len = r.u32();
      const uint8_t* id = r.bytes(id_len);
      s.alg = r.u8();
      const uint32_t len = r.u32();
      const uint8_t* b = r.bytes(len);
      if (!r.ok()) break;
      s.key_id = std::span<const uint8_t>(id, id_len);
      s.bytes = std::span<const uint8_t>(b, len);
      set.signatures.push_back(s);
    }
    if (r.ok()) sets.push_back(std::move(set));
  }
  if (!r.ok()) return error = "signature data is malformed: " + r.error().message, false;
  if (!r.at_end()) return error = "signature data is malformed: bytes after the last signature", false;
  if (sets.empty()) return error = "signature data holds no signatures", false;
  return true;
}

// Bytes in order, reserved first (GCC 12 warns, wrongly, when a vector
// made from an initializer list grows).
std::vector<uint8_t> concat(std::initializer_list<std::span<const uint8_t>> parts) {
  size_t n = 0;
  for (std::span<const uint8_t> p : parts) n += p.size();
  std::vector<uint8_t> out;
  out.reserve(n);
  for (std::span<const uint8_t> p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::vector<uint8_t> message_for(std::span<const uint8_t> hashes) {
  static constexpr uint8_t kPrefix[] = {'w', 'a', 's', 'm', 's', 'i', 'g', kSpecVersion, kContentModule, kHashSha256};
  return concat({kPrefix, hashes});
}

void put_u32(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out.push_back(static_cast<uint8_t>(b | (v ? 0x80 : 0)));
  } while (v);
}

/// Where the signed content starts, and the embedded signature data.
struct Layout {
  size_t content = 8;
  std::optional<std::span<const uint8_t>> embedded;
};
bool layout_of(std::span<const uint8_t> m, Layout& l, std::string& error) {
  if (m.size() < 8 || std::memcmp(m.data(), kHeader, 8) != 0)
    return error = "not a WebAssembly module (bad magic number or version)", false;
  Reader r(m);
  r.bytes(8);
  if (r.at_end()) return true;
  Section s;
  if (!next_section(r, s, error)) return false;
  if (s.id == 0 && s.name == kSignatureSection) {
    l.embedded = s.payload;
    l.content = s.end;
  }
  return true;
}

}  // namespace

KeyPair key_from_seed(std::span<const uint8_t, 32> seed) {
  init();
  KeyPair k;
  std::memcpy(k.seed.data(), seed.data(), 32);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, k.seed.data());
  std::memcpy(k.public_key.bytes.data(), pk, 32);
  sodium_memzero(sk, sizeof sk);
  return k;
}

KeyPair generate_key() {
  init();
  std::array<uint8_t, 32> seed;
  randombytes_buf(seed.data(), seed.size());
  KeyPair k = key_from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  return k;
}

std::vector<uint8_t> serialize(const PublicKey& k) {
  static constexpr uint8_t kId[] = {kPublicKeyId};
  return concat({kId, k.bytes});
}

std::vector<uint8_t> serialize(const KeyPair& k) {
  static constexpr uint8_t kId[] = {kKeyPairId};
  return concat({kId, k.seed, k.public_key.bytes});
}

std::optional<PublicKey> parse_public_key(std::span<const uint8_t> b, std::string& error) {
  if (b.size() != 33 || b[0] != kPublicKeyId) {
    error = "not an Ed25519 public key (33 bytes starting 0x01)";
    return std::nullopt;
  }
  PublicKey k;
  std::memcpy(k.bytes.data(), b.data() + 1, 32);
  return k;
}

std::optional<KeyPair> parse_key_pair(std::span<const uint8_t> b, std::string& error) {
  init();
  if (b.size() != 65 || b[0] != kKeyPairId) {
    error = "not an Ed25519 key pair (65 bytes starting 0x81)";
    return std::nullopt;
  }
  KeyPair k;
  std::memcpy(k.seed.data(), b.data() + 1, 32);
  std::memcpy(k.public_key.bytes.data(), b.data() + 33, 32);
  // The public half must be the seed's: a swapped or damaged file is refused.
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, k.seed.data());
  sodium_memzero(sk, sizeof sk);
  if (std::memcmp(pk, k.public_key.bytes.data(), 32) != 0) {
    error = "key pair's public key does not belong to its secret key";
    return std::nullopt;
  }
  return k;
}

std::optional<Signed> sign(std::span<const uint8_t> m, const KeyPair& key, const SignOptions& o, std::string& error) {
  init();
  Layout l;
  if (!layout_of(m, l, error)) return std::nullopt;
  if (o.detached) {  // the module stays as it is: all of it is content
    l.content = 8;
    l.embedded.reset();
  }
  std::vector<Digest> digests;
  if (!content_digests(m, l.content, digests, error)) return std::nullopt;
  std::vector<uint8_t> hashes;
  for (const Digest& d : digests) hashes.insert(hashes.end(), d.begin(), d.end());

  unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, key.seed.data());
  std::vector<uint8_t> msg = message_for(hashes);
  std::array<uint8_t, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), sk);
  sodium_memzero(sk, sizeof sk);

  // The embedded hash sets over the same content keep their signatures,
  // and this one joins them (once).
  std::vector<HashSet> sets;
  std::string ignored;
  if (l.embedded && !parse_data(*l.embedded, sets, ignored)) sets.clear();
  std::vector<Signature> sigs;
  for (const HashSet& set : sets) {
    if (set.hashes.size() != hashes.size() || std::memcmp(set.hashes.data(), hashes.data(), hashes.size()) != 0)
      continue;
    for (const Signature& g : set.signatures) {
      bool again = std::any_of(sigs.begin(), sigs.end(), [&](const Signature& x) {
        return x.bytes.size() == g.bytes.size() && std::equal(x.bytes.begin(), x.bytes.end(), g.bytes.begin());
      });
      if (!again && sigs.size() + 1 < kMaxSignatures) sigs.push_back(g);
    }
  }
  std::erase_if(sigs, [&](const Signature& g) {
    return g.bytes.size() == sig.size() && std::equal(g.bytes.begin(), g.bytes.end(), sig.begin());
  });
  sigs.push_back({o.key_id, kAlgEd25519, sig});
  std::vector<uint8_t> data;
  data.reserve(64 + hashes.size() + 80 * sigs.size());
  data.push_back(kSpecVersion);
  data.push_back(kContentModule);
  data.push_back(kHashSha256);
  put_u32(data, 1);
  put_u32(data, digests.size());
  data.insert(data.end(), hashes.begin(), hashes.end());
  put_u32(data, sigs.size());
  for (const Signature& s : sigs) {
    put_u32(data, s.key_id.size());
    data.insert(data.end(), s.key_id.begin(), s.key_id.end());
    data.push_back(s.alg);
    put_u32(data, s.bytes.size());
    data.insert(data.end(), s.bytes.begin(), s.bytes.end());
  }

  Signed out;
  out.module.assign(m.begin(), m.begin() + 8);
  if (o.detached) {
    out.detached = std::move(data);
  } else {
    std::vector<uint8_t> payload;
    put_u32(payload, kSignatureSection.size());
    payload.insert(payload.end(), kSignatureSection.begin(), kSignatureSection.end());
    payload.insert(payload.end(), data.begin(), data.end());
    out.module.push_back(0);
    put_u32(out.module, payload.size());
    out.module.insert(out.module.end(), payload.begin(), payload.end());
  }
  out.module.insert(out.module.end(), m.begin() + static_cast<long>(l.content), m.end());
  return out;
}

Verification verify(std::span<const uint8_t> m, std::span<const PublicKey> keys,
                    std::optional<std::span<const uint8_t>> detached) {
  init();
  Verification v;
  Layout l;
  if (!layout_of(m, l, v.error)) return v;
  std::span<const uint8_t> data;
  if (detached) {
    data = *detached;
    l.content = 8;  // every section is content
  } else if (l.embedded) {
    data = *l.embedded;
  } else {
    v.error = "module is not signed (no signature section first, and no detached signature given)";
    return v;
  }
  std::vector<HashSet> sets;
  if (!parse_data(data, sets, v.error)) return v;

  // The content first (one pass, which success needs anyway), then the
  // signatures: of the hash sets that match it whole, then, to say why
  // not, of the others; never more than kMaxChecks Ed25519 checks.
  std::vector<Digest> digests;
  if (!content_digests(m, l.content, digests, v.error)) return v;
  auto matching = [&](const HashSet& set) {  // leading hashes equal to the content's
    const size_t n = set.hashes.size() / kHash;
    size_t same = 0;
    while (same < n && same < digests.size() &&
           std::memcmp(set.hashes.data() + same * kHash, digests[same].data(), kHash) == 0)
      ++same;
    return same;
  };
  size_t checks = 0;
  auto signer = [&](const HashSet& set) -> std::optional<size_t> {
    std::vector<uint8_t> msg = message_for(set.hashes);
    for (const Signature& g : set.signatures) {
      if (g.alg != kAlgEd25519 || g.bytes.size() != crypto_sign_BYTES) continue;
      for (size_t k = 0; k < keys.size(); ++k) {
        if (++checks > kMaxChecks) return std::nullopt;
        if (crypto_sign_verify_detached(g.bytes.data(), msg.data(), msg.size(), keys[k].bytes.data()) == 0) return k;
      }
    }
    return std::nullopt;
  };
  for (const HashSet& set : sets) {
    const size_t n = set.hashes.size() / kHash;
    if (n != digests.size() || matching(set) != n) continue;
    if (std::optional<size_t> k = signer(set)) {
      v.ok = true;
      v.key = *k;
      v.parts = n;
      return v;
    }
  }
  v.error = keys.empty() ? "no trusted keys given" : "no signature by a trusted key";
  for (const HashSet& set : sets) {
    const size_t n = set.hashes.size() / kHash, same = matching(set);
    if ((n == digests.size() && same == n) || !signer(set)) continue;
    if (same == n)
      v.error = "partial signature: it covers " + std::to_string(n) + " of the module's " +
                std::to_string(digests.size()) + " parts (refused)";
    else
      v.error = "module content does not match its signature (part " + std::to_string(same + 1) + " of " +
                std::to_string(std::max(n, digests.size())) + ")";
    break;
  }
  return v;
}

}  // namespace warden::sig
