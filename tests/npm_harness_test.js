// The npm peer harnesses on their own (differential/wabt_npm_harness.js,
// differential/binaryen_npm_harness.js; docs/differential.md, "Peers at their
// newest"): engine-protocol requests piped in, every reply compared exactly.
//
//   node tests/npm_harness_test.js wabt|binaryen
//
// Exits 77 (ctest's SKIP_RETURN_CODE) when the package is not installed in
// the repository's node_modules (scripts/setup installs it).
'use strict';
const assert = require('assert');
const {spawnSync} = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const which = process.argv[2];
if (which !== 'wabt' && which !== 'binaryen') {
  console.error('usage: node tests/npm_harness_test.js wabt|binaryen');
  process.exit(2);
}
if (!fs.existsSync(path.join(ROOT, 'node_modules', which, 'package.json'))) {
  console.log(`SKIP: ${path.join(ROOT, 'node_modules', which)} is missing (bash scripts/setup installs the pinned npm packages)`);
  process.exit(77);
}

const b64 = (hex) => Buffer.from(hex.replace(/[ |]/g, ''), 'hex').toString('base64');

// (module
//   (func (export "answer") (result i32) (i32.const 42))
//   (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
//   (func (export "pair") (result i64 f64) (i64.const -2) (f64.const 0.1))
//   (func (export "trap") (unreachable)))
const RUN = '0061736d01000000 0112 046000017f60017f017f6000027e7c600000 0305 0400010203' +
            '071e 0406616e737765720000036469760001047061697200020474726170 0003' +
            '0a20 04 0400412a0b 0700410120006e0b 0d00427e449a9999999999b93f0b 0300000b';
// (module (memory 1) (func $s (drop (i32.load (i32.const 65536)))) (start $s) (func (export "f")))
const START = '0061736d01000000 0104 01600000 0303 020000 0503 010001 0705 0101660001 0801 00' +
              '0a0f 02 0a00418080042802001a0b 02000b';
// (module (import "spectest" "global_i32" (global i32)) (func (export "g") (result i32) (global.get 0)))
const IMPORT = '0061736d01000000 0105 016000017f 0218 010873706563746573740a676c6f62616c5f693332037f00' +
               '0302 0100 0705 0101670000 0a06 01 040023000b';
// (module (func (result i32) (f32.const 0))): type mismatch
const INVALID = '0061736d01000000 0105 016000017f 0302 0100 0a09 01 0700 4300000000 0b';
const BAD_MAGIC = '0061736e 01000000';
const BAD_VERSION = '0061736d 02000000';
const TRUNCATED = '0061736d01000000 ffffffff';  // a section id, then a size that does not end

const RUN_CALLS = [
  {name: 'answer', args: [], results: ['i32']},
  {name: 'div', args: [['i32', '0']], results: ['i32']},
  {name: 'pair', args: [], results: ['i64', 'f64']},
  {name: 'trap', args: [], results: []},
];

// [request, expected reply] in order; the requests common to both harnesses
// first, then each one's own.
const COMMON = [
  [{op: 'reset'}, {ok: true}],
  [{op: 'fly'}, {error: 'unknown op "fly"'}],
  [{op: 'validate', wasm: 'a*b='}, {error: '"wasm" is not base64'}],
  [{op: 'validate'}, {error: 'validate needs "wasm": a base64 string'}],
  [{op: 'hello', protocol: 2}, {error: 'protocol 2 not spoken; this harness speaks 1'}],
];

const WABT = [
  [{op: 'hello', protocol: 1},
   {protocol: 1, name: 'wabt-npm', version: '1.0.39', validate: true, three_way: true, run: false, arguments: false}],
  [{op: 'validate', wasm: b64(RUN)}, {v: 'valid', msg: ''}],
  [{op: 'validate', wasm: b64(BAD_MAGIC)}, {v: 'malformed', msg: 'bad magic value', offset: 4}],
  [{op: 'validate', wasm: b64(BAD_VERSION)}, {v: 'malformed', msg: 'bad wasm file version: 0x2 (expected 0x1)', offset: 8}],
  [{op: 'validate', wasm: b64(TRUNCATED)}, {v: 'malformed', msg: 'unable to read u32 leb128: section size', offset: 9}],
  [{op: 'validate', wasm: b64(INVALID)},
   {v: 'invalid', msg: 'type mismatch in implicit return, expected [i32] but got [f32]', offset: 29}],
  [{op: 'validate', wasm: ''}, {v: 'malformed', msg: 'unable to read uint32_t: magic', offset: 0}],
  [{op: 'run', wasm: b64(RUN), calls: RUN_CALLS}, {error: 'wabt-npm only validates (hello says "run":false)'}],
  ...COMMON,
];

const notrun = {s: 'notrun'};
const BINARYEN = [
  [{op: 'hello', protocol: 1},
   {protocol: 1, name: 'binaryen-npm', version: '132', validate: true, three_way: false, run: true, arguments: false}],
  [{op: 'validate', wasm: b64(RUN)}, {v: 'valid', msg: ''}],
  [{op: 'validate', wasm: b64(BAD_MAGIC)},
   {v: 'rejected', msg: 'not a binary module: no \\0asm magic (wasm-opt would read it as text)'}],
  [{op: 'validate', wasm: b64(BAD_VERSION)}, {v: 'rejected', msg: '[parse exception: invalid version (at 0:8)]', offset: 8}],
  [{op: 'validate', wasm: b64(TRUNCATED)},
   {v: 'rejected', msg: '[parse exception: unexpected end of input (at 0:12)]', offset: 12}],
  [{op: 'validate', wasm: b64(INVALID)},
   {v: 'rejected', msg: '[wasm-validator error in function 0] function body type must match, if function returns, on '}],
  // Zero arguments are what --fuzz-exec passes, so div(0) runs.
  [{op: 'run', wasm: b64(RUN), limits: {call_depth: 1000, timeout_ms: 5000, memory_bytes: 1 << 30}, calls: RUN_CALLS},
   {load: {v: 'valid', msg: ''}, inst: {s: 'ok'}, calls: [
     {s: 'ok', vals: ['2a']},
     {s: 'trap', trap: 'divzero', msg: 'i32.div_u by 0'},
     {s: 'ok', vals: ['fffffffffffffffe', '3fb999999999999a']},
     {s: 'trap', trap: 'unreachable', msg: 'unreachable'},
   ]}],
  // Any other argument cannot be passed: that call and the ones after it.
  [{op: 'run', wasm: b64(RUN), calls: [RUN_CALLS[0], {name: 'div', args: [['i32', '5']], results: ['i32']}, RUN_CALLS[2]]},
   {load: {v: 'valid', msg: ''}, inst: {s: 'ok'}, calls: [
     {s: 'ok', vals: ['2a']},
     {s: 'unsupported', msg: '--fuzz-exec passes zero arguments only; call 1 (div) has others'},
     {s: 'unsupported', msg: '--fuzz-exec passes zero arguments only; call 1 (div) has others'},
   ]}],
  [{op: 'run', wasm: b64(RUN), calls: [RUN_CALLS[2]]},
   {load: {v: 'valid', msg: ''}, inst: {s: 'ok'}, calls: [
     {s: 'unsupported', msg: '--fuzz-exec calls each function export once, in order; call 0 asks for pair, export 0 is answer'},
   ]}],
  [{op: 'run', wasm: b64(START), calls: [{name: 'f', args: [], results: []}]},
   {load: {v: 'valid', msg: ''}, inst: {s: 'trap', trap: 'memory', msg: 'highest > memory: 65536 > 65532'}, calls: [notrun]}],
  [{op: 'run', wasm: b64(IMPORT), calls: [{name: 'g', args: [], results: ['i32']}]},
   {load: {v: 'valid', msg: ''},
    inst: {s: 'unlinkable', msg: "wasm-opt --fuzz-exec provides no import spectest.global_i32 (only spectest's print functions, ignored there)"},
    calls: [notrun]}],
  [{op: 'run', wasm: b64(INVALID), calls: [{name: 'g', args: [], results: ['i32']}]},
   {load: {v: 'rejected', msg: '[wasm-validator error in function 0] function body type must match, if function returns, on '},
    inst: notrun, calls: [notrun]}],
  ...COMMON,
];

const cases = which === 'wabt' ? WABT : BINARYEN;
const harness = path.join(ROOT, 'differential', `${which}_npm_harness.js`);
const input = cases.map(([req]) => JSON.stringify(req)).join('\n') + '\n';
const r = spawnSync(process.execPath, [harness], {input, encoding: 'utf8', timeout: 120000});
assert.strictEqual(r.status, 0, `${harness} exited ${r.status} (signal ${r.signal}); stderr:\n${r.stderr}`);
const replies = r.stdout.split('\n').filter((l) => l !== '');
assert.strictEqual(replies.length, cases.length, `${replies.length} replies to ${cases.length} requests:\n${r.stdout}`);
let failed = 0;
cases.forEach(([req, want], i) => {
  const got = JSON.parse(replies[i]);
  try {
    assert.deepStrictEqual(got, want);
  } catch (e) {
    failed++;
    console.log(`FAIL request ${i} ${JSON.stringify(req).slice(0, 100)}\n  want ${JSON.stringify(want)}\n  got  ${JSON.stringify(got)}`);
  }
});
console.log(`${which}-npm harness: ${cases.length - failed} of ${cases.length} replies as expected`);
process.exit(failed ? 1 : 0);
