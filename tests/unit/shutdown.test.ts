// The drain's bound and the exit code, with steps that close, fail or never finish.
import { describe, expect, it } from "vitest";
import { drain, exitCode } from "@/lib/shutdown";

const never = () => new Promise<never>(() => {});

describe("drain", () => {
  it("is true when every step closes in time, and logs nothing", async () => {
    const lines: string[] = [];
    expect(await drain([{ name: "a", close: async () => {} }, { name: "b", close: async () => {} }], 1_000, (l) => lines.push(l))).toBe(true);
    expect(lines).toEqual([]);
  });

  it("is false when a step fails, and logs which one and why", async () => {
    const lines: string[] = [];
    const steps = [
      { name: "the pool", close: async () => {} },
      { name: "the bridge", close: () => Promise.reject(new Error("socket in use")) },
    ];
    expect(await drain(steps, 1_000, (l) => lines.push(l))).toBe(false);
    expect(lines).toEqual(["shutdown: closing the bridge failed: socket in use"]);
  });

  it("stops waiting at the bound and logs what was still open", async () => {
    const lines: string[] = [];
    const started = Date.now();
    const steps = [{ name: "the database pool", close: never, describeOpen: () => "1 of 1 connections still in use" }];
    expect(await drain(steps, 200, (l) => lines.push(l))).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(lines).toEqual(["shutdown: closing the database pool was cut short after 200 ms: 1 of 1 connections still in use"]);
  });
});

describe("exitCode", () => {
  it.each([
    [143, "SIGTERM", true, 0],
    [130, "SIGINT", true, 0],
    [undefined, "SIGTERM", true, 0],
    [0, "SIGTERM", true, 0],
    [143, "SIGTERM", false, 1],
    [undefined, "SIGTERM", false, 1],
    [1, "SIGTERM", true, 1],
    [130, "SIGTERM", true, 130],
    [2, "SIGINT", false, 2],
  ] as const)("Next.js asks %s after %s, drained %s: exits %s", (requested, signal, drained, expected) => {
    expect(exitCode(requested, signal, drained)).toBe(expected);
  });
});
