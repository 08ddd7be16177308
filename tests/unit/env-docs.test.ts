// The env contract is lib/env.ts; the README's table and .env.example must list exactly its variables, with its
// defaults. A variable added to lib/env.ts fails here until both documents have it.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it, vi } from "vitest";

/** The variables lib/env.ts declares: the upper-case keys of the object it hands to createEnv. */
function declaredVariables(): string[] {
  return [...readFileSync("lib/env.ts", "utf8").matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map(([, name]) => name!);
}

const variables = declaredVariables();

/** Each variable's default as lib/env.ts resolves it when the variable is unset. */
async function defaults(): Promise<Record<string, unknown>> {
  vi.resetModules();
  for (const name of variables) vi.stubEnv(name, "");
  vi.stubEnv("DATABASE_URL", "postgresql://app@127.0.0.1:5432/app");
  const { env } = await import("@/lib/env");
  return Object.fromEntries(variables.filter((name) => name !== "DATABASE_URL").map((name) => [name, (env as Record<string, unknown>)[name]]));
}
afterAll(() => vi.unstubAllEnvs());

/** A default as the documents write it; undefined where there is none to write (unset, or an empty list). */
const written = (value: unknown) => (value === undefined || (Array.isArray(value) && value.length === 0) ? undefined : String(value));

describe("the env contract", () => {
  it("is found in lib/env.ts", () => {
    expect(variables).toContain("DATABASE_URL");
    expect(variables.length).toBeGreaterThan(5);
  });

  it("is the README's env table, defaults included", async () => {
    const readme = readFileSync("README.md", "utf8");
    const rows = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \| ([^|]*) \|/gm)].map(([, name, value]) => [name!, value!.trim().replace(/`/g, "")] as const);
    expect(rows.map(([name]) => name).sort()).toEqual([...variables].sort());
    const documented = Object.fromEntries(rows);
    for (const [name, value] of Object.entries(await defaults())) {
      if (written(value) !== undefined) expect({ name, default: documented[name] }).toEqual({ name, default: written(value) });
    }
  });

  it("is .env.example, defaults included", async () => {
    const example = readFileSync(".env.example", "utf8");
    const lines = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=("[^"]*"|\S*)/gm)].map(([, name, value]) => [name!, value!] as const);
    expect(lines.map(([name]) => name).sort()).toEqual([...variables].sort());
    const documented = Object.fromEntries(lines);
    for (const [name, value] of Object.entries(await defaults())) {
      expect({ name, default: documented[name] }).toEqual({ name, default: written(value) ?? "" });
    }
  });
});
