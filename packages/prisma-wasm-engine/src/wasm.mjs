// @ts-check
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
const packageDir = path.dirname(gluePath);

/** The git hash of the engine build, read without compiling the wasm so `--version` stays instant. */
export function engineHash() {
  const { version } = require(path.join(packageDir, "package.json"));
  return version.split(".").at(-1);
}

// A Rust panic inside the wasm reports its message here, then traps; the trap alone says only "unreachable".
let panicMessage;
globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message: (message) => void (panicMessage = message) };

export function takePanicMessage() {
  const message = panicMessage;
  panicMessage = undefined;
  return message;
}

/**
 * The package's ESM entry imports its `.wasm` file directly, which Node 20 cannot do; instantiate it by hand and
 * hand the instance to the generated glue.
 */
export async function loadSchemaEngine() {
  const glue = await import(gluePath);
  const bytes = await readFile(path.join(packageDir, "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  /** @type {() => void} */ (instance.exports.__wbindgen_start)();
  return glue.SchemaEngine;
}
