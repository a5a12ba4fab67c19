// Signed modules (docs/signatures.md): the WebAssembly tool-conventions
// signature format (Signatures.md), Ed25519 over SHA-256, written here;
// the hashing and Ed25519 themselves are libsodium's.
//
// A signature covers everything after the module header and after the
// `signature` custom section (when it is embedded; it must be the first
// section) as one or more parts, each ended by a `signature_delimiter`
// custom section, the last one's delimiter optional. The signature data
// holds hash sets, each with the rolling SHA-256 of the content at every
// part's end and one or more Ed25519 signatures of
// "wasmsig" ‖ 0x01 (spec version) ‖ 0x01 (content type: module) ‖
// 0x01 (hash: SHA-256) ‖ the hashes.
//
// verify() accepts a module only when some hash set is signed by one of
// the trusted keys and its hashes match the content to the end of the
// module: a partial signature (one that leaves trailing parts unsigned) is
// refused. It reads the bytes once, and looks at nothing but the section
// framing: run it before decoding. Hostile signature data is bounded: at
// most 64 hash sets of 64 hashes and 256 signatures, and 1,024 Ed25519
// checks per verification.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace warden::sig {

/// An Ed25519 public key, serialized as 0x01 ‖ 32 bytes.
struct PublicKey {
  std::array<uint8_t, 32> bytes{};
};
/// An Ed25519 key pair, serialized as 0x81 ‖ secret seed (32) ‖ public (32).
struct KeyPair {
  std::array<uint8_t, 32> seed{};
  PublicKey public_key;
};

/// A fresh key pair from the operating system's randomness.
KeyPair generate_key();
/// The key pair of a 32-byte seed (reproducible keys for tests and fuzzing).
KeyPair key_from_seed(std::span<const uint8_t, 32> seed);
std::vector<uint8_t> serialize(const PublicKey& k);
std::vector<uint8_t> serialize(const KeyPair& k);
/// The key a serialized form holds; nullopt (with `error`) for a wrong
/// length or identifier.
std::optional<PublicKey> parse_public_key(std::span<const uint8_t> bytes, std::string& error);
std::optional<KeyPair> parse_key_pair(std::span<const uint8_t> bytes, std::string& error);

struct SignOptions {
  /// Return the signature data in `detached` and the module unchanged
  /// instead of embedding it: then every section of the module, an
  /// embedded signature section included, is content.
  bool detached = false;
  /// Key identifier stored beside the signature (not itself signed: a hint
  /// for picking keys). Empty by default, so every byte of a module Warden
  /// signs is covered.
  std::vector<uint8_t> key_id;
};

struct Signed {
  std::vector<uint8_t> module;    ///< the module, its signature section first unless detached
  std::vector<uint8_t> detached;  ///< the signature data, when detached
};

/// Signs `module` with `key`: everything after the header (and after an
/// embedded signature section), in the parts its delimiters make (one when
/// it has none). A module already signed over the same content keeps those
/// signatures and gains this one (several signers); one signed over other
/// content has that signature replaced. Errors (as a message): not a
/// module header, or section framing that does not read.
std::optional<Signed> sign(std::span<const uint8_t> module, const KeyPair& key, const SignOptions& options,
                           std::string& error);

struct Verification {
  bool ok = false;
  /// Why not, in words an operator can act on: "module is not signed",
  /// "signature data is malformed: ...", "no signature by a trusted key",
  /// "module content does not match its signature (part 2 of 3)", ...
  std::string error;
  size_t key = 0;    ///< index in `keys` of a key that signed it (when ok)
  size_t parts = 0;  ///< parts the signature covers
};

/// Verifies `module` against `keys` (any one suffices), with its embedded
/// signature or with `detached` (then the module's own sections are all
/// content). Reads the module once; never decodes it.
Verification verify(std::span<const uint8_t> module, std::span<const PublicKey> keys,
                    std::optional<std::span<const uint8_t>> detached = std::nullopt);

}  // namespace warden::sig
