// A seeded generator: the same seed gives the same data set and the same query arguments on every run.
export type Random = { next: () => number; int: (below: number) => number; uuid: () => string };

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  // mulberry32: tiny, fast, and good enough to spread ids and sizes.
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number) => Math.floor(next() * below);
  const uuid = () => {
    const bytes = Array.from({ length: 16 }, () => int(256));
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  return { next, int, uuid };
}

/** The k-th pick from a list, spread evenly and the same for every stack. */
export const pick = <T>(list: readonly T[], k: number): T => list[(Math.imul(k + 1, 2654435761) >>> 0) % list.length]!;
