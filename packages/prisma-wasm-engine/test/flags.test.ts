// The bridge run the way the CLI runs it: JSON-RPC over stdio, flags on the command line.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bridge, fixture, run, serverUrl } from "./support";

const dir = mkdtempSync(path.join(tmpdir(), "engine-flags-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One request to a fresh bridge started with `args`; the response's result or error data, and its stderr. */
async function request(args: string[], method: string, params: unknown = null) {
  const input = `${JSON.stringify({ jsonrpc: "2.0", id: 1, method, params })}\n`;
  const datasource = JSON.stringify({ url: serverUrl() });
  const ran = await run(dir, process.execPath, [bridge, "--datasource", datasource, ...args], serverUrl(), input);
  const response = JSON.parse(ran.stdout.split("\n").find((line) => line.includes('"id":1')) ?? "{}");
  return { result: response.result, error: response.error?.data, stderr: ran.stderr };
}

describe.concurrent("flags the wasm engine cannot take", () => {
  it("--enabled-preview-features for a feature the schema does not enable: refused in one line naming it", async () => {
    const { error, stderr } = await request(["--enabled-preview-features", "views,nativeDistinct"], "getDatabaseVersion");
    expect(error?.message).toBe(
      "--enabled-preview-features views,nativeDistinct: the wasm schema engine reads preview features only from the schema's generator block (previewFeatures = [...]); add them there.",
    );
    expect(stderr).toContain("--enabled-preview-features views,nativeDistinct");
  });

  it("--enabled-preview-features the schema already enables: honoured", async () => {
    const schema = path.join(dir, "views.prisma");
    writeFileSync(schema, `generator client {\n  provider        = "prisma-client"\n  previewFeatures = ["views"]\n}\n`);
    const { result, error } = await request(
      ["--datamodels", schema, "--enabled-preview-features", "views"],
      "getDatabaseVersion",
    );
    expect(error).toBeUndefined();
    expect(result).toMatch(/PostgreSQL/);
  });

  it("--extension-types with types in it: refused; an empty list: fine", async () => {
    const refused = await request(["--extension-types", JSON.stringify({ types: [{ prismaName: "Vector" }] })], "getDatabaseVersion");
    expect(refused.error?.message).toMatch(/^--extension-types: the wasm schema engine cannot take extension types/);
    const empty = await request(["--datamodels", fixture("v1.prisma"), "--extension-types", JSON.stringify({ types: [] })], "getDatabaseVersion");
    expect(empty.error).toBeUndefined();
  });
});
