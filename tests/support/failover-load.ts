// Steady mixed load through the app's HTTP API while something breaks underneath it, and the checks that follow: every
// write the app acknowledged is in the database, every answer that was not a success was a 503 JSON with
// Retry-After, and how far behind the acknowledged writes each read was.
import pg from "pg";

export type Seed = { projectId: string; animationId: string; name: string };
type Operation = "create" | "update" | "append" | "read";
const writes = new Set<Operation>(["create", "update", "append"]);

export type Outcome = {
  operation: Operation;
  startedAt: number;
  endedAt: number;
  /** The HTTP status; 0 when no answer came (a refused or reset connection, or none within the hang bound). */
  status: number;
  retryAfter: string | null;
  /** The error body's code, when the answer was a JSON error. */
  errorCode?: string;
  detail?: string;
  /** A read's answer: the project's name. */
  name?: string;
  projectId?: string;
};

export type LoadReport = {
  outcomes: Outcome[];
  /** Acknowledged (201) creates and frame appends, by id. */
  created: string[];
  frames: string[];
  /** Per seeded project, its name when the load began, then every name an update tried, in order. */
  updates: Map<string, UpdateAttempt[]>;
};

type UpdateAttempt = { name: string; acknowledged: boolean; endedAt: number };

/** A request that gets no answer within this long has hung: the app must answer (503 at worst) well before. */
export const HANG_BOUND_MS = 30_000;

/**
 * One worker per seed, each cycling through a create, an update of its own project (so that a project's updates are
 * ordered), a frame append to its own animation and two reads; every other worker through the edge routes (their
 * gateway in the server process). After a failure a worker waits 100 ms, as a client
 * told `Retry-After` would, only sooner, so that the moment writes are served again is seen.
 */
export function startLoad(baseUrl: string, seeds: Seed[]) {
  const report: LoadReport = { outcomes: [], created: [], frames: [], updates: new Map(seeds.map((seed) => [seed.projectId, [{ name: seed.name, acknowledged: true, endedAt: -Infinity }]])) };
  let stopping = false;
  let sequence = 0;
  const run = Math.random().toString(36).slice(2, 8);

  const call = async (operation: Operation, path: string, method: string, body?: unknown) => {
    const startedAt = performance.now();
    const outcome: Outcome = { operation, startedAt, endedAt: startedAt, status: 0, retryAfter: null };
    let json: { id?: string; error?: { code?: string; message?: string } } | undefined;
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: body === undefined ? undefined : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(HANG_BOUND_MS),
      });
      outcome.status = response.status;
      outcome.retryAfter = response.headers.get("retry-after");
      const text = await response.text();
      try {
        json = JSON.parse(text);
      } catch {
        outcome.detail = text.slice(0, 200);
      }
      if (response.status >= 300) {
        outcome.errorCode = json?.error?.code;
        outcome.detail ??= json?.error?.message;
      }
    } catch (error) {
      outcome.detail = (error as Error).message;
    }
    outcome.endedAt = performance.now();
    report.outcomes.push(outcome);
    return { ok: outcome.status >= 200 && outcome.status < 300, json, outcome };
  };

  const worker = async (seed: Seed, index: number) => {
    const updates = report.updates.get(seed.projectId)!;
    const api = index % 2 ? "/api/edge" : "/api";
    for (let round = 0; !stopping; round++) {
      const n = sequence++;
      let ok: boolean;
      switch (round % 5) {
        case 0: {
          const result = await call("create", `${api}/projects`, "POST", { slug: `load-${run}-${index}-${n}`, name: `Load ${n}` });
          if (result.ok && result.json?.id) report.created.push(result.json.id);
          ok = result.ok;
          break;
        }
        case 1: {
          const attempt = { name: `${seed.name} ${n}`, acknowledged: false, endedAt: Infinity };
          updates.push(attempt);
          const result = await call("update", `${api}/projects/${seed.projectId}`, "PATCH", { name: attempt.name });
          attempt.acknowledged = result.ok;
          attempt.endedAt = result.outcome.endedAt;
          ok = result.ok;
          break;
        }
        case 2: {
          const result = await call("append", `${api}/animations/${seed.animationId}/frames`, "POST", { image: `/load/${n}.png`, width: 8, height: 8 });
          if (result.ok && result.json?.id) report.frames.push(result.json.id);
          ok = result.ok;
          break;
        }
        default: {
          const result = await call("read", `${api}/projects/${seed.projectId}`, "GET");
          Object.assign(result.outcome, { projectId: seed.projectId, name: (result.json as { name?: string } | undefined)?.name });
          ok = result.ok;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, ok ? 10 : 100));
    }
  };

  const running = Promise.all(seeds.map(worker));
  return {
    report,
    /** Resolves once a write that started at or after `since` has been acknowledged (undefined past `timeoutMs`). */
    writeServedSince: (since: number, timeoutMs: number) =>
      until(() => report.outcomes.find((o) => writes.has(o.operation) && o.startedAt >= since && succeeded(o)), timeoutMs),
    /** Resolves once every kind of write that started at or after `since` has been acknowledged: whether it was. */
    everyWriteServedSince: async (since: number, timeoutMs: number) =>
      !!(await until(() => [...writes].every((operation) => report.outcomes.some((o) => o.operation === operation && o.startedAt >= since && succeeded(o))) || undefined, timeoutMs)),
    stop: async () => {
      stopping = true;
      await running;
      return report;
    },
  };
}

const succeeded = (o: Outcome) => o.status >= 200 && o.status < 300;

async function until<T>(found: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = found();
    if (value !== undefined || performance.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Answers that were neither a success nor a 503 JSON error with Retry-After (a 404 of a seeded project included). */
export const unexpectedAnswers = (report: LoadReport) =>
  report.outcomes.filter((o) => !(o.status >= 200 && o.status < 300) && !(o.status === 503 && o.retryAfter && o.errorCode));

export const unavailableCount = (report: LoadReport) => report.outcomes.filter((o) => o.status === 503).length;

/**
 * How much older than what the app had acknowledged each read's answer was: for a read of a seeded project, how long
 * before the read began an acknowledged update had replaced the name it answered (0 when none had). A name no update
 * tried is reported as such.
 */
export function staleReads(report: LoadReport) {
  const stale: { staleMs: number; name: string; startedAt: number }[] = [];
  for (const read of report.outcomes) {
    if (read.operation !== "read" || read.status !== 200) continue;
    const attempts = report.updates.get(read.projectId!)!;
    const answered = attempts.findIndex((attempt) => attempt.name === read.name);
    if (answered < 0) {
      const before = attempts.filter((attempt) => attempt.endedAt <= read.startedAt).map((a) => `${a.name} ${a.acknowledged ? "acknowledged" : "failed"} at ${Math.round(a.endedAt)}`);
      stale.push({ staleMs: Infinity, name: `${read.name} (never written; before the read: ${before.slice(-3).join(", ")})`, startedAt: read.startedAt });
      continue;
    }
    const replaced = attempts.slice(answered + 1).find((attempt) => attempt.acknowledged && attempt.endedAt <= read.startedAt);
    if (replaced) stale.push({ staleMs: Math.round(read.startedAt - replaced.endedAt), name: read.name!, startedAt: Math.round(read.startedAt) });
  }
  return stale;
}

/** What the database lacks of what the app acknowledged: ids of creates and appends, and updates overwritten by none. */
export async function lostWrites(databaseUrl: string, report: LoadReport) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const present = async (table: string, ids: string[]) =>
      new Set((await client.query<{ id: string }>(`select id::text from ${table} where id = any($1::uuid[])`, [ids])).rows.map((row) => row.id));
    const projects = await present("projects", report.created);
    const frames = await present("frames", report.frames);
    const lostUpdates: string[] = [];
    for (const [projectId, attempts] of report.updates) {
      const last = attempts.findLastIndex((attempt) => attempt.acknowledged);
      if (last < 0) continue;
      // The last acknowledged name, or one a later update may have written before its answer was lost.
      const allowed = new Set(attempts.slice(last).map((attempt) => attempt.name));
      const { rows } = await client.query<{ name: string }>("select name from projects where id = $1", [projectId]);
      if (!allowed.has(rows[0]?.name ?? "")) lostUpdates.push(`${projectId}: ${rows[0]?.name} (acknowledged: ${attempts[last]!.name})`);
    }
    return {
      creates: report.created.filter((id) => !projects.has(id)),
      frames: report.frames.filter((id) => !frames.has(id)),
      updates: lostUpdates,
    };
  } finally {
    await client.end();
  }
}
