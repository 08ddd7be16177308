// The soak's arithmetic (scripts/support/soak.ts): slopes in MiB per 10 minutes, and growth that a heap's sawtooth does not fake.
import { expect, it } from "vitest";
import { growthAfterWarmUp, leastSquares, slopeOf, type SoakResult } from "../../scripts/support/soak";

it("gives a line's slope in MiB per 10 minutes, and the same in every window", () => {
  const line = Array.from({ length: 30 }, (_, k) => [k * 10, 100 + k * 10 / 60] as [number, number]);
  expect(leastSquares(line)).toBeCloseTo(10, 6);
  expect(slopeOf(line)).toEqual({ mibPer10Min: 10, windows: { median: 10, min: 10, max: 10 } });
  expect(leastSquares([[0, 1]])).toBeNaN();
});

const soak = (heap: (k: number) => number, rss: (k: number) => number): SoakResult =>
  ({
    options: { warmUpMinutes: 1 },
    samples: Array.from({ length: 24 }, (_, k) => ({ atS: k * 5, processes: { app: { rssMiB: rss(k), heapUsedMiB: heap(k), sockets: 10 } }, backends: {} })),
  }) as unknown as SoakResult;

it("measures a heap by its floor after collections, so garbage coming and going is no growth", () => {
  const sawtooth = (k: number) => 80 + (k % 4) * 15;
  expect(growthAfterWarmUp(soak(sawtooth, () => 300), "app", "heapUsedMiB")).toBe(0);
  expect(growthAfterWarmUp(soak(sawtooth, () => 300), "app", "rssMiB")).toBe(0);
  // One MiB a sample kept for good: the floor rises by the 8 samples between the first and last thirds.
  expect(growthAfterWarmUp(soak((k) => sawtooth(k) + k, (k) => 300 + k), "app", "heapUsedMiB")).toBe(8);
  expect(growthAfterWarmUp(soak((k) => sawtooth(k) + k, (k) => 300 + k), "app", "rssMiB")).toBe(8);
});
