// node_run.js MODULE.wasm FUNC [ARG...]: the V8 side of the bench check.
// Instantiates the module, calls FUNC with typed i32:/i64: arguments, and
// prints each result as `warden run` does (i32/i64 as signed decimal).
'use strict';
const fs = require('fs');

function parseArg(text) {
  const m = /^(i32|i64):(-?(?:0x[0-9a-fA-F]+|[0-9]+))$/.exec(text);
  if (!m) throw new Error(`unsupported argument '${text}' (node_run.js takes i32: and i64:)`);
  return m[1] === 'i32' ? Number(BigInt.asIntN(32, BigInt(m[2]))) : BigInt.asIntN(64, BigInt(m[2]));
}

function format(v) {
  if (typeof v === 'bigint') return `i64:${BigInt.asIntN(64, v)}`;
  if (Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return `i32:${v}`;
  throw new Error(`unsupported result ${v} (node_run.js prints i32 and i64)`);
}

function main() {
  const [file, func, ...args] = process.argv.slice(2);
  if (!file || !func) {
    console.error('usage: node node_run.js MODULE.wasm FUNC [i32:N|i64:N ...]');
    process.exit(64);
  }
  const module = new WebAssembly.Module(fs.readFileSync(file));
  const instance = new WebAssembly.Instance(module, {});
  const f = instance.exports[func];
  if (typeof f !== 'function') {
    console.error(`unknown export '${func}'`);
    process.exit(64);
  }
  let result;
  try {
    result = f(...args.map(parseArg));
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      console.error(`trap: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const results = result === undefined ? [] : Array.isArray(result) ? result : [result];
  for (const r of results) console.log(format(r));
}

main();
