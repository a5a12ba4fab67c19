// `warden keygen`, `warden sign`, `warden verify`: signed modules in the
// tool-conventions format (docs/signatures.md; warden/signature.hpp).
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "cli.hpp"
#include "warden/signature.hpp"

namespace warden::cli {
namespace {

// Writes `bytes` to a file created with `mode` (or brought to it before a
// byte is written, when it exists), so a secret key is never readable by
// others, not even for a moment.
bool write_file(const std::string& path, std::span<const uint8_t> bytes, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  bool ok = fd >= 0 && ::fchmod(fd, mode) == 0;
  for (size_t done = 0; ok && done < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  if (fd >= 0 && ::close(fd) != 0) ok = false;
  if (!ok) std::fprintf(stderr, "%s: cannot write\n", path.c_str());
  return ok;
}

// ---- keygen
struct KeygenOptions {
  std::string out = "warden.key";
};

int keygen(const KeygenOptions& o) {
  sig::KeyPair k = sig::generate_key();
  std::vector<uint8_t> pair = sig::serialize(k), pub = sig::serialize(k.public_key);
  const bool ok = write_file(o.out, pair, 0600) && write_file(o.out + ".pub", pub, 0644);
  sodium_memzero(pair.data(), pair.size());
  sodium_memzero(k.seed.data(), k.seed.size());
  if (!ok) return kExitUsage;
  std::printf("secret key: %s (keep it private)\npublic key: %s.pub\n", o.out.c_str(), o.out.c_str());
  return kExitOk;
}

void setup_keygen(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<KeygenOptions>();
  sub.add_option("-o,--out", o->out, "the key pair file (default warden.key); the public key goes to OUT.pub");
  sub.footer(
      "Ed25519 keys as the tool-conventions format serializes them: the pair is 0x81, seed, public key\n"
      "(65 bytes, mode 0600); the public key is 0x01 and 32 bytes.");
  sub.callback([o, &exit_code] { exit_code = keygen(*o); });
}

// ---- sign
struct SignOptions {
  std::string key, file, out, detached, key_id;
};

int sign(const SignOptions& o) {
  std::vector<uint8_t> raw, module;
  std::string error;
  if (!read_file(o.key, 4096, raw, nullptr)) return kExitUsage;
  std::optional<sig::KeyPair> key = sig::parse_key_pair(raw, error);
  sodium_memzero(raw.data(), raw.size());
  if (!key) {
    std::fprintf(stderr, "%s: %s\n", o.key.c_str(), error.c_str());
    return kExitUsage;
  }
  bool exhausted = false;
  if (!read_file(o.file, uint64_t{1} << 32, module, &exhausted)) return exhausted ? kExitExhausted : kExitUsage;
  sig::SignOptions so;
  so.detached = !o.detached.empty();
  so.key_id.assign(o.key_id.begin(), o.key_id.end());
  std::optional<sig::Signed> s = sig::sign(module, *key, so, error);
  sodium_memzero(key->seed.data(), key->seed.size());
  if (!s) {
    std::fprintf(stderr, "%s: cannot sign: %s\n", o.file.c_str(), error.c_str());
    return kExitRejected;
  }
  if (so.detached) return write_file(o.detached, s->detached, 0644) ? kExitOk : kExitUsage;
  return write_file(o.out, s->module, 0644) ? kExitOk : kExitUsage;
}

void setup_sign(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<SignOptions>();
  sub.add_option("--key", o->key, "the key pair (warden keygen)")->required();
  sub.add_option("file", o->file, "the module to sign")->required();
  sub.add_option("-o,--out", o->out, "the signed module (its signature section first)");
  sub.add_option("--detached", o->detached, "write the signature here instead, leaving the module as it is");
  sub.add_option("--key-id", o->key_id, "a key identifier to store beside the signature (not itself signed)");
  sub.callback([o, &exit_code] {
    if (o->out.empty() == o->detached.empty()) {
      std::fprintf(stderr, "warden sign: give exactly one of -o OUT and --detached SIG\n");
      exit_code = kExitUsage;
      return;
    }
    exit_code = sign(*o);
  });
}

// ---- verify
struct VerifyOptions {
  std::vector<std::string> keys;
  std::string file, signature;
};

int verify(const VerifyOptions& o) {
  std::vector<uint8_t> module;
  bool exhausted = false;
  if (!read_file(o.file, uint64_t{1} << 32, module, &exhausted)) return exhausted ? kExitExhausted : kExitUsage;
  int exit_code = kExitOk;
  size_t signer = 0;
  if (!check_signature(o.file, module, o.keys, o.signature, exit_code, &signer)) return exit_code;
  std::printf("%s: signed by %s\n", o.file.c_str(), o.keys[signer].c_str());
  return kExitOk;
}

void setup_verify(CLI::App& sub, int& exit_code) {
  auto o = std::make_shared<VerifyOptions>();
  sub.add_option("--key", o->keys, "a trusted public key (repeatable: any one suffices)")
      ->required()
      ->allow_extra_args(false);
  sub.add_option("file", o->file, "the module")->required();
  sub.add_option("--signature", o->signature, "a detached signature (else the embedded one)");
  sub.footer("Exit status: 0 verified, 5 refused (unsigned, tampered, truncated, partial or another key), 64 usage.");
  sub.callback([o, &exit_code] { exit_code = verify(*o); });
}

const Registrar reg_keygen{{"keygen", "Create an Ed25519 key pair for signing modules", setup_keygen}};
const Registrar reg_sign{{"sign", "Sign a module (tool-conventions signature format)", setup_sign}};
const Registrar reg_verify{{"verify", "Verify a module's signature against trusted public keys", setup_verify}};

}  // namespace
}  // namespace warden::cli
