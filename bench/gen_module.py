#!/usr/bin/env python3
# Generates synthetic WebAssembly modules for the start-up figures: a tiny
# one and large ones of a requested size (thousands of functions with
# arithmetic, branches, loops, memory accesses and calls). Every module
# exports a no-op `_start` and a one-page `memory`, and has no imports.
# SPDX-License-Identifier: Apache-2.0
"""Usage: gen_module.py OUT.wasm TARGET_BYTES [SEED]  (TARGET 0 = tiny)"""

import random
import sys

# Opcodes used by the generator (wasm MVP encodings).
OP = dict(unreachable=0x00, nop=0x01, block=0x02, loop=0x03, if_=0x04,
          else_=0x05, end=0x0B, br=0x0C, br_if=0x0D, ret=0x0F, call=0x10,
          drop=0x1A, local_get=0x20, local_set=0x21, local_tee=0x22,
          i32_load=0x28, i32_store=0x36, i32_const=0x41, i32_eqz=0x45,
          i32_lt_u=0x49, i32_ne=0x47)
BINOPS = [0x6A, 0x6B, 0x6C, 0x71, 0x72, 0x73, 0x74, 0x76, 0x77]  # add..rotl
VOID, I32 = 0x40, 0x7F
NPARAMS, NLOCALS = 2, 3


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
    return uleb(len(items)) + b''.join(items)


def section(sid, payload):
    return bytes([sid]) + uleb(len(payload)) + payload


class FuncGen:
    """Emits one function body of type (i32, i32) -> i32."""

    def __init__(self, rng, index):
        self.rng = rng
        self.index = index  # may call functions 1..index-1
        self.nl = NPARAMS + NLOCALS

    def expr(self, depth):
        r = self.rng
        k = r.random()
        if depth <= 0 or k < 0.3:
            if r.random() < 0.5:
                return bytes([OP['local_get']]) + uleb(r.randrange(self.nl))
            return bytes([OP['i32_const']]) + sleb(r.randrange(-5000, 5000))
        if k < 0.75:
            return (self.expr(depth - 1) + self.expr(depth - 1) +
                    bytes([r.choice(BINOPS)]))
        if k < 0.88:
            addr = bytes([OP['i32_const']]) + sleb(r.randrange(0, 16000) * 4)
            return addr + bytes([OP['i32_load'], 2]) + uleb(0)
        if k < 0.95 and self.index > 1:
            callee = r.randrange(1, self.index)
            return (self.expr(depth - 1) + self.expr(depth - 1) +
                    bytes([OP['call']]) + uleb(callee))
        return self.expr(depth - 1) + bytes([OP['i32_eqz']])

    def stmt(self, depth):
        r = self.rng
        k = r.random()
        loc = uleb(r.randrange(self.nl))
        if depth <= 0 or k < 0.5:
            return self.expr(3) + bytes([OP['local_set']]) + loc
        if k < 0.65:
            addr = bytes([OP['i32_const']]) + sleb(r.randrange(0, 16000) * 4)
            return (addr + self.expr(2) + bytes([OP['i32_store'], 2]) +
                    uleb(0))
        if k < 0.85:
            body = b''.join(self.stmt(depth - 1)
                            for _ in range(r.randrange(1, 4)))
            other = b''.join(self.stmt(depth - 1)
                             for _ in range(r.randrange(0, 3)))
            out = self.expr(2) + bytes([OP['if_'], VOID]) + body
            if other:
                out += bytes([OP['else_']]) + other
            return out + bytes([OP['end']])
        # A counted loop: local 4 counts down from a small constant.
        body = b''.join(self.stmt(depth - 1) for _ in range(r.randrange(1, 3)))
        cnt = uleb(NPARAMS + NLOCALS - 1)
        return (bytes([OP['i32_const']]) + sleb(r.randrange(1, 9)) +
                bytes([OP['local_set']]) + cnt +
                bytes([OP['block'], VOID, OP['loop'], VOID]) + body +
                bytes([OP['local_get']]) + cnt +
                bytes([OP['i32_eqz'], OP['br_if']]) + uleb(1) +
                bytes([OP['local_get']]) + cnt + bytes([OP['i32_const']]) +
                sleb(1) + bytes([0x6B, OP['local_set']]) + cnt +
                bytes([OP['br']]) + uleb(0) +
                bytes([OP['end'], OP['end']]))

    def body(self, nstmts):
        code = b''.join(self.stmt(3) for _ in range(nstmts))
        code += self.expr(3) + bytes([OP['end']])
        locals_ = vec([uleb(NLOCALS) + bytes([I32])])
        full = locals_ + code
        return uleb(len(full)) + full


def build(target, seed):
    rng = random.Random(seed)
    types = vec([bytes([0x60]) + vec([]) + vec([]),
                 bytes([0x60]) + vec([bytes([I32])] * NPARAMS) +
                 vec([bytes([I32])])])
    start_body = uleb(2) + bytes([0x00, OP['end']])
    bodies = [start_body]
    size = 0
    if target == 0:
        bodies.append(FuncGen(rng, 1).body(3))
    else:
        while size < target - 200:
            b = FuncGen(rng, len(bodies)).body(rng.randrange(4, 20))
            bodies.append(b)
            size += len(b) + 1
    funcs = vec([uleb(0)] + [uleb(1)] * (len(bodies) - 1))
    memory = vec([bytes([0x00]) + uleb(1)])
    exports = vec([vec([bytes([c]) for c in b'_start']) + bytes([0]) +
                   uleb(0),
                   vec([bytes([c]) for c in b'memory']) + bytes([2]) +
                   uleb(0)])
    code = uleb(len(bodies)) + b''.join(bodies)
    return (b'\0asm' + bytes([1, 0, 0, 0]) + section(1, types) +
            section(3, funcs) + section(5, memory) + section(7, exports) +
            section(10, code))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    target = int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    data = build(target, seed)
    with open(sys.argv[1], 'wb') as f:
        f.write(data)
    print(f'{sys.argv[1]}: {len(data)} bytes')


if __name__ == '__main__':
    main()
