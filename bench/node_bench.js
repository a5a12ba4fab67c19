// node_bench.js MODULE.wasm [FUNC]: V8's side of scripts/bench, timed inside
// the process. Compiles the module (new WebAssembly.Module), instantiates it
// and, given FUNC, calls it with no arguments; prints one JSON line:
//   {"compile_s": ..., "instantiate_s": ..., "call_s": ..., "result": "i32:N"}
// Each time is process.hrtime around that step alone, so node's own start-up
// (tens of milliseconds) is left out; scripts/bench times the whole process
// separately.
'use strict';
const fs = require('fs');

function seconds(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function main() {
  const [file, func] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node node_bench.js MODULE.wasm [FUNC]');
    process.exit(64);
  }
  const bytes = fs.readFileSync(file);
  let t0 = process.hrtime.bigint();
  const module = new WebAssembly.Module(bytes);
  const compile = seconds(t0);
  t0 = process.hrtime.bigint();
  const instance = new WebAssembly.Instance(module, {});
  const instantiate = seconds(t0);
  const out = {compile_s: compile, instantiate_s: instantiate};
  if (func) {
    const f = instance.exports[func];
    if (typeof f !== 'function') {
      console.error(`unknown export '${func}'`);
      process.exit(64);
    }
    t0 = process.hrtime.bigint();
    const r = f();
    out.call_s = seconds(t0);
    out.result = typeof r === 'bigint' ? `i64:${r}` : `i32:${r}`;
  }
  console.log(JSON.stringify(out));
}

main();
