// The edge build, as each edge runtime's condition resolves the package: bundled, it loads no Node.js module.
import { builtinModules } from "node:module";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

describe.each(["edge-light", "workerd", "deno"])("the %s build", (condition) => {
  it("is the cache-free edge entry, and imports no Node.js module", async () => {
    const { metafile } = await build({
      stdin: { contents: 'export { withQueryCache } from "prisma-query-cache";', resolveDir: import.meta.dirname },
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "neutral",
      conditions: [condition],
      mainFields: ["module", "main"],
      // Left unresolved, so that any import of one shows in the metafile.
      external: [...builtins],
      logLevel: "silent",
    });
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((input) => input.endsWith("prisma-query-cache/src/edge.ts"))).toBe(true);
    expect(inputs.filter((input) => /prisma-query-cache\/src\/(start|store|listener|generations|keys)\.ts$/.test(input))).toEqual([]);
    const imported = Object.values(metafile.inputs).flatMap((input) => input.imports.map((entry) => entry.path));
    expect(imported.filter((path) => builtins.has(path))).toEqual([]);
  });
});
