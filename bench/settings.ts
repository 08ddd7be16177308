// How big a run is: the smoke size only proves the benchmark still works; the full size gives the figures.
import type { Shape } from "./database";

export const SMOKE = {
  shape: { projects: 10, charactersPerProject: 2, animationsPerCharacter: 2, framesPerAnimation: 24 } satisfies Shape,
  rounds: 1,
  scale: 0.05,
  sweep: [] as number[],
  routes: { seconds: 1, rounds: 1 },
  coldStarts: 1,
  growth: { sizes: [1_000], rounds: 1, scale: 0.05 },
};

export const FULL: typeof SMOKE = {
  shape: { projects: 100, charactersPerProject: 2, animationsPerCharacter: 4, framesPerAnimation: 24 },
  rounds: 5,
  scale: 1,
  sweep: [1, 2, 5, 10, 20],
  routes: { seconds: 5, rounds: 3 },
  coldStarts: 5,
  growth: { sizes: [1_000, 10_000, 100_000], rounds: 3, scale: 1 },
};

/** A quarter of the operations, fewer rounds and concurrencies: for a busy machine, or several runs in a row. */
export const REDUCED: typeof SMOKE = {
  ...FULL,
  rounds: 3,
  scale: 0.25,
  sweep: [1, 10],
  routes: { seconds: 3, rounds: 3 },
  coldStarts: 3,
  growth: { sizes: [1_000, 10_000, 100_000], rounds: 3, scale: 0.25 },
};
