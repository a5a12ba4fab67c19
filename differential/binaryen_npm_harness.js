// Binaryen at its newest, as an engine for `warden diff` (`binaryen-npm`):
// the npm package `binaryen`, pinned in the repository's package-lock.json
// and installed by scripts/setup. It speaks the engine protocol
// (npm_harness_protocol.js; docs/differential.md, "Peers at their newest").
//
// Both requests go through the package's own `wasm-opt` (bin/wasm-opt, the
// command-line tool compiled to WebAssembly with Emscripten), the tool the
// Debian adapter drives (binaryen_engine.cpp), with the WebAssembly 2.0
// features and no others:
//   validate  wasm-opt FILE -mvp --enable-<the 2.0 seven> -q
//   run       the same with --fuzz-exec-before, which instantiates the
//             module and calls every function export once, in export order,
//             with zero arguments, printing
//               [fuzz-exec] export NAME
//               [fuzz-exec] note result: NAME => V1      (V2, ... one per line)
//               [trap MESSAGE] | [host limit MESSAGE]
// The library (binaryen.js) is not used: its readBinary keeps the parse
// error in an unflushed stderr buffer and reports only "error in parsing
// wasm binary", and it has no way to call an export.
//
// Speed: starting the tool as a process costs node about a second a module
// (11 MB of JavaScript, 10 MB of WebAssembly to compile). Here the script is
// compiled once, as a function of the names it looks up (Module, process,
// require, ...), and its WebAssembly module once; each call of that
// function is an instance of the tool whose `fs` and `process` are the
// harness's own (Emscripten's NODERAWFS writes fd 1 and 2 with
// fs.writeSync: that is how the output is captured; process.exitCode is how
// the status is), and each request is one call of the instance's main().
// An instance serves RECYCLE_AFTER requests, then a fresh one (a fresh heap)
// takes over; a crash replaces it at once. (A vm context per instance, as
// the first version had, made every access to the runtime's top-level
// variables go through the context's interceptors: runs were 8 times slower,
// docs/differential.md.)
//
// The tool runs in a worker thread with a JavaScript stack of STACK_MB:
// Binaryen's interpreter recurses through Emscripten's invoke_* wrappers,
// and node's default stack (984 KB) ran out before Binaryen's own call-depth
// limit (250 frames) on a plain recursive function. The main thread speaks
// the protocol and hands each request to the worker.
//
// Binaryen does not tell malformed from invalid (its reader checks types
// too), so a module it refuses is "rejected". No imports can be provided
// (--fuzz-exec has no host but a logger that ignores function imports): a
// module importing anything but spectest's print functions, which are
// no-ops there too, is "unlinkable". A call with a non-zero argument, or one
// out of export order, is "unsupported", and so is every call after it.
// The run limits are not applied: wasm-opt has its own call depth limit and
// no timeout (a module that loops forever hangs the harness, which Warden
// records as a hang and restarts).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const vm = require('vm');
const {Worker, isMainThread, parentPort} = require('worker_threads');
const {wasmBytes, runCalls, notRun, serve, die} = require('./npm_harness_protocol.js');

const FEATURES_2_0 = [
  '-mvp', '--enable-sign-ext', '--enable-mutable-globals', '--enable-nontrapping-float-to-int',
  '--enable-simd', '--enable-bulk-memory', '--enable-multivalue', '--enable-reference-types',
];

// ---- the tool, loaded once, its main() called per request

const TOOL = require.resolve('binaryen/bin/wasm-opt');

// Requests one instance of the tool serves before a fresh one replaces it.
// A main() that ends in exit() (every failed load: Binaryen's Fatal) unwinds
// without running destructors, so the heap only grows; a fresh instance
// for every request made validation about three times slower on the
// testsuite, with the same replies. WARDEN_BINARYEN_NPM_RECYCLE=1 gives every
// request its own (docs/differential.md measures both).
const RECYCLE_AFTER = Number(process.env.WARDEN_BINARYEN_NPM_RECYCLE) || 500;

// The worker's JavaScript stack, in MB (the default is 4): deep enough that
// Binaryen's own call-depth limit always comes first.
const STACK_MB = 64;

// The tool's own stack, in its linear memory: 5 MiB (this build's
// STACK_SIZE; musl's start code stores 5242880 as the stack size), just
// above its static data, which an overflow overwrites without any check.
// Binaryen's interpreter recurses for every call and every nested
// expression; a native wasm-opt has the process's 8 MiB and stops at its
// call-depth limit (250) first, this build can run out before (a module
// whose functions call each other with large frames: the static data is
// overwritten, and the tool then crashes with "null function or function
// signature mismatch" or "memory access out of bounds", or worse, goes on).
// So the lowest GUARD_BYTES of that stack are filled with CANARY before each
// request and checked after it: a request whose stack reached them is this
// build's limit ("limit" for a load, "exhausted" for a run), and the
// instance, its data possibly overwritten, is dropped.
const STACK_BYTES = 5 * 1024 * 1024;
const GUARD_BYTES = 256 * 1024;
const CANARY = 0xa5;
const CANARIES = Buffer.alloc(GUARD_BYTES, CANARY);

// Emscripten's runtime caches the function table in `wasmTableMirror`, an
// array it fills at the indices it is asked for; filled sparsely, V8 keeps
// it as a dictionary, and every call through an invoke_* wrapper looks an
// entry up there. Created with its length, it stays a plain array: runs
// about a third faster, the same replies (docs/differential.md). If the
// text is not found (another build), the script is used as it is.
function presizedTableMirror(src) {
  return src.replace('var wasmTableMirror=[];', 'var wasmTableMirror=new Array(1<<16).fill(undefined);');
}

class Tool {
  constructor() {
    let src = fs.readFileSync(TOOL, 'utf8');
    if (src.startsWith('#!')) src = '//' + src.slice(2);  // the shebang line
    // The runtime's top-level names become the function's locals: each call
    // is an instance with state of its own. `module` is undefined, so it
    // does not export itself.
    // thrownType: the mangled name of a C++ exception's type (the
    // exception's header holds its std::type_info, whose second word is the
    // name), for a crash's message.
    const thrownType = 'function thrownType(e) {\n' +
                       '  if (!(e instanceof CppException)) return null;\n' +
                       '  var type = new ExceptionInfo(e.excPtr).get_type();\n' +
                       '  return type ? UTF8ToString(HEAPU32[(type + 4) >>> 2]) : null;\n' +
                       '}\n';
    const wrapped = `(function (Module, process, require, module, __filename, __dirname) {${src}\n${thrownType}` +
                    'return {callMain, findWasmBinary, stackSave, memory: () => wasmMemory, thrownType};\n})';
    this.factory = new vm.Script(presizedTableMirror(wrapped), {filename: TOOL}).runInThisContext();
    // The WebAssembly binary is inside the script (findWasmBinary); take it
    // from an instance that is never started.
    const unstarted = this.instantiate({noInitialRun: true, instantiateWasm: () => ({})}, {});
    this.wasm = new WebAssembly.Module(unstarted.api.findWasmBinary());
    this.current = null;
    this.served = 0;
  }

  // Runs the script with the names the Emscripten runtime looks for. What
  // it writes to fd 1 and 2 goes to sink.out[fd] and, in order, to
  // sink.all. -> {api: {callMain, ...}, process}
  instantiate(Module, sink) {
    const fakeFs = Object.create(fs);
    fakeFs.writeSync = (fd, buffer, offset, length, position) => {
      if (fd !== 1 && fd !== 2) return fs.writeSync(fd, buffer, offset, length, position);
      const bytes = typeof buffer === 'string' ? Buffer.from(buffer)
                                               : Buffer.from(buffer.buffer, buffer.byteOffset + (offset || 0),
                                                             length === undefined ? buffer.length : length);
      sink.all.push(Buffer.from(bytes));
      sink.out[fd].push(Buffer.from(bytes));
      return bytes.length;
    };
    const fakeProcess = Object.create(process);
    Object.defineProperty(fakeProcess, 'argv', {value: ['node', 'wasm-opt'], writable: true});
    // Its own data property: process.exitCode is an accessor on the real one.
    Object.defineProperty(fakeProcess, 'exitCode', {value: undefined, writable: true});
    const fakeRequire = (name) => (name === 'node:fs' || name === 'fs' ? fakeFs : require(name));
    const api = this.factory(Module, fakeProcess, fakeRequire, undefined, TOOL, path.dirname(TOOL));
    return {api, process: fakeProcess};
  }

  // A started instance of the tool: {api, process, sink}.
  async start() {
    const sink = {out: {1: [], 2: []}, all: []};
    let ready;
    const started = new Promise((resolve) => { ready = resolve; });
    const Module = {
      noInitialRun: true,
      // The runtime's own messages ("Aborted()"): with the tool's stderr.
      printErr: (text) => {
        const line = Buffer.from(`${text}\n`);
        sink.all.push(line);
        sink.out[2].push(line);
      },
      onRuntimeInitialized: () => ready(),
      instantiateWasm: (imports, done) => {
        done(new WebAssembly.Instance(this.wasm, imports), this.wasm);
        return {};
      },
    };
    const instance = this.instantiate(Module, sink);
    await started;
    return {...instance, sink, guard: this.stackGuard(instance.api)};
  }

  // The lowest GUARD_BYTES of the tool's stack (STACK_BYTES below where
  // the stack pointer starts), or null when they are not the untouched
  // zeros of a stack bottom (a build with another layout: no guard).
  stackGuard(api) {
    const at = api.stackSave() - STACK_BYTES;
    const bytes = new Uint8Array(api.memory().buffer, at, GUARD_BYTES);
    if (at > 0 && bytes.every((b) => b === 0)) return at;
    if (!this.warned) process.stderr.write('binaryen-npm: no stack guard (the stack is not where STACK_BYTES says)\n');
    this.warned = true;
    return null;
  }

  /// The next request gets a fresh instance.
  reset() {
    this.current = null;
  }

  // Runs `wasm-opt ARGS` -> {status, out, err, all, threw}. `threw` is set
  // when main() ended in an exception other than exit() (an abort, an
  // uncaught C++ exception): the tool crashed, and its instance is dropped.
  async main(args) {
    if (!this.current || this.served >= RECYCLE_AFTER) {
      this.current = await this.start();
      this.served = 0;
    }
    const {api, process: proc, sink, guard} = this.current;
    this.served++;
    sink.out = {1: [], 2: []};
    sink.all = [];
    proc.exitCode = undefined;
    const guarded = () => Buffer.from(api.memory().buffer, guard, GUARD_BYTES);
    if (guard !== null) guarded().fill(CANARY);
    let status;
    let threw = null;
    try {
      status = api.callMain(args);
    } catch (e) {
      threw = e;
      if (typeof e === 'object' && e !== null) e.thrownType = api.thrownType(e);
      this.current = null;
    }
    // The stack reached its last GUARD_BYTES, or past them into the data
    // below: whatever the tool said or did since is not Binaryen's answer.
    const stackOut = guard !== null && !guarded().equals(CANARIES);
    if (guard !== null) guarded().fill(0);
    if (stackOut) this.current = null;
    if (status === undefined) status = proc.exitCode;
    const text = (chunks) => Buffer.concat(chunks).toString('utf8');
    return {status, out: text(sink.out[1]), err: text(sink.out[2]), all: text(sink.all), threw, stackOut};
  }
}

function crashText(e) {
  if (e && e.thrownType) return `uncaught C++ exception ${e.thrownType}`;
  const what = e && e.message ? e.message : String(e);
  return e && e.constructor && e.constructor.name !== 'Object' ? `${e.constructor.name}: ${what}` : what;
}

const STACK_OUT = `harness: the tool's ${STACK_BYTES >> 20} MiB stack ran out (wasm build; its last ${GUARD_BYTES >> 10} KiB were reached)`;

// Whether main() ended because the harness's own JavaScript stack ran out
// (STACK_MB): a limit of this harness, not a crash of Binaryen's.
function stackExhausted(e) {
  return e instanceof RangeError && /Maximum call stack size exceeded/.test(e.message);
}

// The outcome of a step during which main() threw `e`.
function threwOutcome(e) {
  if (stackExhausted(e)) return {s: 'exhausted', msg: `harness: JavaScript stack of ${STACK_MB} MB exhausted`};
  return {s: 'crash', msg: crashText(e)};
}

// ---- load verdicts

// The error line of a failed load (not a warning before it), as
// binaryen_engine.cpp picks it; and the byte offset Binaryen gives as
// "(at 0:N)" in a parse exception.
function loadFailure(all) {
  const lines = all.split('\n').filter((l) => l !== '');
  let first = '';
  for (const l of lines) {
    if (l.startsWith('[parse exception') || l.startsWith('[wasm-validator')) {
      first = l;
      break;
    }
    if (first === '' || first.startsWith('warning:')) first = l;
  }
  if (/std::bad_alloc|Cannot enlarge memory|Aborted\(OOM\)/.test(all)) return {v: 'limit', msg: first};
  const reply = {v: 'rejected', msg: first};
  const at = /^\[parse exception: .*\(at 0:(\d+)\)\]/.exec(first);
  if (at) reply.offset = Number(at[1]);
  return reply;
}

class Binaryen {
  constructor(dir) {
    this.tool = new Tool();
    this.file = path.join(dir, 'm.wasm');
  }

  async version() {
    const r = await this.tool.main(['--version']);  // "wasm-opt version 132 (version_132)"
    const m = /version (\S+)/.exec(r.out);
    return m ? m[1] : r.out.trim();
  }

  async load(bytes, extra) {
    fs.writeFileSync(this.file, bytes);
    return this.tool.main([this.file, ...FEATURES_2_0, '-q', ...extra]);
  }

  async validate(bytes) {
    // wasm-opt reads a file without the magic as text, where "(module)" is
    // valid: such bytes are no binary module, and Binaryen's binary reader
    // is never asked.
    if (!hasMagic(bytes))
      return {v: 'rejected', msg: 'not a binary module: no \\0asm magic (wasm-opt would read it as text)'};
    const r = await this.load(bytes, []);
    if (r.stackOut) return {v: 'limit', msg: STACK_OUT};
    if (r.threw && stackExhausted(r.threw)) return {v: 'limit', msg: threwOutcome(r.threw).msg};
    // The crash's own words last: Warden keeps the last line of stderr.
    if (r.threw) {
      const before = r.all === '' || r.all.endsWith('\n') ? r.all : `${r.all}\n`;
      throw new Fatal(`${before}binaryen-npm: wasm-opt crashed while loading: ${crashText(r.threw)}`);
    }
    if (r.status === 0) return {v: 'valid', msg: ''};
    return this.loadFailure(r);
  }

  loadFailure(r) {
    return loadFailure(r.all.split(this.file).join('m.wasm'));
  }

  async run(bytes, calls) {
    if (!hasMagic(bytes)) return notRun(await this.validate(bytes), calls);
    const blocked = importsBlockingRun(bytes);
    if (blocked) {
      const load = await this.validate(bytes);
      return notRun(load, calls, load.v === 'valid' ? {s: 'unlinkable', msg: blocked} : {s: 'notrun'});
    }
    const r = await this.load(bytes, ['--fuzz-exec-before']);
    if (r.stackOut) {
      // Which step ran out is not known, nor whether the load was done.
      const load = await this.validate(bytes);
      return notRun(load, calls, load.v === 'valid' ? {s: 'exhausted', msg: STACK_OUT} : {s: 'notrun'});
    }
    const events = fuzzExecEvents(r.all);
    const exported = events.findIndex((e) => e.export !== undefined);
    const beforeCalls = exported < 0 ? events : events.slice(0, exported);
    const instTrap = beforeCalls.find((e) => e.trap !== undefined || e.limit !== undefined);
    if (exported < 0 && !instTrap && (r.threw || r.status !== 0)) {
      // Nothing was called: the load failed, or the tool crashed loading or
      // instantiating (then loading alone tells which).
      if (!r.threw) return notRun(this.loadFailure(r), calls);
      const load = await this.validate(bytes);
      return notRun(load, calls, load.v === 'valid' ? threwOutcome(r.threw) : {s: 'notrun'});
    }
    const load = {v: 'valid', msg: ''};
    if (instTrap) return notRun(load, calls, outcomeOf(instTrap));
    return {load, inst: {s: 'ok'}, calls: callOutcomes(exported < 0 ? [] : events.slice(exported), calls, r.threw)};
  }
}

function hasMagic(bytes) {
  return bytes.length >= 4 && bytes.readUInt32BE(0) === 0x0061736d;
}

// ---- imports (read from the bytes: the tool cannot be asked)

const SPECTEST_PRINTS = new Set([
  'print', 'print_i32', 'print_i64', 'print_f32', 'print_f64', 'print_i32_f32', 'print_f64_f64',
]);

// The reason a module's imports keep it from running here, or null. Reads
// the import section only; a module too broken to read gets null, and its
// load then fails in wasm-opt.
function importsBlockingRun(bytes) {
  let pos = 8;
  const u32 = () => {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= bytes.length) throw new RangeError('end');
      const b = bytes[pos++];
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
    }
    throw new RangeError('long');
  };
  const name = () => {
    const n = u32();
    if (pos + n > bytes.length) throw new RangeError('end');
    const s = bytes.subarray(pos, pos + n).toString('utf8');
    pos += n;
    return s;
  };
  try {
    while (pos < bytes.length) {
      const id = bytes[pos++];
      const size = u32();
      const end = pos + size;
      if (id !== 2) {
        pos = end;
        continue;
      }
      const count = u32();
      for (let i = 0; i < count; i++) {
        const module = name();
        const field = name();
        const kind = bytes[pos++];
        if (!(kind === 0 && module === 'spectest' && SPECTEST_PRINTS.has(field)))
          return `wasm-opt --fuzz-exec provides no import ${module}.${field} (only spectest's print functions, ignored there)`;
        u32();  // the function's type index
      }
      return null;
    }
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  return null;
}

// ---- --fuzz-exec output

// The tool's output as events: {export: NAME} | {result: NAME, values: [TEXT...]}
// | {trap: MSG} | {limit: MSG}. A result's further values (multi-value) are
// the lines that follow it up to the next bracketed line.
function fuzzExecEvents(all) {
  const events = [];
  let last = null;
  for (const line of all.split('\n')) {
    let m;
    if ((m = /^\[fuzz-exec\] export (.*)$/.exec(line))) {
      events.push(last = {export: m[1]});
    } else if (line.startsWith('[fuzz-exec] note result: ')) {
      events.push(last = {result: line.slice(25)});
    } else if ((m = /^\[trap (.*)\]$/.exec(line))) {
      events.push(last = {trap: m[1]});
    } else if ((m = /^\[host limit (.*)\]$/.exec(line))) {
      events.push(last = {limit: m[1]});
    } else if (line.startsWith('[')) {
      last = null;  // "[LoggingExternalInterface ...]" and the like
    } else if (last && last.result !== undefined && line !== '') {
      last.result += '\n' + line;
    }
  }
  return events;
}

// Binaryen 132's trap messages -> trap kinds (its interpreter,
// src/wasm-interpreter.h). Unknown messages get no kind: Warden maps "msg".
const TRAP_KINDS = [
  [/^unreachable$/, 'unreachable'],
  [/ by 0$/, 'divzero'],
  [/div_s overflow$/, 'overflow'],
  [/trunc[SU]Float overflow$/, 'overflow'],
  [/trunc[SU]Float of nan$/, 'conversion'],
  [/> memory|out of bounds memory access|segment access in memory/, 'memory'],
  [/out of bounds segment access in table|out of bounds table access in table\./, 'table'],
  [/^RuntimeTable::set out of bounds$/, 'table'],  // table.set past the end
  // table.get/set/size past the end and call_indirect past the end alike.
  [/^out of bounds table access$/, 'table|undefined-element'],
  [/^null target in call_indirect$/, 'uninitialized'],
  [/^callIndirect: non-subtype$|^cast failure in call_indirect$/, 'indirect-type'],
];

// A trap or host-limit event as an outcome.
function outcomeOf(event) {
  if (event.trap !== undefined) {
    const row = TRAP_KINDS.find(([re]) => re.test(event.trap));
    return row ? {s: 'trap', trap: row[1], msg: event.trap} : {s: 'trap', msg: event.trap};
  }
  // Binaryen 132 reports its call depth limit as a host limit; the others
  // trap there ("call stack exhausted").
  if (event.limit === 'stack limit') return {s: 'trap', trap: 'stack', msg: `host limit ${event.limit}`};
  return {s: 'exhausted', msg: `host limit ${event.limit}`};
}

// Pairs the job's calls with the exports --fuzz-exec called.
function callOutcomes(events, calls, threw) {
  // Per export: its events up to the next export.
  const perExport = [];
  for (const e of events) {
    if (e.export !== undefined) perExport.push({name: e.export, events: []});
    else perExport[perExport.length - 1].events.push(e);
  }
  const out = [];
  let refused = null;
  calls.forEach((call, k) => {
    const ran = perExport[k];
    if (!refused) {
      if (call.args && call.args.some(([, hex]) => !/^0+$/.test(hex)))
        refused = `--fuzz-exec passes zero arguments only; call ${k} (${call.name}) has others`;
      else if (!ran && !threw)
        refused = `--fuzz-exec calls each function export once, in order; call ${k} (${call.name}) is past them`;
      else if (ran && ran.name !== call.name)
        refused = `--fuzz-exec calls each function export once, in order; call ${k} asks for ${call.name}, export ${k} is ${ran.name}`;
    }
    if (refused) return out.push({s: 'unsupported', msg: refused});
    if (!ran) return out.push({s: 'notrun'});  // after a crash
    const last = k === perExport.length - 1;
    const end = ran.events.find((e) => e.trap !== undefined || e.limit !== undefined) ||
                ran.events.find((e) => e.result !== undefined);
    if (last && threw && !end) return out.push(threwOutcome(threw));
    const results = call.results || [];
    if (!end) return out.push(results.length === 0 ? {s: 'ok', vals: []} : {s: 'crash', msg: `no result printed for ${call.name}`});
    if (end.result !== undefined) {
      const prefix = `${call.name} => `;
      if (!end.result.startsWith(prefix)) return out.push({s: 'crash', msg: `unparsed: ${end.result}`});
      return out.push(parseResult(end.result.slice(prefix.length).split('\n'), results));
    }
    return out.push(outcomeOf(end));
  });
  return out;
}

// ---- values as --fuzz-exec prints them -> raw bits in hex

const view = new DataView(new ArrayBuffer(8));

// "nan:0x400000", "-nan:0x1", "inf", "-inf", "-0", "0.10000000149011612",
// "1797693134862315708145274e284": shortest round-trip decimal of the value
// (an f32 widened to f64), or the NaN's payload, so the bits are exact.
function floatBits(text, bits) {
  const payloadBits = bits === 32 ? 23n : 52n;
  const expBits = bits === 32 ? 8n : 11n;
  const m = /^(-?)nan:0x([0-9a-f]+)$/.exec(text);
  if (m) {
    const sign = m[1] ? 1n : 0n;
    const bitsOut = (sign << (payloadBits + expBits)) | (((1n << expBits) - 1n) << payloadBits) | BigInt('0x' + m[2]);
    return bitsOut.toString(16);
  }
  const x = text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
  if (Number.isNaN(x)) return null;
  if (bits === 32) {
    view.setFloat32(0, x);
    if (view.getFloat32(0) !== x) return null;  // not an f32 value: misread
    return view.getUint32(0).toString(16);
  }
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16);
}

function valueBits(type, text) {
  switch (type) {
    case 'i32': return /^-?\d+$/.test(text) ? BigInt.asUintN(32, BigInt(text)).toString(16) : null;
    case 'i64': return /^-?\d+$/.test(text) ? BigInt.asUintN(64, BigInt(text)).toString(16) : null;
    case 'f32': return floatBits(text, 32);
    case 'f64': return floatBits(text, 64);
    case 'v128': {  // "i32x4 0x00000001 0x00000002 0x00000003 0x00000004", lane 0 first
      const m = /^i32x4 0x([0-9a-f]{8}) 0x([0-9a-f]{8}) 0x([0-9a-f]{8}) 0x([0-9a-f]{8})$/.exec(text);
      return m ? m[4] + m[3] + m[2] + m[1] : null;
    }
    case 'funcref':
    case 'externref': return text === 'null' ? '0' : '1';
    default: return null;
  }
}

function parseResult(texts, results) {
  if (texts.length !== results.length) return {s: 'crash', msg: `unparsed: ${texts.length} values for ${results.length} results`};
  const vals = [];
  for (let i = 0; i < results.length; i++) {
    const bits = valueBits(results[i], texts[i]);
    if (bits === null) return {s: 'crash', msg: `unparsed ${results[i]}: ${texts[i]}`};
    vals.push(bits);
  }
  return {s: 'ok', vals};
}

// ---- the worker: the tool; the main thread: the protocol

/// The tool's runtime failed in a way that leaves nothing to trust: the
/// harness ends without a reply (the protocol's crash).
class Fatal extends Error {}

// Worker side: one message per request, {op, bytes, calls} -> {reply} |
// {fatal} | {error}.
function worker({dir}) {
  const engine = new Binaryen(dir);
  const ops = {
    version: () => engine.version(),
    validate: (m) => engine.validate(m.bytes),
    run: (m) => engine.run(m.bytes, m.calls),
    reset: () => {
      engine.tool.reset();
      return {ok: true};
    },
  };
  parentPort.on('message', async (m) => {
    // A structured clone of a Buffer arrives as a plain Uint8Array.
    if (m.bytes) m.bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length);
    try {
      parentPort.postMessage({reply: await ops[m.op](m)});
    } catch (e) {
      parentPort.postMessage(e instanceof Fatal ? {fatal: e.message} : {error: e && e.stack ? e.stack : String(e)});
    }
  });
}

// Main side: the worker, asked one request at a time (serve() answers in
// order, one at a time).
class Remote {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-binaryen-npm-'));
    process.on('exit', () => fs.rmSync(this.dir, {recursive: true, force: true}));
    this.pending = null;
    this.worker = new Worker(__filename, {workerData: {dir: this.dir}, resourceLimits: {stackSizeMb: STACK_MB}});
    this.worker.on('message', (m) => {
      if (m.fatal !== undefined) die(m.fatal);
      const p = this.pending;
      this.pending = null;
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.reply);
    });
    this.worker.on('error', (e) => die(`binaryen-npm: the tool's thread failed: ${e && e.stack ? e.stack : e}`));
    this.worker.on('exit', (code) => die(`binaryen-npm: the tool's thread exited (${code})`));
  }

  /// Ends the worker (stdin has closed): the process can exit.
  stop() {
    this.worker.removeAllListeners('exit');
    return this.worker.terminate();
  }

  ask(message) {
    return new Promise((resolve, reject) => {
      this.pending = {resolve, reject};
      this.worker.postMessage(message);
    });
  }
}

async function main() {
  const remote = new Remote();
  const version = await remote.ask({op: 'version'});
  serve(() => ({name: 'binaryen-npm', version, validate: true, three_way: false, run: true, arguments: false}), {
    validate: (req) => remote.ask({op: 'validate', bytes: wasmBytes(req)}),
    reset: () => remote.ask({op: 'reset'}),
    run: (req) => remote.ask({op: 'run', bytes: wasmBytes(req), calls: runCalls(req)}),
  }, () => remote.stop());
}

if (isMainThread) main().catch((e) => die(`binaryen-npm: cannot start: ${e && e.stack ? e.stack : e}`));
else worker(require('worker_threads').workerData);
