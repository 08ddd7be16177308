// Bundles the worker for `workerd serve runtimes/workerd/config.capnp`: worker.ts and everything it imports into
// dist/worker.js, Prisma's query compiler beside it as the wasm module config.capnp declares.
//   tsx runtimes/workerd/build.ts
import { copyFileSync, mkdirSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { build, type Plugin } from "esbuild";

const here = import.meta.dirname;
export const outdir = path.join(here, "dist");

// workerd loads a .wasm file as a module of its own (config.capnp); the import names it without the `?module`
// that tells a bundler so.
const wasmModules: Plugin = {
  name: "wasm-modules",
  setup(build) {
    build.onResolve({ filter: /\.wasm\?module$/ }, ({ path: specifier, resolveDir }) => {
      const file = path.resolve(resolveDir, specifier.replace(/\?module$/, ""));
      copyFileSync(file, path.join(outdir, path.basename(file)));
      return { path: `./${path.basename(file)}`, external: true };
    });
  },
};

// pg and its dependencies are CommonJS and require() Node's built-ins, which an ES module bundle cannot do at run
// time: each such require becomes an import of the module nodejs_compat provides.
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const nodeBuiltins: Plugin = {
  name: "node-builtins",
  setup(build) {
    build.onResolve({ filter: /^[a-z:_/]+$/ }, ({ path: specifier, kind }) => {
      if (!builtins.has(specifier)) return undefined;
      const name = specifier.startsWith("node:") ? specifier : `node:${specifier}`;
      if (kind === "require-call") return { path: name, namespace: "node-builtin" };
      return { path: name, external: true };
    });
    build.onLoad({ filter: /.*/, namespace: "node-builtin" }, ({ path: name }) => ({
      contents: `import * as all from "${name}"; module.exports = all.default ?? all;`,
      loader: "js",
    }));
  },
};

export async function buildWorker() {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [path.join(here, "worker.ts")],
    outfile: path.join(outdir, "worker.js"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2023",
    // The conditions workerd's own tooling resolves with: pg picks its cloudflare:sockets transport, and
    // package.json's #db/* imports the workerd build of the client.
    conditions: ["workerd", "worker"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*"],
    plugins: [wasmModules, nodeBuiltins],
    logLevel: "warning",
    legalComments: "none",
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildWorker();
