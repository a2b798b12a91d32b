// beamr GC benchmark: runs one export of a wasm module on node (V8) and
// prints its result and the call's wall time in ms (after instantiation).
//   node --experimental-wasm-gc bench/gc/node_gc.mjs gc.wasm alloc 100
// SPDX-License-Identifier: Apache-2.0
import fs from 'fs';

const [file, name, arg] = process.argv.slice(2);
const { instance } = await WebAssembly.instantiate(fs.readFileSync(file), {});
const t0 = process.hrtime.bigint();
const result = instance.exports[name](Number(arg));
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(`${result >>> 0} ${ms.toFixed(3)}`);
