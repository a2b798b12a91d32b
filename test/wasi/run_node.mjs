// Runs one WASI program under node:wasi (preview1) for record.sh.
// usage: node run_node.mjs WASM STDIN OUT ERR PREOPENS_JSON ARGS_JSON ENV_JSON
// Prints the exit code on stdout.
// SPDX-License-Identifier: Apache-2.0
import { readFileSync, openSync, closeSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [wasmPath, stdinPath, outPath, errPath, pre, args, env] =
    process.argv.slice(2);
const fds = [openSync(stdinPath, 'r'), openSync(outPath, 'w'),
             openSync(errPath, 'w')];
const wasi = new WASI({
    version: 'preview1',
    args: JSON.parse(args),
    env: JSON.parse(env),
    preopens: JSON.parse(pre),
    stdin: fds[0], stdout: fds[1], stderr: fds[2],
    returnOnExit: true,
});
const module = await WebAssembly.compile(readFileSync(wasmPath));
const instance = await WebAssembly.instantiate(module,
                                               wasi.getImportObject());
const code = wasi.start(instance);
fds.forEach(closeSync);
console.log(code);
