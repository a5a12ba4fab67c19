#!/usr/bin/env python3
"""Generate the load benchmark's module: a valid, code-heavy binary module.

    bench/load/gen_load_module.py [--size BYTES] [--seed N] -o OUT.wasm

Deterministic: the same size and seed give the same bytes. The module has
one memory page, a funcref table, a few globals, and function bodies of
0.5 to 4 KiB each until the module reaches --size bytes (default 10 MB,
10,000,000 bytes): arithmetic on i32, i64 and f64 locals, loads and stores,
block/loop/br_if loops, if/else, direct and indirect calls, br_table. No
data segment: the bytes are code (docs/design.md, "Loading: from bytes to
code").
"""

import argparse
import random
import sys


def uleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def sleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if (n == 0 and not b & 0x40) or (n == -1 and b & 0x40):
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def vec(items):
    return uleb(len(items)) + b"".join(items)


def section(sid, payload):
    return bytes([sid]) + uleb(len(payload)) + payload


I32, I64, F64 = 0x7F, 0x7E, 0x7C

# Function types: (params, results). Every defined function uses one.
TYPES = [
    ([I32, I32], [I32]),
    ([I32], [I32]),
    ([I64, I32], [I64]),
    ([F64, F64], [F64]),
    ([], []),
]

# Locals after the params: 4 i32, 2 i64, 2 f64 (indices are per type below).
LOCAL_DECLS = [(4, I32), (2, I64), (2, F64)]


class Body:
    """One function body, built from stack-neutral statements."""

    def __init__(self, rng, type_index, nfuncs, funcs_types):
        self.rng = rng
        params, results = TYPES[type_index]
        self.results = results
        self.locals = {I32: [], I64: [], F64: []}
        i = 0
        for t in params:
            self.locals[t].append(i)
            i += 1
        for n, t in LOCAL_DECLS:
            for _ in range(n):
                self.locals[t].append(i)
                i += 1
        self.nfuncs = nfuncs
        self.funcs_types = funcs_types
        self.out = bytearray()

    def local(self, t):
        return self.rng.choice(self.locals[t])

    # ---- expressions that push one value of a type
    def i32_expr(self, depth=0):
        r = self.rng.random()
        o = self.out
        if depth > 2 or r < 0.35:
            if self.rng.random() < 0.6:
                o += b"\x20" + uleb(self.local(I32))  # local.get
            else:
                o += b"\x41" + sleb(self.rng.randrange(-1000, 100000))  # i32.const
            return
        if r < 0.75:
            self.i32_expr(depth + 1)
            self.i32_expr(depth + 1)
            o.append(self.rng.choice([0x6A, 0x6B, 0x6C, 0x71, 0x72, 0x73, 0x74, 0x76, 0x46, 0x48, 0x4B]))
        elif r < 0.85:
            self.address()
            o += b"\x28\x02" + uleb(self.rng.randrange(0, 64) * 4)  # i32.load
        elif r < 0.92:
            self.i64_expr(depth + 1)
            o.append(0xA7)  # i32.wrap_i64
        else:
            self.i32_expr(depth + 1)
            o.append(self.rng.choice([0x45, 0x67, 0x68, 0x69]))  # eqz, clz, ctz, popcnt

    def i64_expr(self, depth=0):
        r = self.rng.random()
        o = self.out
        if depth > 2 or r < 0.4:
            if self.rng.random() < 0.6:
                o += b"\x20" + uleb(self.local(I64))
            else:
                o += b"\x42" + sleb(self.rng.randrange(-(1 << 40), 1 << 40))  # i64.const
            return
        if r < 0.8:
            self.i64_expr(depth + 1)
            self.i64_expr(depth + 1)
            o.append(self.rng.choice([0x7C, 0x7D, 0x7E, 0x83, 0x84, 0x85, 0x86, 0x88]))
        elif r < 0.9:
            self.address()
            o += b"\x29\x03" + uleb(self.rng.randrange(0, 32) * 8)  # i64.load
        else:
            self.i32_expr(depth + 1)
            o.append(0xAD)  # i64.extend_i32_u

    def f64_expr(self, depth=0):
        r = self.rng.random()
        o = self.out
        if depth > 2 or r < 0.4:
            if self.rng.random() < 0.7:
                o += b"\x20" + uleb(self.local(F64))
            else:
                o += b"\x44" + self.rng.getrandbits(52).to_bytes(8, "little")  # f64.const
            return
        if r < 0.85:
            self.f64_expr(depth + 1)
            self.f64_expr(depth + 1)
            o.append(self.rng.choice([0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5]))
        else:
            self.i32_expr(depth + 1)
            o.append(0xB7)  # f64.convert_i32_s

    def address(self):
        # (i32.and (local.get x) (i32.const 0xFF00)): inside the first page.
        self.out += b"\x20" + uleb(self.local(I32)) + b"\x41" + sleb(0xFF00) + b"\x71"

    # ---- statements: leave the stack as they found it
    def statement(self, depth):
        r = self.rng.random()
        o = self.out
        if r < 0.30:
            self.i32_expr()
            o += b"\x21" + uleb(self.local(I32))  # local.set
        elif r < 0.40:
            self.i64_expr()
            o += b"\x21" + uleb(self.local(I64))
        elif r < 0.48:
            self.f64_expr()
            o += b"\x21" + uleb(self.local(F64))
        elif r < 0.58:
            self.address()
            self.i32_expr()
            o += b"\x36\x02" + uleb(self.rng.randrange(0, 64) * 4)  # i32.store
        elif r < 0.62:
            self.address()
            self.i64_expr()
            o += b"\x37\x03" + uleb(self.rng.randrange(0, 32) * 8)  # i64.store
        elif r < 0.70 and depth < 3:
            self.loop(depth)
        elif r < 0.77 and depth < 3:
            self.if_else(depth)
        elif r < 0.87:
            self.call()
        elif r < 0.90:
            self.call_indirect()
        elif r < 0.93 and depth < 3:
            self.br_table(depth)
        else:
            self.i32_expr()
            o += b"\x22" + uleb(self.local(I32)) + b"\x1A"  # local.tee, drop

    def statements(self, depth, n):
        for _ in range(n):
            self.statement(depth)

    def loop(self, depth):
        # block (loop ... (br_if 1 (eqz counter)) (br 0)) with a counter.
        c = self.local(I32)
        o = self.out
        o += b"\x41" + sleb(self.rng.randrange(1, 50)) + b"\x21" + uleb(c)
        o += b"\x02\x40\x03\x40"  # block, loop
        self.statements(depth + 1, self.rng.randrange(2, 6))
        o += b"\x20" + uleb(c) + b"\x41\x01\x6B\x22" + uleb(c)  # c = c - 1 (tee)
        o += b"\x45\x0D\x01"  # i32.eqz, br_if 1
        o += b"\x0C\x00\x0B\x0B"  # br 0, end, end

    def if_else(self, depth):
        self.i32_expr()
        o = self.out
        o += b"\x04\x7F"  # if (result i32)
        self.statements(depth + 1, self.rng.randrange(1, 4))
        self.i32_expr()
        o += b"\x05"
        self.statements(depth + 1, self.rng.randrange(1, 4))
        self.i32_expr()
        o += b"\x0B\x21" + uleb(self.local(I32))  # end, local.set

    def args(self, params):
        for t in params:
            {I32: self.i32_expr, I64: self.i64_expr, F64: self.f64_expr}[t]()

    def drop_results(self, results):
        for t in reversed(results):
            self.out += b"\x21" + uleb(self.local(t))

    def call(self):
        f = self.rng.randrange(self.nfuncs)
        params, results = TYPES[self.funcs_types[f]]
        self.args(params)
        self.out += b"\x10" + uleb(f)
        self.drop_results(results)

    def call_indirect(self):
        t = self.rng.randrange(len(TYPES))
        params, results = TYPES[t]
        self.args(params)
        self.i32_expr()
        self.out += b"\x11" + uleb(t) + b"\x00"
        self.drop_results(results)

    def br_table(self, depth):
        # (block (block (block (br_table 0 1 2 (i32)) ...) ...) ...)
        o = self.out
        o += b"\x02\x40" * 3
        self.i32_expr()
        n = self.rng.randrange(2, 8)
        o += b"\x0E" + uleb(n) + b"".join(uleb(self.rng.randrange(3)) for _ in range(n)) + b"\x02"
        o += b"\x0B"
        self.statements(depth + 1, 1)
        o += b"\x0B"
        self.statements(depth + 1, 1)
        o += b"\x0B"

    def build(self, target):
        while len(self.out) < target:
            self.statement(0)
        for t in self.results:
            {I32: self.i32_expr, I64: self.i64_expr, F64: self.f64_expr}[t]()
        self.out += b"\x0B"
        locals_ = vec([uleb(n) + bytes([t]) for n, t in LOCAL_DECLS])
        return locals_ + bytes(self.out)


def generate(size, seed):
    rng = random.Random(seed)
    # Bodies average about 2.3 KiB; the count is fixed first (calls name
    # any function), then bodies are added until the module is big enough.
    nfuncs = max(1, size // 2400)
    funcs_types = [rng.randrange(len(TYPES)) for _ in range(nfuncs)]
    bodies = []
    total = 0
    for i in range(nfuncs):
        body = Body(rng, funcs_types[i], nfuncs, funcs_types).build(rng.randrange(512, 4096))
        bodies.append(uleb(len(body)) + body)
        total += len(bodies[-1])
    types = vec([b"\x60" + vec([bytes([t]) for t in p]) + vec([bytes([t]) for t in r]) for p, r in TYPES])
    out = bytearray(b"\x00asm\x01\x00\x00\x00")
    out += section(1, types)
    out += section(3, vec([uleb(t) for t in funcs_types]))
    out += section(4, vec([b"\x70\x00" + uleb(nfuncs)]))  # table funcref min nfuncs
    out += section(5, vec([b"\x00\x01"]))  # memory 1
    out += section(7, vec([b"\x03run\x00\x00", b"\x06memory\x02\x00"]))
    # Every function in the table: call_indirect has real targets.
    out += section(9, vec([b"\x00\x41\x00\x0B" + vec([uleb(i) for i in range(nfuncs)])]))
    out += section(10, vec(bodies))
    return bytes(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=10_000_000, help="approximate module size in bytes")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    data = generate(a.size, a.seed)
    with open(a.output, "wb") as f:
        f.write(data)
    print(f"{a.output}: {len(data)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
