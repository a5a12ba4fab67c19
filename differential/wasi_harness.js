// The node:wasi side of `warden diff`'s WASI differential: one long-lived
// node process that runs WASI command modules (the Record shape of
// fuzzers/common/wasi_program.hpp) under node's WASI (uvwasi), one request
// line in, one answer line out.
//
//   {"op":"version"}
//     -> {"version":"node v20.x (uvwasi ...)"}
//   {"op":"run","wasm":BASE64,"dir":SCRATCH,"cwd":DIR,"out":FILE,"err":FILE,
//    "calls":N}
//     -> {"s":"ok"|"exit"|"trap","code":N,"msg":TEXT,"errnos":[E0,...]}
//
// SCRATCH is preopened as /sandbox (fd 3, writable: node has no read-only
// preopens); stdout and stderr go to FILE; stdin is /dev/null. The argv and
// environment are the ones Warden's side gets (differential/wasi_diff.cpp).
// errnos[i] is the exported global errno<i>: -1 when call i was not reached.
// node runs in DIR, an empty directory beside SCRATCH.
'use strict';
const fs = require('fs');
const readline = require('readline');
const { WASI } = require('wasi');

const ARGS = ['wasi-diff', '--flag', 'x'.repeat(100)];
const ENV = { HOME: '/sandbox', EMPTY: '' };

function run(req) {
  // uvwasi resolves paths on fd 0-2 against pseudo-paths ("<stdin>") in
  // the working directory: keep it in the tree, where the campaign looks.
  process.chdir(req.cwd);
  const out = fs.openSync(req.out, 'w');
  const err = fs.openSync(req.err, 'w');
  const nul = fs.openSync('/dev/null', 'r');
  const answer = { s: 'ok', code: 0, msg: '', errnos: [] };
  let instance = null;
  try {
    const wasi = new WASI({
      version: 'preview1', args: ARGS, env: ENV, preopens: { '/sandbox': req.dir },
      stdin: nul, stdout: out, stderr: err, returnOnExit: true,
    });
    // The imports are passed as they are: a JS wrapper would move node off
    // its fast path, where it checks arguments differently.
    const imports = wasi.getImportObject();
    const module = new WebAssembly.Module(Buffer.from(req.wasm, 'base64'));
    instance = new WebAssembly.Instance(module, imports);
    const code = wasi.start(instance);
    // start() returns 0 both when _start returns and on proc_exit(0); the
    // global "done" is set by the last instruction of _start.
    if (instance.exports.done.value === 0) {
      answer.s = 'exit';
      answer.code = code >>> 0;  // proc_exit's u32, not node's int
    }
  } catch (e) {
    answer.s = 'trap';
    answer.msg = String(e && e.message || e);
  } finally {
    // The guest may have closed its fd 0-2, which closes these.
    for (const fd of [out, err, nul]) {
      try { fs.closeSync(fd); } catch (e) { /* closed by the guest */ }
    }
  }
  for (let i = 0; i < req.calls; ++i) {
    const g = instance && instance.exports['errno' + i];
    answer.errnos.push(g ? g.value : -1);
  }
  return answer;
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
  let reply;
  try {
    const req = JSON.parse(line);
    if (req.op === 'version') {
      reply = { version: `node ${process.version} (uvwasi ${process.versions.uvwasi || '?'})` };
    } else {
      reply = run(req);
    }
  } catch (e) {
    reply = { s: 'harness', msg: String(e && e.message || e) };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
});
