// Interactive transactions across instances: the id handed to the client names the instance that holds the
// transaction's connection (`<instance>.<id>`), so any instance behind the same address knows where to send the
// transaction's next request. And a bound on how many each API key holds open at once.

export function createTransactionIds(instance: string) {
  return {
    external: (id: string) => `${instance}.${id}`,
    /** The instance named in an id, or undefined for an id no instance handed out. */
    owner: (id: string) => {
      const dot = id.indexOf(".");
      return dot > 0 ? id.slice(0, dot) : undefined;
    },
    internal: (id: string) => id.slice(id.indexOf(".") + 1),
  };
}

export class OpenTransactions {
  readonly #counts = new Map<string, number>();
  #total = 0;

  constructor(private readonly maxPerKey: number) {}

  /** Counts one more for `key`, or returns undefined at the limit; the function returned gives it back, once. */
  reserve(key: string): (() => void) | undefined {
    const count = this.#counts.get(key) ?? 0;
    if (count >= this.maxPerKey) return undefined;
    this.#counts.set(key, count + 1);
    this.#total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      this.#counts.set(key, (this.#counts.get(key) ?? 1) - 1);
    };
  }

  total = () => this.#total;
  byKey = () => new Map(this.#counts);
}
