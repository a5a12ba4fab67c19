#!/usr/bin/env python3
"""gen_module.py OUT.wasm [--size BYTES] [--seed N] [--largest FRACTION]

Writes a deterministic, valid, code-heavy WebAssembly module for the load
benchmark (docs/performance.md, "Load"): many functions with i32/i64/f64
arithmetic, locals, nested blocks, bounded loops, if/else, direct and indirect
calls to earlier functions, global accesses, and loads and stores, and no data
segment to speak of, so the bytes are almost all code. Functions call only
functions defined before them and every loop runs a few times, but the module
is built to be decoded, validated, compiled and instantiated, not run: the
calls fan out and a call can take exponential time.

With --largest (below 2/3), one function a third of the way in is FRACTION of
the code on its own (the rest as before): a skewed module, as interpreters'
dispatch loops make real ones, for the load on several threads
(docs/design.md, "Loading on several threads").

The same seed, size and fraction give the same bytes (a private xorshift
generator, not Python's random module, whose algorithms may change between
versions).
"""
import argparse
import struct
import sys

I32, I64, F64 = 0x7F, 0x7E, 0x7C

# Function types: params -> i32 result (what most of the code calls).
TYPES = [
    ([I32, I32], [I32]),
    ([I32], [I32]),
    ([I64, I32], [I32]),
    ([F64, I32], [I32]),
]
LOCALS = [(6, I32), (2, I64), (2, F64)]  # declared after the params
LOOP_COUNTERS = 3  # the last i32 locals: one loop counter per nesting depth (1 to 3)


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
        done = (n == 0 and not b & 0x40) or (n == -1 and b & 0x40)
        out.append(b if done else b | 0x80)
        if done:
            return bytes(out)


def vec(items):
    return uleb(len(items)) + b"".join(items)


def section(sid, payload):
    return bytes([sid]) + uleb(len(payload)) + payload


class Rng:
    def __init__(self, seed):
        self.s = (seed * 0x9E3779B97F4A7C15 + 1) & (2**64 - 1) or 1

    def next(self):
        s = self.s
        s ^= (s << 13) & (2**64 - 1)
        s ^= s >> 7
        s ^= (s << 17) & (2**64 - 1)
        self.s = s
        return s

    def below(self, n):
        return self.next() % n


class Func:
    """Emits one function body with correct stack typing by construction."""

    def __init__(self, rng, index, type_index, defined_before):
        self.r = rng
        self.index = index
        self.params = TYPES[type_index][0]
        self.callable = defined_before  # list of (func index, type index)
        self.locals = {I32: [], I64: [], F64: []}
        for i, t in enumerate(self.params):
            self.locals[t].append(i)
        n = len(self.params)
        for count, t in LOCALS:
            for _ in range(count):
                self.locals[t].append(n)
                n += 1
        self.counters = self.locals[I32][-LOOP_COUNTERS:]
        self.vars = self.locals[I32][:-LOOP_COUNTERS]  # what statements may write
        self.code = bytearray()

    def op(self, *bs):
        self.code += bytes(bs)

    def i32(self, depth):
        r = self.r.below(12 if depth > 0 else 3)
        c = self.code
        if r == 0:
            c += b"\x41" + sleb(self.r.below(2001) - 1000)  # i32.const
        elif r in (1, 2):
            c += b"\x20" + uleb(self.vars[self.r.below(len(self.vars))])
        elif r in (3, 4, 5):
            self.i32(depth - 1)
            self.i32(depth - 1)
            # add sub mul and or xor shl shr_u rotl
            self.op([0x6A, 0x6B, 0x6C, 0x71, 0x72, 0x73, 0x74, 0x76, 0x77][self.r.below(9)])
        elif r == 6:
            self.address(depth)
            c += b"\x28\x02" + uleb(self.r.below(16) * 4)  # i32.load align=4
        elif r == 7:
            self.address(depth)
            c += bytes([[0x2C, 0x2D, 0x2E, 0x2F][self.r.below(4)], 0]) + uleb(self.r.below(64))  # narrow loads
        elif r == 8:
            self.i64(depth - 1)
            self.i64(depth - 1)
            self.op([0x51, 0x53, 0x55, 0x58][self.r.below(4)])  # i64.eq lt_s gt_s ge_u
        elif r == 9:
            self.f64(depth - 1)
            self.f64(depth - 1)
            self.op([0x63, 0x64, 0x65][self.r.below(3)])  # f64.lt gt le
        elif r == 10:
            self.call(depth)
        else:
            c += b"\x23" + uleb(self.r.below(2))  # global.get

    def i64(self, depth):
        r = self.r.below(6 if depth > 0 else 2)
        c = self.code
        if r == 0:
            c += b"\x42" + sleb(self.r.below(1 << 40) - (1 << 39))
        elif r == 1:
            c += b"\x20" + uleb(self.locals[I64][self.r.below(len(self.locals[I64]))])
        elif r in (2, 3):
            self.i64(depth - 1)
            self.i64(depth - 1)
            self.op([0x7C, 0x7D, 0x7E, 0x83, 0x85, 0x89][self.r.below(6)])  # add sub mul and xor rotl
        elif r == 4:
            self.i32(depth - 1)
            self.op(0xAC)  # i64.extend_i32_s
        else:
            self.address(depth)
            c += b"\x29\x03" + uleb(self.r.below(8) * 8)  # i64.load

    def f64(self, depth):
        r = self.r.below(5 if depth > 0 else 2)
        c = self.code
        if r == 0:
            c += b"\x44" + struct.pack("<d", self.r.below(1 << 20) / 1024.0)
        elif r == 1:
            c += b"\x20" + uleb(self.locals[F64][self.r.below(len(self.locals[F64]))])
        elif r in (2, 3):
            self.f64(depth - 1)
            self.f64(depth - 1)
            self.op([0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5][self.r.below(6)])  # add sub mul div min max
        else:
            self.i32(depth - 1)
            self.op(0xB7)  # f64.convert_i32_s

    def address(self, depth):
        self.i32(depth - 1)
        self.code += b"\x41" + sleb(0x7FF8) + b"\x71"  # & 0x7ff8: inside the first page

    def call(self, depth):
        if not self.callable:
            self.code += b"\x41" + sleb(self.r.below(100))
            return
        f, t = self.callable[self.r.below(len(self.callable))]
        indirect = t == 0 and self.r.below(3) == 0
        for p in TYPES[t][0]:
            {I32: self.i32, I64: self.i64, F64: self.f64}[p](depth - 1)
        if indirect:  # through the table, which holds every function at its index
            self.code += b"\x41" + sleb(f) + b"\x11" + uleb(t) + b"\x00"
        else:
            self.code += b"\x10" + uleb(f)

    def statement(self, depth):
        r = self.r.below(10 if depth > 0 else 5)
        c = self.code
        if r in (0, 1):
            self.i32(3)
            c += b"\x21" + uleb(self.vars[self.r.below(len(self.vars))])
        elif r == 2:
            self.i64(3)
            c += b"\x21" + uleb(self.locals[I64][self.r.below(len(self.locals[I64]))])
        elif r == 3:
            self.f64(2)
            c += b"\x21" + uleb(self.locals[F64][self.r.below(len(self.locals[F64]))])
        elif r == 4:
            self.address(2)
            self.i32(2)
            c += b"\x36\x02" + uleb(self.r.below(16) * 4)  # i32.store
        elif r == 5:
            self.i32(2)
            c += b"\x24" + uleb(self.r.below(2))  # global.set
        elif r == 6:  # if/else
            self.i32(2)
            c += b"\x04\x40"
            self.block(depth - 1, 1 + self.r.below(3))
            c += b"\x05"
            self.block(depth - 1, 1 + self.r.below(2))
            c += b"\x0B"
        elif r == 7:  # a loop run 1 to 8 times: block { loop { ...; ++k; br_if k < m } }
            k = self.counters[depth - 1]  # inner loops never reset an outer loop's counter
            c += b"\x41\x00\x21" + uleb(k)
            c += b"\x02\x40\x03\x40"
            self.block(depth - 1, 1 + self.r.below(4))
            self.i32(1)
            c += b"\x45\x0D\x01"  # i32.eqz; br_if 1: leave early on zero
            c += b"\x20" + uleb(k) + b"\x41\x01\x6A\x22" + uleb(k)  # local.tee k (k + 1)
            c += b"\x41" + sleb(1 + self.r.below(8)) + b"\x48\x0D\x00"  # i32.lt_s; br_if 0
            c += b"\x0B\x0B"
        elif r == 8:
            self.call(3)
            c += b"\x1A"  # drop
        else:  # block with a conditional exit
            c += b"\x02\x40"
            self.block(depth - 1, 1 + self.r.below(3))
            self.i32(1)
            c += b"\x0D\x00"
            self.block(depth - 1, 1)
            c += b"\x0B"

    def block(self, depth, count):
        for _ in range(count):
            self.statement(depth)

    def body(self, statements, min_bytes=0):
        self.block(3, statements)
        while len(self.code) < min_bytes:
            self.block(3, 16)
        self.i32(4)
        self.code += b"\x0B"
        local_decls = vec([uleb(n) + bytes([t]) for n, t in LOCALS])
        full = local_decls + bytes(self.code)
        return uleb(len(full)) + full


def generate(size, seed, largest=0.0):
    rng = Rng(seed)
    giant_at = size // 3 if largest > 0 else None
    types = vec([b"\x60" + vec([bytes([p]) for p in ps]) + vec([bytes([r]) for r in rs]) for ps, rs in TYPES])
    bodies, func_types, defined = [], [], []
    total = 0
    while total < size:
        t = rng.below(len(TYPES))
        f = Func(rng, len(bodies), t, defined[-64:])
        giant = giant_at is not None and total >= giant_at
        body = f.body(6 + rng.below(10), int(largest * size) if giant else 0)
        if giant:
            giant_at = None
        bodies.append(body)
        func_types.append(t)
        defined.append((len(bodies) - 1, t))
        total += len(body)
    n = len(bodies)
    out = b"\x00asm\x01\x00\x00\x00"
    out += section(1, types)
    out += section(3, vec([uleb(t) for t in func_types]))
    out += section(4, vec([b"\x70\x00" + uleb(n)]))  # table: funcref, n
    out += section(5, vec([b"\x01\x01\x10"]))  # memory: 1 to 16 pages
    out += section(6, vec([b"\x7F\x01\x41\x00\x0B", b"\x7F\x01\x41\x07\x0B"]))  # two mutable i32 globals
    out += section(7, vec([b"\x04main\x00" + uleb(n - 1), b"\x03mem\x02\x00"]))
    out += section(9, vec([b"\x00\x41\x00\x0B" + vec([uleb(i) for i in range(n)])]))  # elements 0..n-1 at 0
    out += section(10, vec(bodies))
    return out, n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=10 * 1024 * 1024, help="code bytes to reach (default 10 MiB)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--largest", type=float, default=0.0, help="one function this fraction of --size (default: none)")
    a = ap.parse_args()
    if not 0 <= a.largest < 2 / 3:  # the function starts at a third of --size
        ap.error("--largest: a fraction from 0 up to 2/3")
    data, n = generate(a.size, a.seed, a.largest)
    with open(a.out, "wb") as f:
        f.write(data)
    print(f"{a.out}: {len(data)} bytes, {n} functions", file=sys.stderr)


if __name__ == "__main__":
    main()
