// The oracle for tests/wasi/compare: runs a WASI command module under node's
// WASI (uvwasi), taking the subset of `warden run`'s flags that node can
// honour, so the comparison passes both runners the same command line:
//
//   node --no-warnings node_run.mjs [--dir H[::G]] [--dir-rw H[::G]]
//        [--env NAME=VALUE] [--allow CAPS] [--deterministic] [--seed N]
//        PROG.wasm [-- ARGS...]    (options may also follow PROG.wasm)
//
// node has no capabilities and no read-only preopens: --allow, --deterministic
// and --seed are accepted and ignored, and --dir is writable here. The
// comparison uses only cases where that makes no difference.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
let file = null;
const args = [];
for (let i = 0; i < argv.length; ++i) {
  const a = argv[i];
  if (a === '--') {
    args.push(...argv.slice(i + 1));
    break;
  }
  if (a === '--dir' || a === '--dir-rw') {
    const spec = argv[++i];
    const sep = spec.indexOf('::');
    const host = sep < 0 ? spec : spec.slice(0, sep);
    const guest = sep < 0 ? spec : spec.slice(sep + 2);
    preopens[guest] = host;
  } else if (a === '--env') {
    const spec = argv[++i];
    const eq = spec.indexOf('=');
    if (eq < 0) env[spec] = process.env[spec] ?? '';
    else env[spec.slice(0, eq)] = spec.slice(eq + 1);
  } else if (a === '--allow' || a === '--seed') {
    ++i;
  } else if (a === '--deterministic') {
    // no equivalent
  } else if (a.startsWith('-')) {
    process.stderr.write(`node_run: unknown option ${a}\n`);
    process.exit(64);
  } else if (file === null) {
    file = a;
  } else {
    args.push(a);
  }
}
if (file === null) {
  process.stderr.write('node_run: no module given\n');
  process.exit(64);
}

const wasi = new WASI({ version: 'preview1', args: [file, ...args], env, preopens, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
let code;
try {
  code = wasi.start(instance);
} catch (e) {
  process.stderr.write(`node_run: ${e}\n`);
  process.exit(134);
}
process.exitCode = code;
