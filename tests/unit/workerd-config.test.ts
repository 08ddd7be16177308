// The worker reads the env contract from bindings (runtimes/workerd/config.capnp): a variable lib/env.ts declares but
// config.capnp does not bind could never be set on workerd.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const declared = (source: string) => {
  const block = /server: \{([\s\S]*?)\n  \},/.exec(source)?.[1] ?? "";
  return [...block.matchAll(/^ {4}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]).sort();
};
const bound = (config: string) =>
  [...config.matchAll(/\(name = "([A-Z0-9_]+)", fromEnvironment = "([A-Z0-9_]+)"\)/g)].map(([, name, from]) => {
    expect(from, `${name} is bound from another variable`).toBe(name);
    return name;
  }).sort();

describe("runtimes/workerd/config.capnp", () => {
  it("binds every variable of lib/env.ts, from the variable of the same name", () => {
    const variables = declared(readFileSync("lib/env.ts", "utf8"));
    expect(variables).toContain("DATABASE_URL");
    expect(bound(readFileSync("runtimes/workerd/config.capnp", "utf8")), "add (name = \"X\", fromEnvironment = \"X\") to config.capnp").toEqual(variables);
  });
});
