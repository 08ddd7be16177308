// A counter per tag, bumped by every invalidation. A cached read's key holds the counters of its tags as they
// were before it queried, so a result read before a commit lands under a key no read looks up after that
// commit's invalidation: a late store can never bring old data back, whatever the timing.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

export const everyTag = "*";

export interface Generations {
  /** The counters of `tags` (and of `everyTag`) as one string for a key. */
  token(tags: string[]): string;
  bump(tags: string[]): Promise<void>;
  /** False while counters may have been missed (the shared store unreachable): the cache is not to be used. */
  ready(): boolean;
  close(): void;
}

/** One process, counters in memory. */
export function memoryGenerations(): Generations {
  const counters = new Map<string, number>();
  return {
    token: (tags) => tokenOf("m", counters, tags),
    bump: async (tags) => {
      for (const tag of tags) counters.set(tag, (counters.get(tag) ?? 0) + 1);
    },
    ready: () => true,
    close: () => {},
  };
}

function tokenOf(epoch: string, counters: Map<string, number>, tags: string[]) {
  let token = `${epoch}.${counters.get(everyTag) ?? 0}`;
  for (const tag of tags) token += `.${counters.get(tag) ?? 0}`;
  return token;
}

const keys = { counters: "cache:generations", epoch: "cache:epoch", channel: "cache:generations" };

// Bumps the counters and tells every process in one step, so no process sees one without the other. A Redis that
// lost its data starts a new epoch, and the epoch is part of every key.
const bumpScript = `
local epoch = redis.call('GET', KEYS[2])
if not epoch then epoch = ARGV[1]; redis.call('SET', KEYS[2], epoch) end
local counters = {}
for i = 2, #ARGV do counters[ARGV[i]] = redis.call('HINCRBY', KEYS[1], ARGV[i], 1) end
local message = cjson.encode({ epoch = epoch, counters = counters })
redis.call('PUBLISH', KEYS[3], message)
return message`;

type Message = { epoch: string; counters: Record<string, number> };

/**
 * Counters shared by every process through Redis. Each process keeps a copy, updated by the bumps it makes and
 * the ones it hears of, so reading a token costs no round trip. Whenever the subscription (re)connects, the copy
 * is reloaded and, after an outage, everything is invalidated: bumps made meanwhile may never have been heard.
 */
export function redisGenerations(commands: Redis, subscriber: Redis, onReady?: () => void): Generations {
  let epoch = "";
  let counters = new Map<string, number>();
  let synced = false;
  let everSynced = false;

  const apply = (message: Message) => {
    if (message.epoch !== epoch) {
      synced = false;
      void sync();
      return;
    }
    for (const [tag, value] of Object.entries(message.counters)) counters.set(tag, Math.max(counters.get(tag) ?? 0, value));
  };

  const bump = async (tags: string[]) => {
    const message = (await commands.eval(bumpScript, 3, keys.counters, keys.epoch, keys.channel, randomUUID(), ...tags)) as string;
    apply(JSON.parse(message) as Message);
  };

  let syncing: Promise<void> | undefined;
  const sync = () =>
    (syncing ??= (async () => {
      try {
        // Subscribed before reading, so no bump falls between the two.
        await subscriber.subscribe(keys.channel);
        await commands.set(keys.epoch, randomUUID(), "NX");
        const [[, current], [, stored]] = (await commands.multi().get(keys.epoch).hgetall(keys.counters).exec()) as [
          [unknown, string],
          [unknown, Record<string, string>],
        ];
        if (current !== epoch) counters = new Map();
        epoch = current;
        for (const [tag, value] of Object.entries(stored)) counters.set(tag, Math.max(counters.get(tag) ?? 0, Number(value)));
        if (everSynced) await bump([everyTag]);
        synced = everSynced = true;
        onReady?.();
      } catch {
        // The retry timer tries again.
      } finally {
        syncing = undefined;
      }
    })());

  subscriber.on("message", (_channel: string, text: string) => {
    try {
      apply(JSON.parse(text) as Message);
    } catch {
      synced = false;
    }
  });
  subscriber.on("ready", () => void sync());
  const down = () => (synced = false);
  subscriber.on("close", down);
  commands.on("close", down);
  commands.on("ready", () => {
    if (subscriber.status === "ready") void sync();
  });
  const retry = setInterval(() => {
    if (!synced && commands.status === "ready" && subscriber.status === "ready") void sync();
  }, 1_000).unref();
  void sync();

  return {
    token: (tags) => tokenOf(epoch, counters, tags),
    bump: async (tags) => {
      try {
        await bump(tags);
      } catch (error) {
        // Another process may now miss this bump: nothing is trusted until the next sync invalidates everything.
        synced = false;
        throw error;
      }
    },
    ready: () => synced && commands.status === "ready" && subscriber.status === "ready",
    close: () => {
      clearInterval(retry);
      subscriber.disconnect();
      commands.disconnect();
    },
  };
}
