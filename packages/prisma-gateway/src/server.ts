// The gateway's HTTP server: the routes Prisma Client's `accelerateUrl` speaks (/connection-info, /query,
// /transaction/start, /transaction/:id/query|commit|rollback), each behind an API key and the limits, plus /health
// and /metrics.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import type { QueryPlanNode } from "@prisma/client-engine-runtime";
import { z } from "zod";
import type { GatewayCache, GatewayCacheStats } from "./cache";
import { GatewayError, redact, toAnswer, type Answer } from "./errors";
import { createExecutor, type TransactionOptions } from "./executor";
import { authenticate, type ApiKey } from "./keys";
import { createMetrics } from "./metrics";
import { createPeers, forwardedHeader } from "./peers";
import { planTables, type PlanTables } from "./plan-tables";
import { createPool, type PoolStats } from "./pool";
import type { GatewaySettings } from "./settings";
import { cascadesSql, planDigest, startSharedCache } from "./shared-cache";
import { createTracing } from "./tracing";
import { createTransactionIds, OpenTransactions } from "./transactions";

export type GatewayLog = (level: "error" | "warn" | "info" | "debug", message: string) => void;

export type GatewayOptions = {
  log?: GatewayLog;
  /** Prisma's spans and a server span per request, to the process's OpenTelemetry tracer provider. */
  tracing?: boolean;
  /** The cache to use instead of the one `settings.cache` describes (cache.ts); null: none. */
  cache?: GatewayCache | null;
};

export type Gateway = {
  /** `http(s)://host:port`, where the gateway listens. */
  url: string;
  port: number;
  /** The `accelerateUrl` for Prisma Client with `key`. */
  accelerateUrl: (key: string) => string;
  stats: () => { pool: PoolStats; openTransactions: number; inFlight: number; draining: boolean; cache: GatewayCacheStats | null };
  /**
   * Refuses new transactions and fails /health, lets requests in flight and open transactions finish within
   * `timeoutMs`, then stops listening, rolls back what is left and closes the pool. True when nothing was cut short.
   */
  close: (timeoutMs?: number) => Promise<boolean>;
};

const queryBody = z.object({
  model: z.string().optional(),
  operation: z.string().optional(),
  plan: z.record(z.string(), z.unknown()),
  params: z.record(z.string(), z.unknown()),
  comments: z.record(z.string(), z.string()).optional(),
});
type QueryBody = z.infer<typeof queryBody>;
const transactionBody = z.object({
  timeout: z.number().int().positive().optional(),
  maxWait: z.number().int().positive().optional(),
  isolationLevel: z.enum(["READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SNAPSHOT", "SERIALIZABLE"]).optional(),
  newTxId: z.string().optional(),
});

const invalidateBody = z.object({ tags: z.union([z.array(z.string()), z.literal("all")]) });

const transactionPath = /^\/transaction\/([^/]+)\/(query|commit|rollback)$/;

/** Where a request goes when another instance holds its transaction. */
type Forward = { forwardTo: string; body: Buffer | undefined };

export async function startGateway(settings: GatewaySettings, { log = () => {}, tracing = false, cache: given }: GatewayOptions = {}): Promise<Gateway> {
  const { pool, stats: poolStats } = createPool(settings, (error) => log("warn", `database: idle connection closed: ${redact(error.message)}`));
  const loadCascades = async () => (await pool.query<{ child: string; parent: string }>(cascadesSql)).rows;
  const cache = given === undefined ? (settings.cache ? startSharedCache(settings.cache, log, loadCascades) : undefined) : (given ?? undefined);
  const trace = createTracing(tracing);
  const slow = settings.slowQueryMs;
  const executor = await createExecutor({
    pool,
    tracingHelper: trace.helper,
    limits: settings.limits,
    // Parameter values stay out of the log: they may be personal data or secrets.
    onQuery: slow > 0 ? ({ duration, query }) => duration >= slow && log("warn", `slow query (${Math.round(duration)} ms): ${redact(query)}`) : undefined,
  });
  const ids = createTransactionIds(settings.instance);
  const open = new OpenTransactions(settings.limits.maxTransactionsPerKey);
  const peers = createPeers(settings.instance, settings.peers);
  const metrics = createMetrics({ pool: poolStats, openTransactions: () => open.byKey(), cache: cache && (() => cache.stats()) });
  const { maxBodyBytes, maxResponseBytes, maxTransactionsPerKey } = settings.limits;
  // The tables of the plans in recent bodies without comments, by the bodies' SHA-256; the oldest make room.
  const seenBodies = new Map<string, PlanTables>();
  const remember = (digest: string, tables: PlanTables) => {
    if (seenBodies.size >= 1_000) seenBodies.delete(seenBodies.keys().next().value!);
    seenBodies.set(digest, tables);
  };
  // What each open transaction wrote, for the cache once it commits.
  const writtenIn = new Map<string, Set<string>>();
  let draining = false;
  let inFlight = 0;

  const serialize = (data: unknown) => {
    const json = JSON.stringify({ data });
    // The rows are in memory already; the limit keeps them from the wire and the caller's memory.
    if (json.length > maxResponseBytes / 3 && Buffer.byteLength(json) > maxResponseBytes) {
      throw new GatewayError(422, "P6009", `The query's response is over ${maxResponseBytes} bytes (GATEWAY_MAX_RESPONSE_BYTES).`);
    }
    return json;
  };

  async function route(request: IncomingMessage, path: string): Promise<Answer | Forward> {
    if (request.method === "GET" && path === "/health") {
      return { status: draining ? 503 : 200, body: { status: draining ? "draining" : "ok", instance: settings.instance } };
    }
    if (request.method === "GET" && path === "/metrics") {
      if (!metricsAllowed(request, settings.metricsToken)) throw new GatewayError(401, "P6002", "/metrics wants GATEWAY_METRICS_TOKEN as a Bearer token.");
      return { status: 200, text: await metrics.scrape() };
    }
    const key = authenticate(settings.apiKeys, request.headers.authorization);
    if (!key) {
      metrics.refused.inc({ reason: "api_key" });
      throw new GatewayError(401, "P6002", request.headers.authorization ? "The API key is not valid." : "An API key is required: Authorization: Bearer <key>.");
    }
    if (request.method === "GET" && path === "/connection-info") return ok(executor.connectionInfo());
    if (request.method !== "POST") throw new GatewayError(404, "P6000", "No such route.");

    if (path === "/query") {
      const raw = await readBody(request, maxBodyBytes);
      let parsed: QueryBody | undefined;
      const body = () => (parsed ??= queryBody.parse(parseJson(raw)));
      const run = async () => serialize(await executor.query(body().plan as unknown as QueryPlanNode, body().params, body().comments, null));
      if (!cache) return { status: 200, json: await run(), headers: { "accelerate-cache-status": "none" } };
      // A body seen before is the same plan with the same values: its tables are known, and a hit needs no parsing.
      const bodyDigest = createHash("sha256").update(raw).digest("base64url");
      let tables = seenBodies.get(bodyDigest);
      if (!tables) {
        tables = planTables(body().plan);
        // A body with comments (a trace context, a route) may differ on every request: not worth remembering.
        if (!body().comments) remember(bodyDigest, tables);
      }
      if (tables.written.size === 0) {
        const digest = parsed?.comments ? `plan:${planDigest(parsed.plan, parsed.params)}` : `body:${bodyDigest}`;
        const { json, headers } = await cache.read({ key: key.name, headers: request.headers, digest, tables: tables.read, raw: tables.raw }, run);
        return { status: 200, json, headers };
      }
      try {
        return okJson(await run());
      } finally {
        // A write that failed may still have committed (the connection lost after COMMIT): invalidated either way.
        await cache.written(tables.written);
      }
    }

    if (path === "/invalidate") {
      const { tags } = invalidateBody.parse(parseJson(await readBody(request, maxBodyBytes)));
      await cache?.invalidate(tags);
      return ok({});
    }

    if (path === "/transaction/start") {
      const raw = await readBody(request, maxBodyBytes);
      const options = transactionBody.parse(parseJson(raw));
      // A nested transaction is a savepoint in its parent, which lives where the parent does.
      if (options.newTxId) {
        const owner = ids.owner(options.newTxId);
        if (owner !== settings.instance) return forwardTo(owner, request, raw);
        const { id } = await executor.startTransaction({ ...options, newTxId: ids.internal(options.newTxId) }, () => {});
        return ok({ id: ids.external(id) });
      }
      if (draining) throw new GatewayError(503, "P1001", "This gateway instance is shutting down. Try again shortly.", true);
      return ok(await startTransaction(key, options));
    }

    const match = transactionPath.exec(path);
    if (!match) throw new GatewayError(404, "P6000", "No such route.");
    const [, externalId, action] = match as unknown as [string, string, "query" | "commit" | "rollback"];
    const owner = ids.owner(externalId);
    const raw = action === "query" ? await readBody(request, maxBodyBytes) : undefined;
    if (owner !== settings.instance) return forwardTo(owner, request, raw);
    const id = ids.internal(externalId);
    if (action === "query") {
      const body = queryBody.parse(parseJson(raw!));
      const json = serialize(await executor.query(body.plan as unknown as QueryPlanNode, body.params, body.comments, id));
      if (cache) {
        const { written } = planTables(body.plan);
        if (written.size && !writtenIn.has(id)) writtenIn.set(id, new Set());
        for (const table of written) writtenIn.get(id)!.add(table);
      }
      return okJson(json);
    }
    const written = writtenIn.get(id);
    writtenIn.delete(id);
    if (action === "commit") {
      try {
        await executor.commit(id);
      } finally {
        if (cache && written?.size) await cache.written(written);
      }
    } else {
      await executor.rollback(id);
    }
    return ok({});
  }

  async function startTransaction(key: ApiKey, options: TransactionOptions) {
    const release = open.reserve(key.name);
    if (!release) {
      metrics.refused.inc({ reason: "transactions_per_key" });
      throw new GatewayError(
        429,
        "P2024",
        `This API key has ${maxTransactionsPerKey} interactive transactions open, the most GATEWAY_MAX_TRANSACTIONS_PER_KEY allows. Try again shortly.`,
        true,
      );
    }
    try {
      const { id } = await executor.startTransaction(options, release);
      return { id: ids.external(id) };
    } catch (error) {
      release();
      throw error;
    }
  }

  function forwardTo(owner: string | undefined, request: IncomingMessage, body: Buffer | undefined): Forward {
    // One hop at most, and only to a configured peer: an id naming anything else is an unknown transaction.
    if (!owner || request.headers[forwardedHeader] !== undefined || !peers.has(owner)) {
      throw new GatewayError(
        409,
        "P2028",
        "Transaction API error: Transaction not found. Transaction ID is invalid, refers to an old closed transaction Prisma doesn't have information about anymore, or was obtained before disconnecting.",
      );
    }
    return { forwardTo: owner, body };
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const started = performance.now();
    inFlight++;
    const path = (request.url ?? "/").split("?", 1)[0]!;
    const label = !path.startsWith("/transaction/") || path === "/transaction/start" ? path : `/transaction/:id/${path.slice(path.lastIndexOf("/") + 1)}`;
    let status = 500;
    try {
      await trace.inSpan(`${request.method} ${label}`, request.headers, async (span) => {
        let answer: Answer;
        try {
          const routed = await route(request, path);
          if ("forwardTo" in routed) {
            const peer = routed.forwardTo;
            status = await peers.forward(peer, request, routed.body, response, (outcome) => metrics.forwarded.inc({ peer, outcome }));
            return;
          }
          answer = routed;
        } catch (error) {
          answer =
            error instanceof z.ZodError
              ? { status: 400, body: { code: "P6005", error: `Invalid request body: ${error.issues[0]?.path.join(".") || "(root)"}: ${error.issues[0]?.message}` } }
              : toAnswer(error);
          if (answer.status === 500) log("error", `${request.method} ${label} -> 500: ${describe(error)}`);
        }
        status = answer.status;
        span?.setAttribute("http.response.status_code", status);
        send(response, answer);
      });
    } catch (error) {
      log("error", `${request.method} ${label}: ${describe(error)}`);
      if (!response.headersSent) send(response, toAnswer(error));
      else response.destroy();
    } finally {
      inFlight--;
      const observe = () => metrics.requests.observe({ route: label, status: String(status) }, (performance.now() - started) / 1000);
      if (response.writableFinished) observe();
      else response.once("close", observe);
    }
  }

  const server: Server = settings.tls
    ? createHttpsServer({ cert: readFileSync(settings.tls.certFile), key: readFileSync(settings.tls.keyFile) }, (req, res) => void handle(req, res))
    : createHttpServer((req, res) => void handle(req, res));
  // A slow or idle client holds little: headers within 10 s, a whole request within the longest a query may wait.
  server.requestTimeout = settings.limits.maxTransactionTimeoutMs + settings.limits.maxTransactionWaitMs + 5_000;
  server.headersTimeout = Math.min(10_000, server.requestTimeout);
  // Longer than a proxy's idle timeout in front (haproxy's and nginx's are a minute or less), so the gateway never
  // closes a kept-alive connection just as the proxy sends on it.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(":") && !settings.host.startsWith("[") ? `[${settings.host}]` : settings.host;

  let closing: Promise<boolean> | undefined;
  return {
    url: `${settings.tls ? "https" : "http"}://${host}:${port}`,
    port,
    accelerateUrl: (key) => `prisma+postgres://${host}:${port}/?api_key=${encodeURIComponent(key)}`,
    stats: () => ({ pool: poolStats(), openTransactions: open.total(), inFlight, draining, cache: cache?.stats() ?? null }),
    close: (timeoutMs = settings.shutdownTimeoutMs) =>
      (closing ??= (async () => {
        // /health answers 503 from now on, so a load balancer stops sending; new transactions are refused. Still
        // listening: open transactions finish, and their next requests may come on new connections.
        draining = true;
        const deadline = Date.now() + timeoutMs;
        while ((open.total() > 0 || inFlight > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        const finished = open.total() === 0 && inFlight === 0;
        if (!finished) log("warn", `shutdown: ${open.total()} transactions and ${inFlight} requests cut short after ${timeoutMs} ms`);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await executor.close().catch((error: unknown) => log("warn", `shutdown: ${describe(error)}`));
        await pool.end();
        await cache?.close().catch((error: unknown) => log("warn", `shutdown: ${describe(error)}`));
        await closed;
        peers.close();
        return finished;
      })()),
  };
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const okJson = (json: string): Answer => ({ status: 200, json });

function send(response: ServerResponse, answer: Answer) {
  const headers: Record<string, string | number> = {};
  const body = answer.text?.body ?? answer.json ?? JSON.stringify(answer.body ?? {});
  headers["content-type"] = answer.text?.contentType ?? "application/json";
  headers["content-length"] = Buffer.byteLength(body);
  if (answer.retryAfter) headers["retry-after"] = "1";
  if (answer.closeConnection) headers.connection = "close";
  Object.assign(headers, answer.headers);
  response.writeHead(answer.status, headers).end(body);
}

/** The body, up to `maxBytes`: one byte more and the request is refused without reading the rest. */
async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  if (!/^application\/json\b/i.test(request.headers["content-type"] ?? "")) {
    throw new GatewayError(415, "P6005", "The body must be application/json.", false, true);
  }
  const tooLarge = () => new GatewayError(413, "P6005", `The body is over ${maxBytes} bytes (GATEWAY_MAX_BODY_BYTES).`, false, true);
  if (Number(request.headers["content-length"] ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new GatewayError(400, "P6005", "The body is not valid JSON.");
  }
}

function metricsAllowed(request: IncomingMessage, token: string | undefined) {
  if (token) return authenticate([{ name: "metrics", digest: createHash("sha256").update(token).digest() }], request.headers.authorization) !== undefined;
  const address = request.socket.remoteAddress ?? "";
  return address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1";
}

const describe = (error: unknown) => redact(error instanceof Error ? (error.stack ?? error.message) : String(error));
