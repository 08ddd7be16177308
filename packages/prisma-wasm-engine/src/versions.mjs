// @ts-check
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** The packages whose internals the bridge relies on, pinned in its package.json. */
const RELIED_ON = ["@prisma/adapter-pg", "@prisma/driver-adapter-utils", "@prisma/schema-engine-wasm"];

/** The version of an installed package, found by walking up from its entry point (not every package exports its package.json). */
function installedVersion(name) {
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    try {
      const { name: found, version } = JSON.parse(readFileSync(manifest, "utf8"));
      if (found === name) return version;
    } catch {
      // not this level
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * One line naming every relied-on package whose installed version is not the one pinned here, or undefined when all
 * match. The bridge patches the adapter's query path and calls the wasm engine's methods directly: another version
 * may work, but is untested.
 */
export function versionMismatch() {
  const { dependencies } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  const differing = RELIED_ON.flatMap((name) => {
    const installed = installedVersion(name);
    return installed === dependencies[name] ? [] : [`${name} ${installed ?? "(missing)"} (expected ${dependencies[name]})`];
  });
  if (differing.length === 0) return undefined;
  return `prisma-wasm-engine: written against other versions than installed: ${differing.join(", ")}`;
}
