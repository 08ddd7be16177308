// The bun version lives in package.json's packageManager; everything else that names one must name the same.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { packageManager: string; devDependencies: Record<string, string> };
const version = /^bun@(\d+\.\d+\.\d+)$/.exec(pkg.packageManager)?.[1];

describe("the bun version", () => {
  it("is pinned in package.json", () => {
    expect(version).toBeDefined();
    expect(pkg.devDependencies.bun).toBe(version);
  });

  it.each(["README.md", "docs/deploying.md", "Dockerfile"])("is the one %s installs", (file) => {
    const named = [...readFileSync(file, "utf8").matchAll(/bun@(\d+\.\d+\.\d+)/g)].map(([, v]) => v);
    expect(named.length).toBeGreaterThan(0);
    expect(new Set(named)).toEqual(new Set([version]));
  });

  it("is read from package.json by CI", () => {
    const text = readFileSync(".ci/run", "utf8");
    expect(text).toContain("packageManager");
    expect(text).not.toMatch(/bun@\d/);
  });
});
