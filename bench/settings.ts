// How big a run is: the smoke size only proves the benchmark still works; the full size gives the figures; the
// reduced one is for a busy machine, or several runs in a row.
import type { Shape } from "./database";

const FULL = {
  shape: { projects: 100, charactersPerProject: 2, animationsPerCharacter: 4, framesPerAnimation: 24 } as Shape,
  rounds: 5, scale: 1, sweep: [1, 2, 5, 10, 20], coldStarts: 5, routes: { seconds: 5, rounds: 3 },
  cache: { rounds: 3, operations: 4_000, missRounds: 24, invalidations: 200 },
  tracing: { rounds: 15, seconds: 4, generations: 5, cycles: 6, cycleSeconds: 8, queryOperations: 4_000, queryPairs: 5 },
  runtimes: { rounds: 3, reads: 200, seconds: 3 },
  growth: { frames: [1_000, 100_000, 1_000_000, 10_000_000], rounds: 5, roundMs: 400 },
};

export const SIZES: Record<"smoke" | "reduced" | "full", typeof FULL> = {
  full: FULL,
  reduced: {
    ...FULL, rounds: 3, scale: 0.25, sweep: [1, 10], coldStarts: 3, routes: { seconds: 3, rounds: 3 },
    tracing: { rounds: 6, seconds: 3, generations: 2, cycles: 6, cycleSeconds: 4, queryOperations: 2_000, queryPairs: 3 },
    growth: { frames: [1_000, 100_000, 1_000_000], rounds: 3, roundMs: 200 },
  },
  smoke: {
    shape: { projects: 10, charactersPerProject: 2, animationsPerCharacter: 2, framesPerAnimation: 24 },
    rounds: 1, scale: 0.05, sweep: [], coldStarts: 1, routes: { seconds: 1, rounds: 1 },
    cache: { rounds: 1, operations: 200, missRounds: 6, invalidations: 20 },
    tracing: { rounds: 1, seconds: 1, generations: 1, cycles: 1, cycleSeconds: 1, queryOperations: 100, queryPairs: 1 },
    runtimes: { rounds: 1, reads: 20, seconds: 1 }, growth: { frames: [1_000, 10_000], rounds: 1, roundMs: 20 },
  },
};
