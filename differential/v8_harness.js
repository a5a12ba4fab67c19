// V8 (node 20) as an engine of `warden diff`, and the reference
// implementation of the engine protocol, version 1 (docs/engine-protocol.md):
// a long-lived process that takes requests as lines of JSON on stdin and
// answers each with one line on stdout.
//
//   {"op":"hello","protocol":1}
//     -> {"protocol":1,"name":"v8","version":"node v20.x (V8 ...)",
//         "validate":true,"three_way":false,"run":true,"arguments":true}
//   {"op":"validate","wasm":BASE64}
//     -> {"v":"valid"} | {"v":"rejected","msg":"CompileError: ..."}
//      | {"v":"limit","msg":...}
//   {"op":"run","wasm":BASE64,"limits":{...},"calls":[{"name":N,
//    "args":[[TYPE,HEXBITS],...],"results":[TYPE,...]},...]}
//     -> {"load":{"v":...,"msg":...},"inst":OUTCOME,"calls":[OUTCOME,...]}
//   {"op":"reset"} -> {"ok":true}
//   OUTCOME = {"s":"ok","vals":[HEXBITS,...]} | {"s":"trap","trap":KINDS,"msg":...}
//           | {"s":"exhausted","msg":...} | {"s":"unsupported","msg":...}
//           | {"s":"unlinkable","msg":...} | {"s":"crash","msg":...} | {"s":"notrun"}
//
// V8's words are read here and nowhere else: TRAP_KINDS names the trap kinds
// of its RuntimeError messages, LIMIT_MESSAGES the CompileErrors that are
// implementation limits rather than spec rules. A message TRAP_KINDS lacks
// is "unknown", which agrees with nothing: a new message shows up as a
// finding instead of being guessed at.
//
// Values cross as raw bits (hex strings): i64 through BigInt, floats through
// a DataView, so nothing is rounded. Two things JS cannot do are reported as
// "unsupported" instead of being faked: pass or return a v128, and pass or
// return a NaN (the JS boundary may quiet a signalling NaN). Warden's probe
// modules avoid both by returning only i32/i64.
//
// The run limits are not applied: JS has no per-call stack depth, deadline
// or memory cap for wasm. V8's own call stack limit stands (its overflow is
// the "stack" trap), Warden kills the process at the deadline (a hang), and
// the probes' memories declare their maxima.
'use strict';
const readline = require('readline');

const view = new DataView(new ArrayBuffer(8));

function f32FromBits(bits) { view.setUint32(0, Number(bits) >>> 0, true); return view.getFloat32(0, true); }
function f64FromBits(bits) { view.setBigUint64(0, BigInt.asUintN(64, bits), true); return view.getFloat64(0, true); }
function f32Bits(x) { view.setFloat32(0, x, true); return BigInt(view.getUint32(0, true)); }
function f64Bits(x) { view.setFloat64(0, x, true); return view.getBigUint64(0, true); }

class Unsupported extends Error {}

function toJs(type, hex) {
  const bits = BigInt('0x' + hex);
  switch (type) {
    case 'i32': return Number(BigInt.asIntN(32, bits));
    case 'i64': return BigInt.asIntN(64, bits);
    case 'f32': {
      const x = f32FromBits(bits);
      if (Number.isNaN(x)) throw new Unsupported('NaN argument cannot cross the JS boundary exactly');
      return x;
    }
    case 'f64': {
      const x = f64FromBits(bits);
      if (Number.isNaN(x)) throw new Unsupported('NaN argument cannot cross the JS boundary exactly');
      return x;
    }
    case 'funcref': case 'externref':
      if (bits === 0n) return null;
      throw new Unsupported('non-null reference argument');
    default: throw new Unsupported(type + ' argument cannot cross the JS boundary');
  }
}

function fromJs(type, v) {
  switch (type) {
    case 'i32': return (BigInt(v) & 0xffffffffn).toString(16);
    case 'i64': return BigInt.asUintN(64, v).toString(16);
    case 'f32': {
      if (Number.isNaN(v)) throw new Unsupported('NaN result cannot cross the JS boundary exactly');
      return f32Bits(v).toString(16);
    }
    case 'f64': {
      if (Number.isNaN(v)) throw new Unsupported('NaN result cannot cross the JS boundary exactly');
      return f64Bits(v).toString(16);
    }
    case 'funcref': case 'externref': return v === null ? '0' : '1';
    default: throw new Unsupported(type + ' result cannot cross the JS boundary');
  }
}

// The spec testsuite's host module, for modules that import from it.
function spectest() {
  const nop = () => {};
  return {
    print: nop, print_i32: nop, print_i64: nop, print_f32: nop, print_f64: nop,
    print_i32_f32: nop, print_f64_f64: nop,
    global_i32: new WebAssembly.Global({value: 'i32'}, 666),
    global_i64: new WebAssembly.Global({value: 'i64'}, 666n),
    global_f32: new WebAssembly.Global({value: 'f32'}, 666.6),
    global_f64: new WebAssembly.Global({value: 'f64'}, 666.6),
    table: new WebAssembly.Table({initial: 10, maximum: 20, element: 'anyfunc'}),
    memory: new WebAssembly.Memory({initial: 1, maximum: 2}),
  };
}

function errorText(e) { return (e && e.constructor ? e.constructor.name : 'Error') + ': ' + (e && e.message); }

// V8's trap messages (node 20, V8 11.3) and the trap kinds they stand for,
// in the protocol's names. One message may stand for several kinds: V8 says
// one thing for an uninitialized element and a signature mismatch. The
// first row whose text the message contains wins.
const TRAP_KINDS = [
  ['RuntimeError: unreachable', 'unreachable'],
  ['divide by zero', 'divzero'],
  ['remainder by zero', 'divzero'],
  ['divide result unrepresentable', 'overflow'],
  // One message for NaN and for out of range.
  ['float unrepresentable in integer range', 'conversion|overflow'],
  ['memory access out of bounds', 'memory'],
  ['data segment out of bounds', 'memory'],
  ['data segment is out of bounds', 'memory'],  // at instantiation
  ['element segment out of bounds', 'table'],
  // table.get/set/fill/copy and call_indirect alike.
  ['table index is out of bounds', 'table|undefined-element'],
  ['null function or function signature mismatch', 'uninitialized|indirect-type'],
  ['Maximum call stack size exceeded', 'stack'],
];

function trapKinds(message) {
  for (const [text, kinds] of TRAP_KINDS) if (message.includes(text)) return kinds;
  return 'unknown';
}

// CompileErrors that are V8's implementation limits
// (v8/src/wasm/wasm-limits.h), not spec rules.
const LIMIT_MESSAGES = ['implementation limit', 'exceeds internal limit', 'Out of memory', 'local count too large'];

function rejection(message) {
  return LIMIT_MESSAGES.some((text) => message.includes(text)) ? 'limit' : 'rejected';
}

function trap(e) {
  const msg = errorText(e);
  return {s: 'trap', trap: trapKinds(msg), msg};
}

function outcomeOfError(e) {
  if (e instanceof Unsupported) return {s: 'unsupported', msg: e.message};
  if (e instanceof WebAssembly.RuntimeError) return trap(e);
  if (e instanceof RangeError) {
    // Stack overflow is a trap kind the others have too; other RangeErrors
    // (out of memory for a large memory or table) are resource limits.
    if (/call stack/.test(e.message)) return trap(e);
    return {s: 'exhausted', msg: errorText(e)};
  }
  if (e instanceof WebAssembly.LinkError) return {s: 'unlinkable', msg: errorText(e)};
  if (e instanceof TypeError) return {s: 'unsupported', msg: errorText(e)};
  return {s: 'crash', msg: errorText(e)};
}

function compile(b64) {
  const bytes = Buffer.from(b64, 'base64');
  try {
    return {module: new WebAssembly.Module(bytes), load: {v: 'valid'}};
  } catch (e) {
    if (e instanceof WebAssembly.CompileError) {
      const msg = errorText(e);
      return {module: null, load: {v: rejection(msg), msg}};
    }
    if (e instanceof RangeError) return {module: null, load: {v: 'limit', msg: errorText(e)}};
    return {module: null, load: {v: 'crash', msg: errorText(e)}};
  }
}

function run(req) {
  const {module, load} = compile(req.wasm);
  const calls = req.calls || [];
  const notrun = () => calls.map(() => ({s: 'notrun'}));
  if (!module) return {load, inst: {s: 'notrun'}, calls: notrun()};
  const imports = {};
  const host = spectest();
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === 'spectest' && imp.name in host) {
      imports.spectest = imports.spectest || {};
      imports.spectest[imp.name] = host[imp.name];
    }
  }
  let instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch (e) {
    return {load, inst: outcomeOfError(e), calls: notrun()};
  }
  const out = [];
  for (const c of calls) {
    const f = instance.exports[c.name];
    if (typeof f !== 'function') { out.push({s: 'unsupported', msg: 'no function export ' + c.name}); continue; }
    try {
      const args = c.args.map(([t, hex]) => toJs(t, hex));
      let r = f(...args);
      const results = c.results || [];
      if (results.length === 0) r = [];
      else if (results.length === 1) r = [r];
      out.push({s: 'ok', vals: results.map((t, i) => fromJs(t, r[i]))});
    } catch (e) {
      out.push(outcomeOfError(e));
    }
  }
  return {load, inst: {s: 'ok'}, calls: out};
}

const HELLO = {
  protocol: 1,
  name: 'v8',
  version: 'node ' + process.version + ' (V8 ' + process.versions.v8 + ')',
  validate: true,
  three_way: false,  // a CompileError is all V8 says
  run: true,
  arguments: true,
};

function handle(line) {
  const req = JSON.parse(line);
  switch (req.op) {
    case 'hello': return HELLO;
    case 'validate': return compile(req.wasm).load;
    case 'run': return run(req);
    case 'reset': return {ok: true};  // nothing outlives a request
    default: return {error: 'unknown op ' + req.op};
  }
}

if (require.main === module) {
  const rl = readline.createInterface({input: process.stdin, crlfDelay: Infinity});
  rl.on('line', (line) => {
    let reply;
    try {
      reply = handle(line);
    } catch (e) {
      reply = {error: errorText(e)};
    }
    process.stdout.write(JSON.stringify(reply) + '\n');
  });
} else {
  // For tests/protocol_test.cpp: V8's words, read as the harness reads them.
  module.exports = {trapKinds, rejection};
}
