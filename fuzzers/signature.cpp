// Fuzz target "signature": the signature reader (warden/signature.hpp) is
// hostile-input code that runs before anything else looks at a module.
//
// Oracles, for any bytes:
//  1. verify() returns a verdict and never crashes, reads out of bounds or
//     allocates by a claimed count (sanitizers, libFuzzer's -rss_limit);
//  2. when it accepts (the input carries a signature by the fuzz key),
//     the module with its last byte flipped is refused; the same holds for
//     a prefix of the input read as a detached signature;
//  3. when sign() accepts the input, the signed module verifies with the
//     key, its flipped last byte does not, another key does not, and a
//     detached signature of the input verifies the unchanged input.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "harness.hpp"
#include "warden/signature.hpp"

using namespace warden;

namespace {

const sig::KeyPair& key(uint8_t which) {
  static const sig::KeyPair keys[2] = {[] {
                                         std::array<uint8_t, 32> s;
                                         s.fill(0x5A);
                                         return sig::key_from_seed(s);
                                       }(),
                                       [] {
                                         std::array<uint8_t, 32> s;
                                         s.fill(0xA5);
                                         return sig::key_from_seed(s);
                                       }()};
  return keys[which];
}

std::vector<uint8_t> flipped_last(std::span<const uint8_t> b) {
  std::vector<uint8_t> t(b.begin(), b.end());
  if (!t.empty()) t.back() ^= 0x01;
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  sig::PublicKey mine[] = {key(0).public_key}, other[] = {key(1).public_key};

  sig::Verification v = sig::verify(in, mine);
  if (v.ok == !v.error.empty()) fuzz::fail("verify: ok and error disagree: " + v.error);
  if (v.ok && sig::verify(flipped_last(in), mine).ok) fuzz::fail("a flipped last byte still verifies");
  // Split the input: the first byte says where a detached signature ends.
  if (size > 1) {
    size_t cut = 1 + data[0] % (size - 1);
    sig::Verification d = sig::verify(in.subspan(cut), mine, in.subspan(1, cut - 1));
    if (d.ok == !d.error.empty()) fuzz::fail("verify (detached): ok and error disagree");
    if (d.ok && sig::verify(flipped_last(in.subspan(cut)), mine, in.subspan(1, cut - 1)).ok)
      fuzz::fail("detached: a flipped last byte still verifies");
  }

  std::string err;
  std::optional<sig::Signed> s = sig::sign(in, key(0), {}, err);
  if (!s) return 0;
  sig::Verification sv = sig::verify(s->module, mine);
  if (!sv.ok) fuzz::fail("a module just signed does not verify: " + sv.error);
  if (sig::verify(flipped_last(s->module), mine).ok) fuzz::fail("signed module: a flipped last byte verifies");
  if (sig::verify(s->module, other).ok) fuzz::fail("signed module verifies with another key");
  sig::SignOptions o;
  o.detached = true;
  std::optional<sig::Signed> d = sig::sign(in, key(0), o, err);
  if (!d) fuzz::fail("sign accepts embedded but not detached: " + err);
  if (d->module != std::vector<uint8_t>(in.begin(), in.end())) fuzz::fail("detached signing changed the module");
  if (!sig::verify(in, mine, std::span<const uint8_t>(d->detached)).ok)
    fuzz::fail("a detached signature does not verify the unchanged module");
  return 0;
}
