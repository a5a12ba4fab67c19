#!/usr/bin/env python3
"""A scripted engine for tests/protocol_test.cpp: it speaks the engine
protocol (docs/engine-protocol.md) and answers by script, not by running
anything, so that every reply the adapter must handle can be asked for.

Capabilities come from the command line: --three-way, --no-run, --no-args,
--protocol N (what hello answers), --no-hello (hello gets an error).

validate: the module's first byte picks the reply:
  0 valid, 1 malformed (offset 5), 2 invalid, 3 rejected, 4 limit,
  5 unsupported, 6 die (a line on stderr, then exit 3), 7 hang,
  8 {"error":...}, 9 a line that is not JSON.
run: the first byte picks the load verdict the same way (0: valid, then
the calls run); each call is named for what it does:
  echo         returns its arguments' bits as the results' (zero if fewer)
  named        traps with kinds named: "divzero|overflow"
  worded       traps with the spec's words only: "integer divide by zero"
  odd          traps with words no table knows
  badname      traps with a kind name that does not exist
  exhausted    an engine limit
  badvals      "ok" with a value that is not hex
  resets       how many resets this process has seen, as an i32
  die          half a reply, then exit
  hang         never answers
Standard library only.
"""
import base64
import json
import sys
import time


def main():
    args = sys.argv[1:]
    protocol = int(args[args.index("--protocol") + 1]) if "--protocol" in args else 1
    resets = 0
    verdicts = ["valid", "malformed", "invalid", "rejected", "limit", "unsupported"]

    def load(first):
        """The verdict reply for a first byte, or None after acting it out."""
        if first < len(verdicts):
            v = {"v": verdicts[first], "msg": "scripted " + verdicts[first]}
            if first == 1:
                v["offset"] = 5
            return v
        if first == 6:
            sys.stderr.write("fake engine: dying as scripted\n")
            sys.stderr.flush()
            sys.exit(3)
        if first == 7:
            time.sleep(3600)
        if first == 8:
            return {"error": "scripted refusal"}
        return "this is not JSON"

    def call(c):
        name = c.get("name")
        results = c.get("results", [])
        if name == "echo":
            bits = [a[1] for a in c.get("args", [])]
            return {"s": "ok", "vals": [bits[i] if i < len(bits) else "0" for i in range(len(results))]}
        if name == "named":
            return {"s": "trap", "trap": "divzero|overflow", "msg": "whatever it says"}
        if name == "worded":
            return {"s": "trap", "msg": "integer divide by zero"}
        if name == "odd":
            return {"s": "trap", "msg": "the flux capacitor overheated"}
        if name == "badname":
            return {"s": "trap", "trap": "flux", "msg": "x"}
        if name == "exhausted":
            return {"s": "exhausted", "msg": "scripted fuel"}
        if name == "badvals":
            return {"s": "ok", "vals": ["xyz"]}
        if name == "resets":
            return {"s": "ok", "vals": ["%x" % resets]}
        if name == "die":
            sys.stdout.write('{"load":')
            sys.stdout.flush()
            sys.exit(4)
        if name == "hang":
            time.sleep(3600)
        return {"s": "unsupported", "msg": "no such call " + str(name)}

    for line in sys.stdin:
        req = json.loads(line)
        op = req.get("op")
        if op == "hello":
            if "--no-hello" in args:
                reply = {"error": "what is hello"}
            else:
                reply = {"protocol": protocol, "name": "fake", "version": "fake 1.0",
                         "validate": True, "three_way": "--three-way" in args,
                         "run": "--no-run" not in args, "arguments": "--no-args" not in args}
        elif op == "reset":
            resets += 1
            reply = {"ok": True}
        elif op == "validate":
            reply = load(base64.b64decode(req["wasm"])[0])
        elif op == "run":
            calls = req.get("calls", [])
            v = load(base64.b64decode(req["wasm"])[0])
            if isinstance(v, dict) and v.get("v") == "valid":
                reply = {"load": v, "inst": {"s": "ok"}, "calls": [call(c) for c in calls]}
            elif isinstance(v, dict) and "v" in v:
                reply = {"load": v, "inst": {"s": "notrun"}, "calls": [{"s": "notrun"} for _ in calls]}
            else:
                reply = v
        else:
            reply = {"error": "unknown op " + str(op)}
        sys.stdout.write((reply if isinstance(reply, str) else json.dumps(reply)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
