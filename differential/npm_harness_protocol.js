// The engine protocol, version 1, as the npm peer harnesses speak it
// (binaryen_npm_harness.js, wabt_npm_harness.js; docs/differential.md,
// "Peers at their newest"). One request per line on stdin, exactly one reply
// per line on stdout, in order; stderr is free-form.
//
//   {"op":"hello","protocol":1}   -> {"protocol":1,"name":...,"version":...,
//                                     "validate":true,"three_way":B,"run":B,"arguments":B}
//   {"op":"validate","wasm":B64}  -> {"v":V,"msg":...[,"offset":N]}
//   {"op":"run","wasm":B64,"limits":{...},"calls":[...]}
//                                 -> {"load":{"v":V,...},"inst":OUTCOME,"calls":[OUTCOME,...]}
//   {"op":"reset"}                -> {"ok":true}
//   anything else                 -> {"error":"..."}
//
// This file holds what both harnesses share: the line loop (requests are
// answered one at a time, also when a handler is asynchronous), the checks
// on a request's fields, and the replies for a module that never ran.
'use strict';
const readline = require('readline');

const PROTOCOL = 1;

/// A request the harness refuses; its message becomes {"error": message}.
class BadRequest extends Error {}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/// The module bytes of a validate or run request. Strict base64: Node's
/// decoder skips characters it does not know, which would hand the engine
/// different bytes than Warden sent.
function wasmBytes(req) {
  if (typeof req.wasm !== 'string') throw new BadRequest(`${req.op} needs "wasm": a base64 string`);
  if (!BASE64.test(req.wasm)) throw new BadRequest('"wasm" is not base64');
  return Buffer.from(req.wasm, 'base64');
}

/// The calls of a run request, checked for shape (names, argument pairs).
function runCalls(req) {
  const calls = req.calls === undefined ? [] : req.calls;
  if (!Array.isArray(calls)) throw new BadRequest('"calls" must be an array');
  for (const c of calls) {
    if (!c || typeof c.name !== 'string') throw new BadRequest('each call needs a "name"');
    if (c.args !== undefined && !Array.isArray(c.args)) throw new BadRequest('"args" must be an array');
    if (c.results !== undefined && !Array.isArray(c.results)) throw new BadRequest('"results" must be an array');
  }
  return calls;
}

/// The reply to a run whose module did not load or instantiate: every later
/// step is "notrun".
function notRun(load, calls, inst = {s: 'notrun'}) {
  return {load, inst, calls: calls.map(() => ({s: 'notrun'}))};
}

/// Serves requests until stdin closes. `handlers` maps an op to a function
/// (req) -> reply or Promise<reply>; a handler that throws BadRequest answers
/// {"error"}; any other exception is a harness bug and answers {"error"} too,
/// so the stream stays in step. `hello` is answered from `hello`. `atEnd`,
/// if given, is called once stdin has closed and every reply is written
/// (to let go of what keeps the process alive, such as a worker thread).
function serve(hello, handlers, atEnd = null) {
  const all = {
    hello: (req) => {
      if (req.protocol !== PROTOCOL) throw new BadRequest(`protocol ${req.protocol} not spoken; this harness speaks ${PROTOCOL}`);
      return Object.assign({protocol: PROTOCOL}, hello());
    },
    reset: () => ({ok: true}),
    ...handlers,
  };
  const rl = readline.createInterface({input: process.stdin, crlfDelay: Infinity});
  let queue = Promise.resolve();
  rl.on('line', (line) => {
    if (line.trim() === '') return;
    queue = queue.then(async () => {
      let reply;
      try {
        const req = JSON.parse(line);
        if (!req || typeof req !== 'object' || Array.isArray(req)) throw new BadRequest('a request is a JSON object');
        const handler = Object.prototype.hasOwnProperty.call(all, req.op) ? all[req.op] : null;
        if (!handler) throw new BadRequest(`unknown op ${JSON.stringify(req.op)}`);
        reply = await handler(req);
      } catch (e) {
        reply = {error: e instanceof BadRequest || e instanceof SyntaxError ? e.message : `harness error: ${e && e.stack}`};
      }
      process.stdout.write(JSON.stringify(reply) + '\n');
    });
  });
  if (atEnd) rl.on('close', () => { queue = queue.then(atEnd); });
}

/// Ends the process without a reply: the protocol's way to say the engine
/// crashed (Warden records a crash and starts the harness again). Used when
/// the engine's own runtime aborted and cannot be trusted with another request.
function die(what) {
  process.stderr.write(`${what}\n`);
  process.exit(70);
}

module.exports = {BadRequest, wasmBytes, runCalls, notRun, serve, die};
