// The V8 side of `warden diff`: one long-lived node process that takes
// requests as lines of JSON on stdin and answers each with one line on stdout.
//
//   {"op":"version"}
//     -> {"version":"node v20.x (V8 ...)"}
//   {"op":"validate","wasm":BASE64}
//     -> {"v":"valid"} | {"v":"rejected","msg":"CompileError: ..."}
//   {"op":"run","wasm":BASE64,"calls":[{"name":N,"args":[[TYPE,HEXBITS],...],
//                                       "results":[TYPE,...]},...]}
//     -> {"load":{"v":...,"msg":...},"inst":OUTCOME,"calls":[OUTCOME,...]}
//   OUTCOME = {"s":"ok","vals":[HEXBITS,...]} | {"s":"trap","msg":...}
//           | {"s":"exhausted","msg":...} | {"s":"unsupported","msg":...}
//           | {"s":"unlinkable","msg":...} | {"s":"notrun"}
//
// Values cross as raw bits (hex strings): i64 through BigInt, floats through
// a DataView, so nothing is rounded. Two things JS cannot do are reported as
// "unsupported" instead of being faked: pass or return a v128, and pass or
// return a NaN (the JS boundary may quiet a signalling NaN). Warden's probe
// modules avoid both by returning only i32/i64.
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

function outcomeOfError(e) {
  if (e instanceof Unsupported) return {s: 'unsupported', msg: e.message};
  if (e instanceof WebAssembly.RuntimeError) return {s: 'trap', msg: errorText(e)};
  if (e instanceof RangeError) {
    // Stack overflow is a trap kind the others have too; other RangeErrors
    // (out of memory for a large memory or table) are resource limits.
    if (/call stack/.test(e.message)) return {s: 'trap', msg: errorText(e)};
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
    if (e instanceof WebAssembly.CompileError) return {module: null, load: {v: 'rejected', msg: errorText(e)}};
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

function handle(line) {
  const req = JSON.parse(line);
  switch (req.op) {
    case 'version': return {version: 'node ' + process.version + ' (V8 ' + process.versions.v8 + ')'};
    case 'validate': return compile(req.wasm).load;
    case 'run': return run(req);
    default: return {error: 'unknown op ' + req.op};
  }
}

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
