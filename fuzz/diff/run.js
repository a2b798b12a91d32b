// beamr differential fuzzing: runs a module made by `wasm-opt -ttf` in
// node (V8) and prints the transcript diff_run.c prints for beamr (see
// there): calls, logged values, results or trap messages, memory hash.
// Run with --experimental-wasm-type-reflection (argument kinds).
// Usage: node --experimental-wasm-type-reflection run.js MODULE.wasm
// SPDX-License-Identifier: Apache-2.0
'use strict';
const fs = require('fs');

const out = [];
const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1), u64 = new BigUint64Array(f64.buffer);

function show(kind, v) {
  switch (kind) {
    case 'i32': return 'i32:' + (v | 0);
    case 'i64': return 'i64:' + BigInt.asIntN(64, v);
    case 'f32':
      if (Number.isNaN(v)) return 'f32:nan';
      f32[0] = v;
      return 'f32:' + u32[0].toString(16).padStart(8, '0');
    case 'f64':
      if (Number.isNaN(v)) return 'f64:nan';
      f64[0] = v;
      return 'f64:' + u64[0].toString(16).padStart(16, '0');
    default: return 'ref:' + (v === null ? 'null' : 'nonnull');
  }
}

// log-v128 cannot be a JS function (JS has no v128): a small wasm
// module (fuzz/diff/v128_log.wat) splits the vector into i32 lanes.
const V128_LOG = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 12, 2, 96,
  4, 127, 127, 127, 127, 0, 96, 1, 123, 0, 2, 10, 1, 2, 106, 115, 3, 108,
  111, 103, 0, 0, 3, 2, 1, 1, 7, 12, 1, 8, 108, 111, 103, 45, 118, 49, 50,
  56, 0, 1, 10, 26, 1, 24, 0, 32, 0, 253, 27, 0, 32, 0, 253, 27, 1, 32, 0,
  253, 27, 2, 32, 0, 253, 27, 3, 16, 0, 11]);

function imports() {
  const log = (kind) => (v) => { out.push('log ' + show(kind, v)); };
  const v128 = new WebAssembly.Instance(new WebAssembly.Module(V128_LOG), {
    js: { log: (a, b, c, d) => out.push(`log v128:${a},${b},${c},${d}`) },
  });
  return {
    'fuzzing-support': {
      'log-i32': log('i32'), 'log-i64': log('i64'),
      'log-f32': log('f32'), 'log-f64': log('f64'),
      'log-v128': v128.exports['log-v128'],
    },
  };
}

// Traps as V8 words them; the comparison maps them to beamr's kinds.
function trap(e) {
  if (e instanceof RangeError) return 'inconclusive stack';
  if (e instanceof WebAssembly.RuntimeError) return 'trap ' + e.message;
  return 'inconclusive ' + e;
}

function zero(kind) {
  return kind === 'i64' ? 0n : (kind === 'externref' ||
    kind === 'anyfunc' || kind === 'funcref') ? null : 0;
}

function call(fn, print) {
  const t = WebAssembly.Function.type(fn);
  let r;
  try {
    r = fn(...t.parameters.map(zero));
  } catch (e) {
    out.push(trap(e));
    return !out[out.length - 1].startsWith('inconclusive');
  }
  if (print) {
    const vals = t.results.length === 1 ? [r] : (r || []);
    out.push(['result'].concat(t.results.map((k, i) => show(k, vals[i])))
      .join(' '));
  }
  return true;
}

function memoryHash(mem) {
  const b = new Uint8Array(mem.buffer);
  let h = 2166136261;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 16777619) >>> 0;
  out.push(`memory ${b.length} ${h.toString(16).padStart(8, '0')}`);
  // DIFF_DUMP=FILE: the memory's bytes, to find where engines differ
  if (process.env.DIFF_DUMP) fs.writeFileSync(process.env.DIFF_DUMP, b);
}

function main() {
  const mod = new WebAssembly.Module(fs.readFileSync(process.argv[2]));
  let inst;
  try {
    inst = new WebAssembly.Instance(mod, imports());
  } catch (e) {
    out.push(e instanceof WebAssembly.RuntimeError ? trap(e)
      : 'uninstantiable');
    return;
  }
  const ex = inst.exports, reset = ex.hangLimitInitializer;
  for (const d of WebAssembly.Module.exports(mod)) {
    if (d.kind !== 'function' || d.name === 'hangLimitInitializer') continue;
    const t = WebAssembly.Function.type(ex[d.name]);
    if (t.parameters.includes('v128') || t.results.includes('v128')) continue;
    out.push('call ' + d.name);
    if (reset && !call(reset, false)) return;
    if (!call(ex[d.name], true)) return;
  }
  if (ex.memory instanceof WebAssembly.Memory) memoryHash(ex.memory);
}

try {
  main();
} catch (e) {
  out.push('invalid ' + e.message);
}
process.stdout.write(out.join('\n') + '\n');
