// Traces, metrics and logs of a real `next start`: spans exported over OTLP/HTTP to a receiver in this file,
// /api/metrics scraped by Prometheus itself and read back through its HTTP API, SQL comments seen in
// pg_stat_activity, the server's own log lines.
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../scripts/support/free-port";
import { startNext, type NextServer } from "../scripts/support/next-start";
import { nextInternalSpans } from "@/lib/telemetry/sampler";
import { startOtlpReceiver } from "../scripts/support/otlp-receiver";
import type { TestDatabase } from "../scripts/support/postgres-admin";
import { createTestDatabase } from "./support/db";
import { prometheusMissing, startPrometheus, type Prometheus } from "./support/prometheus";

let db: TestDatabase;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let server: NextServer;
let prometheus: Prometheus | undefined;
let admin: pg.Client;
let scrapedFrom = 0;

/** Spans exported as JSON to the receiver, a batch every 100 ms. */
const tracedTo = ({ url }: { url: string }) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_BSP_SCHEDULE_DELAY: "100" });

beforeAll(async () => {
  db = await createTestDatabase("telemetry");
  receiver = await startOtlpReceiver();
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  server = await startNext({
    ...tracedTo(receiver),
    DATABASE_URL: db.url,
    DB_POOL_MAX: "2",
    DB_POOL_ACQUIRE_TIMEOUT_MS: "1000",
    DB_SLOW_QUERY_MS: "300",
    // The WebSocket bridge, whose sessions /api/metrics exposes (the default, a gateway, has metrics of its own).
    DB_EDGE_TRANSPORT: "websocket",
  });
  scrapedFrom = Date.now() / 1000;
  if (!prometheusMissing) prometheus = await startPrometheus({ url: server.url, path: "/api/metrics" });
});
afterAll(async () => {
  await prometheus?.stop();
  await server?.stop();
  await receiver?.close();
  await admin?.end();
  await db?.drop();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const post = async (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers } });

async function createAnimation(slug: string) {
  const res = await post("/api/projects", {
    slug,
    name: slug,
    characters: [{ name: "hero", animations: [{ name: "walk", frames: [{ index: 0, image: "/0.png", width: 2, height: 2 }] }] }],
  });
  expect(res.status).toBe(201);
  const project = await res.json();
  return { projectId: project.id as string, animationId: project.characters[0].animations[0].id as string };
}

/** The server's JSON log lines (stdout), parsed. */
const logLines = () =>
  server
    .logs()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const sqlTag = (sql: string, key: string) => {
  const value = new RegExp(`${key}='([^']*)'`).exec(sql)?.[1];
  return value === undefined ? undefined : decodeURIComponent(value);
};

describe("a request's trace", () => {
  it("runs route -> prisma operation -> db_query -> pg query and pool connect, with statements and no parameter values", async () => {
    const { projectId } = await createAnimation("traced");
    const path = `/api/projects/${projectId}`;
    const res = await fetch(`${server.url}${path}`, { headers: { "x-request-id": "trace-test-0001" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("trace-test-0001");

    const root = await until("the route span", async () => receiver.spans.find((s) => !s.parentSpanId && s.attributes["url.path"] === path));
    expect(root.name).toBe("GET /api/projects/:id");
    expect(root.attributes).toMatchObject({ "http.request.method": "GET", "http.route": "/api/projects/:id", "http.response.status_code": 200 });
    const inTrace = () => receiver.spans.filter((s) => s.traceId === root.traceId);
    const pgQueries = await until("the pg query spans", async () => {
      const found = inTrace().filter((s) => s.name.startsWith("pg.query"));
      return found.length >= 1 && found;
    });
    const spans = inTrace();
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (span: { parentSpanId?: string }) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);
    const ancestors = (span: { parentSpanId?: string }) => {
      const chain = [];
      for (let p = parentOf(span); p; p = parentOf(p)) chain.push(p);
      return chain;
    };

    // Next.js's own spans are off by default (TRACE_NEXT_SPANS), and no recorded span lost its parent.
    expect(spans.filter((s) => s.scope === "next.js")).toEqual([]);
    for (const span of spans) if (span !== root) expect(parentOf(span), span.name).toBeDefined();

    const operation = spans.find((s) => s.name === "prisma:client:operation");
    expect(operation?.attributes).toMatchObject({ model: "Project", method: "findUnique" });
    expect(ancestors(operation!).at(-1)?.spanId).toBe(root.spanId);

    const dbQueries = spans.filter((s) => s.name === "prisma:client:db_query");
    expect(dbQueries.length).toBeGreaterThanOrEqual(1);
    for (const query of dbQueries) {
      expect(parentOf(query)?.spanId).toBe(operation!.spanId);
      expect(String(query.attributes["db.query.text"])).toMatch(/^SELECT .* FROM "public"\./);
    }
    expect(dbQueries.some((q) => String(q.attributes["db.query.text"]).includes("$1"))).toBe(true);
    // The statement as sent: Prisma's, with the request's SQL comment after it (lib/db/telemetry/sql-comments.ts).
    for (const query of pgQueries) {
      const parent = parentOf(query);
      expect(parent?.name).toBe("prisma:client:db_query");
      const statement = String(query.attributes["db.query.text"]);
      expect(statement.startsWith(`${parent!.attributes["db.query.text"]} /*`)).toBe(true);
      expect(sqlTag(statement, "request_id")).toBe("trace-test-0001");
      expect(sqlTag(statement, "route")).toBe("GET /api/projects/:id");
      expect(sqlTag(statement, "traceparent")).toMatch(new RegExp(`^00-${root.traceId}-[0-9a-f]{16}-01$`));
    }
    const connects = spans.filter((s) => s.name === "pg-pool.connect");
    expect(connects.length).toBeGreaterThanOrEqual(1);
    for (const connect of connects) expect(parentOf(connect)?.name).toBe("prisma:client:db_query");

    // The id is a parameter of every query of this request: only the route span's path may show it.
    const databaseSpans = spans.filter((s) => s !== root);
    expect(databaseSpans.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(databaseSpans)).not.toContain(projectId);
  });
});

describe("a request's span", () => {
  it("continues the caller's trace when it sends a traceparent", async () => {
    const { projectId } = await createAnimation("continued");
    const [traceId, callerSpanId] = ["0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"];
    const res = await fetch(`${server.url}/api/projects/${projectId}`, { headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } });
    expect(res.status).toBe(200);
    const span = await until("the route span", async () => receiver.spans.find((s) => s.traceId === traceId && s.name === "GET /api/projects/:id"));
    expect(span.parentSpanId).toBe(callerSpanId);
  });

  it("is a page's too: its reads are its children, and a 404 is not an error", async () => {
    const { projectId } = await createAnimation("paged");
    expect((await fetch(`${server.url}/projects/paged`)).status).toBe(200);
    const root = await until("the page span", async () => receiver.spans.find((s) => !s.parentSpanId && s.name === "GET /projects/:slug"));
    expect(root.attributes).toMatchObject({ "http.request.method": "GET", "http.route": "/projects/:slug" });
    const operation = await until("the page's read", async () =>
      receiver.spans.find((s) => s.traceId === root.traceId && s.name === "prisma:client:operation"),
    );
    expect(operation.attributes).toMatchObject({ model: "Project" });
    expect(JSON.stringify(receiver.spans.filter((s) => s.traceId === root.traceId))).not.toContain(projectId);

    expect((await fetch(`${server.url}/projects/no-such-project`)).status).toBe(404);
    const missing = await until("the 404 page's span", async () =>
      receiver.spans.find((s) => s.name === "GET /projects/:slug" && s.traceId !== root.traceId),
    );
    expect(missing.attributes["error.type"]).toBeUndefined();
  });
});

describe("with TRACE_NEXT_SPANS=true", () => {
  let traced: NextServer;
  beforeAll(async () => {
    traced = await startNext({ ...tracedTo(receiver), DATABASE_URL: db.url, TRACE_NEXT_SPANS: "true" });
  });
  afterAll(async () => {
    await traced?.stop();
  });

  it("Next.js's route span is the root, without its internal steps", async () => {
    const { projectId } = await createAnimation("next-spans");
    const path = `/api/projects/${projectId}`;
    expect((await fetch(`${traced.url}${path}`)).status).toBe(200);
    const root = await until("Next.js's route span", async () =>
      receiver.spans.find((s) => !s.parentSpanId && s.attributes["http.target"] === path && s.attributes["http.method"] === "GET"),
    );
    expect(root.name).toBe("GET /api/projects/[id]");
    const operation = await until("the read", async () => receiver.spans.find((s) => s.traceId === root.traceId && s.name === "prisma:client:operation"));
    const spans = receiver.spans.filter((s) => s.traceId === root.traceId);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    let top = operation;
    while (top.parentSpanId && byId.has(top.parentSpanId)) top = byId.get(top.parentSpanId)!;
    expect(top.spanId).toBe(root.spanId);
    // lib/telemetry/sampler.ts; nor does the app open a span of its own beside Next.js's.
    expect(spans.filter((s) => nextInternalSpans.has(s.name))).toEqual([]);
    expect(spans.filter((s) => s.name === "GET /api/projects/:id")).toEqual([]);
  });
});

describe("with tracing off", () => {
  it("Next.js takes OpenTelemetry to be off: it reads no trace context from a request", async () => {
    // next.config.ts says why this needs @opentelemetry/api outside the server bundles.
    const probe = join(import.meta.dirname, "support/propagation-probe.mjs");
    const untraced = await startNext({ DATABASE_URL: db.url, NODE_OPTIONS: `--import "${probe}"` });
    try {
      const { projectId } = await createAnimation("tracing-off");
      expect((await fetch(`${untraced.url}/api/projects/${projectId}`)).status).toBe(200);
      expect(untraced.logs()).toContain("propagation probe: loaded");
      expect(untraced.logs()).not.toContain("propagation probe: extract");
    } finally {
      await untraced.stop();
    }
  });
});

describe("a statement in pg_stat_activity", () => {
  it("carries the request's traceparent, route and request id while it waits; the slow-query log names the request", async () => {
    const { animationId } = await createAnimation("held");
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query("begin");
    await holder.query("select 1 from animations where id = $1 for update", [animationId]);
    const append = post(`/api/animations/${animationId}/frames`, { image: "/1.png", width: 2, height: 2 }, { "x-request-id": "held-request-0001" });
    const waiting = await until("the held statement", async () => {
      const { rows } = await admin.query<{ query: string }>(
        "select query from pg_stat_activity where wait_event_type = 'Lock' and query like '%held-request-0001%'",
      );
      return rows[0]?.query;
    });
    // Past DB_SLOW_QUERY_MS, so that the statement is logged as slow.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await holder.query("rollback");
    await holder.end();
    const res = await append;
    expect(res.status).toBe(201);

    expect(waiting).toContain("for update");
    expect(sqlTag(waiting, "route")).toBe("POST /api/animations/:id/frames");
    expect(sqlTag(waiting, "request_id")).toBe("held-request-0001");
    const traceparent = sqlTag(waiting, "traceparent");
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const traceId = traceparent!.split("-")[1];

    const slow = await until("the slow-query log line", async () =>
      logLines().find((line) => line.msg === "slow query" && line.requestId === "held-request-0001"),
    );
    expect(slow).toMatchObject({ route: "POST /api/animations/:id/frames", traceId, level: 40 });
    expect(String(slow.statement)).toContain("for update");
    // The values are user data: the count only, unless TRACE_QUERY_PARAMETERS=true.
    expect(slow.parameterCount).toBe(1);
    expect(slow).not.toHaveProperty("params");
    expect(JSON.stringify(slow)).not.toContain(animationId);
    expect(Number(slow.durationMs)).toBeGreaterThanOrEqual(300);
  });
});

describe("metrics", () => {
  it.skipIf(prometheusMissing)("Prometheus scrapes the pool, queries and errors; under overload acquire waits and pool_exhausted move, then waiting returns to 0", async () => {
    const value = async (promql: string) => {
      const [sample] = await prometheus!.query(promql);
      return sample ? Number(sample.value[1]) : undefined;
    };
    expect(await until("the pool's size in Prometheus", async () => (await value("db_pool_max_connections")) === 2)).toBe(true);
    await until("query durations in Prometheus", async () => (await value('db_query_duration_seconds_count{model="Project",action="findUnique"}')) ?? 0 > 0);
    // The project reads above passed a cacheStrategy: each was a hit, a miss or a bypass.
    expect(await until("cache lookups in Prometheus", async () => ((await value("sum(db_cache_lookups_total)")) ?? 0) > 0)).toBe(true);

    // Both connections wait on a row lock; health checks then find none free within the acquire timeout.
    const { projectId } = await createAnimation("overload");
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query("begin");
    await holder.query("select 1 from projects where id = $1 for update", [projectId]);
    const patches = [1, 2].map(() =>
      fetch(`${server.url}/api/projects/${projectId}`, { method: "PATCH", body: JSON.stringify({ name: "x" }), headers: { "content-type": "application/json" } }),
    );
    await until("both connections waiting on the lock", async () => {
      const { rows } = await admin.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and application_name = 'sprite-store'",
      );
      return rows[0]!.n === 2;
    });
    const health = [1, 2, 3].map(() => fetch(`${server.url}/api/health`));
    const waitingSeen = await until("queries waiting for a connection at /api/metrics", async () => {
      const text = await (await fetch(`${server.url}/api/metrics`)).text();
      const waiting = Number(/^db_pool_waiting_requests (\d+)/m.exec(text)?.[1]);
      return waiting >= 1 && waiting;
    });
    const answers = await Promise.all(health.map(async (res) => (await res).json()));
    expect(answers.map((a) => a.error?.code)).toEqual(["pool_exhausted", "pool_exhausted", "pool_exhausted"]);
    await holder.query("rollback");
    await holder.end();
    expect((await Promise.all(patches)).map((r) => r.status)).toEqual([200, 200]);
    const released = Date.now() / 1000;

    expect(waitingSeen).toBeGreaterThanOrEqual(1);
    await until("pool_exhausted errors in Prometheus", async () => ((await value('sum(http_errors_total{code="pool_exhausted"})')) ?? 0) >= 3);
    await until("failed acquires in Prometheus", async () => ((await value('sum(db_pool_acquire_seconds_count{outcome="failed"})')) ?? 0) >= 3);
    // The acquire timeout is 1 s: the failures fall in the buckets above 0.5 s, whatever the machine's speed.
    expect(await value('sum(db_pool_acquire_seconds_bucket{outcome="failed",le="0.5"})')).toBe(0);
    await until("waiting back to 0, scraped after the release", async () => {
      const [sample] = await prometheus!.query("db_pool_waiting_requests");
      return sample && sample.value[0] > released && Number(sample.value[1]) === 0;
    });
    await until("bridge sessions exposed", async () => (await prometheus!.query("db_edge_bridge_sessions_total")).length === 4);

    if (process.env.TELEMETRY_CHART) {
      const { writeTelemetryChart } = await import("../scripts/support/telemetry-chart");
      await writeTelemetryChart(prometheus!, { start: scrapedFrom, end: Date.now() / 1000 + 2, out: process.env.TELEMETRY_CHART });
    }
  });

  it("are served to a loopback caller whatever a client claims in the peer-address header", async () => {
    const res = await fetch(`${server.url}/api/metrics`, { headers: { "x-sprite-store-peer-address": "203.0.113.9" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    for (const name of ["db_pool_connections", "db_pool_idle_connections", "db_pool_waiting_requests", "db_pool_max_connections", "db_pool_acquire_seconds_bucket", "db_query_duration_seconds_bucket", "db_edge_bridge_sessions"]) {
      expect(text).toMatch(new RegExp(`^${name}[ {]`, "m"));
    }
  });
});

describe("with METRICS_TOKEN set", () => {
  it("a scrape without the token or with a wrong one gets 401, with it 200", async () => {
    const token = "metrics-token-for-the-test-0123456789";
    const guarded = await startNext({ DATABASE_URL: db.url, METRICS_TOKEN: token });
    try {
      const scrape = (authorization?: string) =>
        fetch(`${guarded.url}/api/metrics`, { headers: authorization ? { authorization } : {} }).then(async (r) => ({ status: r.status, body: await r.text() }));
      const refused = [await scrape(), await scrape(`Bearer ${token}x`), await scrape(`Bearer ${token.slice(0, -1)}`), await scrape(token)];
      expect(refused.map((r) => r.status)).toEqual([401, 401, 401, 401]);
      expect(JSON.parse(refused[0]!.body).error.code).toBe("unauthorized");
      const allowed = await scrape(`Bearer ${token}`);
      expect(allowed.status).toBe(200);
      expect(allowed.body).toMatch(/^db_pool_max_connections 10$/m);
      expect(guarded.logs() + refused.map((r) => r.body).join("")).not.toContain(token);
    } finally {
      await guarded.stop();
    }
  });
});

describe("secrets", () => {
  it("appear in no log line and no span, whatever fails", async () => {
    const password = decodeURIComponent(new URL(db.url).password);
    const wrong = "Wr0ng-pa55word-on-purpose";
    const url = new URL(db.url);
    // A role that does not exist, so that a server with trust auth (no password asked) refuses it too.
    url.username = "no_such_role";
    url.password = wrong;
    const unreachable = new URL(db.url);
    unreachable.port = String(await freePort());
    const logs: string[] = [server.logs()];
    for (const broken of [url.toString(), unreachable.toString()]) {
      const failing = await startNext({
        DATABASE_URL: broken,
        DB_POOL_ACQUIRE_TIMEOUT_MS: "1000",
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "100",
      });
      const exported = receiver.bodies.length;
      try {
        for (const path of ["/api/health", "/api/edge/health", "/api/projects"]) {
          const res = await fetch(`${failing.url}${path}`);
          expect(res.status, path).toBeGreaterThanOrEqual(500);
        }
        await until("the failures' spans", async () => receiver.bodies.length > exported);
      } finally {
        await failing.stop();
      }
      logs.push(failing.logs());
    }
    const everything = [...logs, ...receiver.bodies].join("\n");
    expect(everything).toMatch(/"level":50/);
    for (const secret of [password, wrong, db.url, url.toString(), unreachable.toString()]) {
      if (secret) expect(everything).not.toContain(secret);
    }
    // Two more servers start and stop: slow on a busy machine.
  }, 240_000);
});
