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
// (module (memory 1) (func (drop (i32.load align=2**32 (i32.const 0))))), the
// exponent byte 0x20; and with 0x40 (multi-memory's "an index follows").
const ALIGN = '0061736d01000000 0104 01600000 0302 0100 0503 010001 0a0a 01 0800 4100 2820 00 1a0b';
const ALIGN_BIT6 = '0061736d01000000 0104 01600000 0302 0100 0503 010001 0a0a 01 0800 4100 2840 00 1a0b';
// (module (func (local <50,001 x i32>)))
const LOCALS_50001 = '0061736d01000000 0104 01600000 0302 0100 0a08 01 06 01d186037f 0b';
// (module (global (mut i32) (i32.const 1000))
//   (func (export "f0") (param f64 f32) (result externref)
//     (if (global.get 0) (then (drop (call 0 (local.get 0) (local.get 1))))) (ref.null extern)))
// recurses without end: Binaryen's call-depth limit, in the harness's worker.
const RECURSE = '0061736d01000000 0107 0160027c7d016f 0302 0100 0607 017f0141e8070b 0706 010266300000' +
                '0c0100 0a13 011100230004402000200110001a050bd06f0b';
// Two functions calling each other with large frames and nested expressions
// (seed 6062, minimized): the tool's own 5 MiB stack runs out first.
const DEEP_FRAMES =
  '0061736d0100000001120360037e7d7b0060046f707d70006000017d0304030002010504010102030616047f0141e807' +
  '0b7f0041000b6f01d06f0b7000d2000b07060102663200010c01000ae4030302000bb0020b017f017b017e016f017b02' +
  '7f017d0170017c017d017c2300fd0c000000000000f8ff000000000000f8ff2300047f2301fd0c000080bf000080bf00' +
  '0080bf000080bfd06f230343a69427a0d07010021a05fd0c3668cca6752353323668cca675235332fd0c4655cbb0b782' +
  '77a8ffffffff00000000fd0c1613f69bad4537915363e7312e9ba177d06fd0704300001f42d07010021a1a1a41c486d3' +
  'ab7b0bfd0c0000000000000000e2ffffffffffffffd070fd0c000000000000f043000000000000f04320004447804e22' +
  'eae3d6df4300002b42200720072007441c703b2909f2e6b6200920092009621b1a425242808080800820092009621b41' +
  '4ab844000000000000000020092009611b44000000000000000020092009621b1a1a1a1a1a1a1a1a1a1a1a1a1a1a4300' +
  '0025c20bac0107016f017d037f017c017d027b017f2300410120092009200a200afd0c4ba7ddfc4ba7ddfc4ba7ddfc4b' +
  'a7ddfc200b200b230241ffff0144000000000000f0fffc071001430000004f6041ffff01713000a2c501592006714101' +
  '726d20086cc120083600fe4ffd0c000080bf000080bf000080bf000080bf2007fd0c2ebfa5db4f1eb5e0dbf16053cc15' +
  'b169fd5600d3d70103d06fd2012002d070100220071b1a1a1a1a1a1a1a1a1a1a1a0b';
// (module (table 1 funcref) (func (export "t") (table.set 0 (i32.const 5) (ref.null func))))
const TABLE_SET = '0061736d01000000 0104 01600000 0302 0100 0404 01700001 0705 0101740000 0a0a 01 0800 4105 d070 2600 0b';
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
  // The reader refuses these alignments; in 2.0 they decode and are invalid.
  [{op: 'validate', wasm: b64(ALIGN)}, {v: 'invalid', msg: 'invalid load alignment: 32', offset: 32}],
  [{op: 'validate', wasm: b64(ALIGN_BIT6)}, {v: 'invalid', msg: 'multi_memory not allowed', offset: 32}],
  // 50,001 locals: wabt's implementation limit.
  [{op: 'validate', wasm: b64(LOCALS_50001)}, {v: 'limit', msg: 'function local count exceeds maximum value'}],
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
  [{op: 'run', wasm: b64(RECURSE), calls: [{name: 'f0', args: [], results: ['externref']}]},
   {load: {v: 'valid', msg: ''}, inst: {s: 'ok'}, calls: [{s: 'trap', trap: 'stack', msg: 'host limit stack limit'}]}],
  [{op: 'run', wasm: b64(DEEP_FRAMES), calls: [{name: 'f2', args: [], results: ['f32']}]},
   {load: {v: 'valid', msg: ''},
    inst: {s: 'exhausted', msg: "harness: the tool's 5 MiB stack ran out (wasm build; its last 256 KiB were reached)"},
    calls: [notrun]}],
  [{op: 'run', wasm: b64(TABLE_SET), calls: [{name: 't', args: [], results: []}]},
   {load: {v: 'valid', msg: ''}, inst: {s: 'ok'}, calls: [{s: 'trap', trap: 'table', msg: 'RuntimeTable::set out of bounds'}]}],
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
