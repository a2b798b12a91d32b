// Runs a WASI command module on node (V8) for the benchmark driver.
// Usage: node node_wasi.mjs prog.wasm [args...]; exits with its status.
// With --startup FILE [N]: prints compile and instantiate times instead.
// SPDX-License-Identifier: Apache-2.0
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { argv, exit, memoryUsage } from 'node:process';

// Imports for a module that may or may not use WASI: WASI functions where
// the module names them, nothing else.
function importsFor(module, wasi) {
    const needsWasi = WebAssembly.Module.imports(module)
        .some((i) => i.module === 'wasi_snapshot_preview1');
    return needsWasi ? { wasi_snapshot_preview1: wasi.wasiImport } : {};
}

// Compile and instantiate times (ms) of a module, best of `reps`, and the
// heap+external memory per idle instance over `count` instances.
async function startup(file, reps, count) {
    const bytes = readFileSync(file);
    let compileMs = Infinity, instMs = Infinity, module;
    for (let i = 0; i < reps; i++) {
        let t = process.hrtime.bigint();
        module = await WebAssembly.compile(bytes);
        compileMs = Math.min(compileMs, Number(process.hrtime.bigint() - t) / 1e6);
        const wasi = new WASI({ version: 'preview1', args: [file] });
        t = process.hrtime.bigint();
        await WebAssembly.instantiate(module, importsFor(module, wasi));
        instMs = Math.min(instMs, Number(process.hrtime.bigint() - t) / 1e6);
    }
    globalThis.gc?.();
    const before = memoryUsage().rss;
    const keep = [];
    for (let i = 0; i < count; i++) {
        const wasi = new WASI({ version: 'preview1', args: [file] });
        keep.push(await WebAssembly.instantiate(module, importsFor(module, wasi)));
    }
    globalThis.gc?.();
    const perInstance = (memoryUsage().rss - before) / count;
    console.log(JSON.stringify({ compile_ms: compileMs, instantiate_ms: instMs,
                                 rss_per_instance: perInstance,
                                 instances: keep.length }));
}

async function run(file, args) {
    const wasi = new WASI({ version: 'preview1', args: [file, ...args],
                            env: {}, returnOnExit: true });
    const module = await WebAssembly.compile(readFileSync(file));
    const instance = await WebAssembly.instantiate(module, importsFor(module, wasi));
    return wasi.start(instance);
}

if (argv[2] === '--startup') {
    await startup(argv[3], Number(argv[4] ?? 5), Number(argv[5] ?? 100));
} else {
    exit(await run(argv[2], argv.slice(3)) ?? 0);
}
