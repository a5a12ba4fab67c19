// wabt at its newest, as an engine for `warden diff` (`wabt-npm`): the npm
// package `wabt` (wabt.js, libwabt compiled to WebAssembly), pinned in the
// repository's package-lock.json and installed by scripts/setup. It speaks
// the engine protocol (npm_harness_protocol.js; docs/differential.md, "Peers
// at their newest") and only validates: the library has no interpreter.
//
// A module is checked the way wabt's own wasm-validate checks it:
//   readWasm  (ReadBinaryIr: decoding; debug names read, as wasm-validate
//              does by default, so a bad `name` section fails here) -> "malformed"
//   validate  (ValidateModule: the validator)                     -> "invalid"
// Each verdict is the phase that failed, as the library reports it, except
// where the reader checks a rule the spec puts in validation and says so
// (READ_BUT_INVALID: an alignment): that is "invalid". Other such checks of
// the reader (see differential/peer-bugs.md,
// wabt-1.0.32-validates-while-reading) come out "malformed" here, with the
// reader's message, and the message says which rule it was.
//
// Features: the seven proposals that make up WebAssembly 2.0 on, every later
// one off, each named explicitly (1.0.39's defaults happen to be the same).
'use strict';
const {BadRequest, wasmBytes, serve, die} = require('./npm_harness_protocol.js');

const FEATURES_2_0 = {
  mutable_globals: true,
  sat_float_to_int: true,
  sign_extension: true,
  simd: true,
  multi_value: true,
  bulk_memory: true,
  reference_types: true,
  exceptions: false,
  threads: false,
  function_references: false,
  tail_call: false,
  annotations: false,
  code_metadata: false,
  gc: false,
  memory64: false,
  multi_memory: false,
  extended_const: false,
  relaxed_simd: false,
};

// "readWasm failed:\n000000e: error: unfinished section (expected end: 0xf)\n",
// "validate failed:\n<binary>:000001d: error: type mismatch in ...\n"
// -> the first error's message and offset.
function firstError(text) {
  for (const line of text.split('\n')) {
    const m = /^\s*(?:(?:[^:]*:)?([0-9a-f]+): )?error: (.*)$/.exec(line);
    if (m) return {msg: m[2], offset: m[1] === undefined ? undefined : parseInt(m[1], 16)};
  }
  return {msg: text.trim()};
}

function verdict(v, text) {
  const e = firstError(text);
  const reply = {v, msg: e.msg};
  if (e.offset !== undefined) reply.offset = e.offset;
  return reply;
}

// Reader errors that name a rule the spec puts in validation (spec 3.3.7,
// "alignment must not be larger than natural"), not in the binary format:
// wabt's reader refuses a memarg whose alignment exponent is 32 or more
// ("invalid load alignment: 32"), and one with bit 6 set, which it reads as
// multi-memory's "a memory index follows" ("multi_memory not allowed").
// In 2.0 both decode (the field is a u32) and are then invalid. The phase
// would say "malformed"; the rule says "invalid". (The reserved byte of
// memory.size and the like, malformed in 2.0, is "reserved value must be
// 0" there.)
const READ_BUT_INVALID = [/^invalid (load|store|memory) alignment: /, /^multi_memory not allowed$/];

// wabt's implementation limits (binary-reader.cc): 50,000 locals in a
// function, and as many parameters or results in a type ("function local
// count exceeds maximum value"): "limit", which the comparison sets aside as
// it does V8's and Warden's, not "malformed". (A count of 2^32 or more, which
// the spec makes malformed, gets the same words: a limit too, then.)
const LIMITS = [/ exceeds maximum value$/];

const READ_FAILED = 'readWasm failed:';
const VALIDATE_FAILED = 'validate failed:';

function validate(wabt, bytes) {
  // A fresh Uint8Array with a buffer of its own: wabt.js copies
  // `buffer.byteLength` bytes of a view's underlying buffer, which for a
  // Buffer from Node's pool is not the module's length.
  const own = new Uint8Array(bytes);
  let module;
  try {
    module = wabt.readWasm(own, Object.assign({readDebugNames: true, check: true}, FEATURES_2_0));
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(READ_FAILED)) {
      const reply = verdict('malformed', e.message.slice(READ_FAILED.length));
      if (READ_BUT_INVALID.some((re) => re.test(reply.msg))) reply.v = 'invalid';
      if (LIMITS.some((re) => re.test(reply.msg))) reply.v = 'limit';
      return reply;
    }
    die(`wabt-npm: libwabt failed while reading: ${e && e.stack ? e.stack : e}`);
  }
  try {
    module.validate(FEATURES_2_0);
    return {v: 'valid', msg: ''};
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(VALIDATE_FAILED))
      return verdict('invalid', e.message.slice(VALIDATE_FAILED.length));
    die(`wabt-npm: libwabt failed while validating: ${e && e.stack ? e.stack : e}`);
  } finally {
    module.destroy();
  }
  return null;  // not reached: die() exits
}

async function main() {
  const wabt = await require('wabt')();
  const version = require('wabt/package.json').version;
  serve(() => ({name: 'wabt-npm', version, validate: true, three_way: true, run: false, arguments: false}), {
    validate: (req) => validate(wabt, wasmBytes(req)),
    run: () => {
      throw new BadRequest('wabt-npm only validates (hello says "run":false)');
    },
  });
}

main().catch((e) => die(`wabt-npm: cannot start: ${e && e.stack ? e.stack : e}`));
