// Every row of the README's error table from the code that produces it, with no database: the database-error
// mapping, the pool-state classification (on pg-pool itself, with clients that connect instantly or never), and
// the request checks every route shares.
import { EventEmitter } from "node:events";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { idOf, parse, readJson, route } from "@/lib/api/http";
import { recordAcquireState } from "@/lib/db/acquire-state";
import { toHttpError } from "@/lib/db/errors";
import { HttpError } from "@/lib/http/error";
import { isJsonMediaType } from "@/lib/http/body";
import { isWellFormedTarget } from "@/lib/http/request-target";

const codeOf = (error: unknown) => {
  const { status, code } = toHttpError(error);
  return `${status} ${code}`;
};
const adapterError = (cause: Record<string, unknown>) => ({ name: "DriverAdapterError", cause });
const prismaError = (code: string, cause?: Record<string, unknown>) => ({
  code,
  meta: cause ? { driverAdapterError: { cause } } : undefined,
});

describe("database errors as HTTP", () => {
  it.each([
    ["a pooled wait with every connection in use", { message: "timeout exceeded when trying to connect", acquireState: { inUse: 4, max: 4 } }, "503 pool_exhausted"],
    ["a pooled wait with room left (a slow connect)", { message: "timeout exceeded when trying to connect", acquireState: { inUse: 1, max: 4 } }, "503 database_unavailable"],
    ["a connect that timed out", { message: "Connection terminated due to connection timeout", acquireState: { inUse: 0, max: 4 } }, "503 database_unavailable"],
    ["Prisma's pool timeout", prismaError("P2024"), "503 pool_exhausted"],
    ["a refused connection", adapterError({ kind: "DatabaseNotReachable", host: "127.0.0.1", port: 1 }), "503 database_unavailable"],
    ["refused credentials", prismaError("P1000", { kind: "AuthenticationFailed", originalCode: "28P01" }), "503 database_unavailable"],
    ["a missing database", prismaError("P1003", { kind: "DatabaseDoesNotExist", originalCode: "3D000" }), "503 database_unavailable"],
    ["a TLS failure", adapterError({ kind: "TlsConnectionError", reason: "x" }), "503 database_unavailable"],
    ["too many connections on the server", adapterError({ kind: "TooManyConnections" }), "503 database_unavailable"],
    ["a server shutting down", adapterError({ kind: "postgres", originalCode: "57P01" }), "503 database_unavailable"],
    ["a server starting up", adapterError({ kind: "postgres", originalCode: "57P03" }), "503 database_unavailable"],
    ["a write on a server turned read-only (a leader demoted or restarting)", prismaError("P2010", { kind: "postgres", originalCode: "25006" }), "503 database_unavailable"],
    ["a socket closed by the server", new Error("Connection terminated unexpectedly"), "503 database_unavailable"],
    ["a socket error by message", new Error("connect ECONNREFUSED 127.0.0.1:1"), "503 database_unavailable"],
    ["a WebSocket that failed", new Event("error"), "503 database_unavailable"],
    ["a statement timeout", prismaError("P2010", { kind: "postgres", originalCode: "57014" }), "503 query_timeout"],
    // Prisma's messages for the transaction it times out (P2028), as its runtime writes them.
    ["a transaction past its timeout", { code: "P2028", message: "Transaction API error: A commit cannot be executed on an expired transaction. The timeout for this transaction was 5000 ms, however 5012 ms passed since the start of the transaction. Consider increasing the interactive transaction timeout or doing less work in the transaction." }, "503 query_timeout"],
    ["a transaction that waited past maxWait to start, every connection in use", { code: "P2028", message: "Transaction API error: Unable to start a transaction in the given time.", acquireState: { inUse: 4, max: 4 } }, "503 pool_exhausted"],
    ["a transaction that waited past maxWait to start, with room in the pool", { code: "P2028", message: "Transaction API error: Unable to start a transaction in the given time.", acquireState: { inUse: 1, max: 4 } }, "503 database_unavailable"],
    ["a transaction that waited past maxWait to start, the pool's state unknown", { code: "P2028", message: "Transaction API error: Unable to start a transaction in the given time." }, "503 pool_exhausted"],
    ["a transaction past its timeout, the pool full", { code: "P2028", message: "Transaction API error: A query cannot be executed on an expired transaction. The timeout for this transaction was 5000 ms, however 5012 ms passed since the start of the transaction. Consider increasing the interactive transaction timeout or doing less work in the transaction.", acquireState: { inUse: 4, max: 4 } }, "503 query_timeout"],
    ["a transaction used after it committed", { code: "P2028", message: "Transaction API error: Transaction already closed: A query cannot be executed on a committed transaction." }, "500 internal_error"],
    ["a unique value taken", prismaError("P2002"), "409 conflict"],
    ["a missing reference", prismaError("P2003"), "409 conflict"],
    ["a unique value taken by a raw statement", prismaError("P2010", { kind: "UniqueConstraintViolation", originalCode: "23505" }), "409 conflict"],
    ["a missing reference in a raw statement", prismaError("P2010", { kind: "ForeignKeyConstraintViolation", originalCode: "23503" }), "409 conflict"],
    ["a record to change that is gone", prismaError("P2025"), "404 not_found"],
    // Through a prisma-gateway: its fetch failing as each runtime says it, and the gateway's own answers.
    ["a gateway that cannot be reached (Node.js, Next's edge)", Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }), "503 database_unavailable"],
    ["a gateway that cannot be reached (Deno)", new TypeError("error sending request for url (http://127.0.0.1:4466/query): client error (Connect): tcp connect error: Connection refused (os error 111)"), "503 database_unavailable"],
    ["a gateway gone mid-answer (workerd)", new TypeError("Network connection lost."), "503 database_unavailable"],
    ["a gateway's busy pool", prismaError("P2024"), "503 pool_exhausted"],
    ["a gateway's unreachable database", { code: "P1001", message: "The database cannot be reached. Try again shortly." }, "503 database_unavailable"],
    ["a gateway instance holding the transaction gone", { code: "P1017", message: "The gateway instance holding this transaction (b) cannot be reached." }, "503 database_unavailable"],
    ["another TypeError", new TypeError("x is not a function"), "500 internal_error"],
    ["anything else", new Error("boom"), "500 internal_error"],
    ["a pool timeout without the pool's state", new Error("timeout exceeded when trying to connect"), "500 internal_error"],
  ])("%s", (_what, error, expected) => {
    expect(codeOf(error)).toBe(expected);
  });
});

// pg-pool's own code with clients that need no server: one connects at once, the other never does.
class InstantClient extends EventEmitter {
  _queryable = true;
  _ending = false;
  connect(callback: (error?: Error) => void) {
    setImmediate(callback);
  }
  isConnected() {
    return true;
  }
  end(callback?: () => void) {
    setImmediate(() => callback?.());
  }
}
class HangingClient extends InstantClient {
  #pending?: (error?: Error) => void;
  override connect(callback: (error?: Error) => void) {
    this.#pending = callback;
  }
  override isConnected() {
    return false;
  }
  override end(callback?: () => void) {
    this.#pending?.(new Error("Connection terminated"));
    super.end(callback);
  }
}

function poolOf(Client: typeof InstantClient, max: number, connectionTimeoutMillis: number) {
  const pool = new pg.Pool({ max, connectionTimeoutMillis, Client: Client as never });
  recordAcquireState(pool, max);
  return pool;
}
const failureOf = (attempt: Promise<unknown>) =>
  attempt.then(
    () => "no failure",
    (error: unknown) => codeOf(error),
  );

describe("a failed wait for a connection, classified by the pool's state", () => {
  it("is pool_exhausted when every connection is handed out (promise and callback forms)", async () => {
    const pool = poolOf(InstantClient, 2, 50);
    const held = await Promise.all([pool.connect(), pool.connect()]);
    expect(await failureOf(pool.connect())).toBe("503 pool_exhausted");
    expect(await failureOf(pool.query("select 1"))).toBe("503 pool_exhausted");
    for (const client of held) client.release();
    const again = await pool.connect();
    again.release();
    await pool.end();
  });

  it("is database_unavailable when a new connection cannot be opened in time", async () => {
    const pool = poolOf(HangingClient, 2, 50);
    expect(await failureOf(pool.connect())).toBe("503 database_unavailable");
    expect(await failureOf(pool.query("select 1"))).toBe("503 database_unavailable");
  });

  it("is database_unavailable when the wait is behind connections still opening", async () => {
    const pool = poolOf(HangingClient, 1, 50);
    const results = await Promise.all([failureOf(pool.connect()), failureOf(pool.connect())]);
    expect(results).toEqual(["503 database_unavailable", "503 database_unavailable"]);
  });

  it("counts a connection released with an error as no longer in use", async () => {
    const pool = poolOf(InstantClient, 1, 50);
    const client = await pool.connect();
    client.release(new Error("broken"));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const next = await pool.connect();
    expect(await failureOf(pool.connect())).toBe("503 pool_exhausted");
    next.release();
  });
});

const post = (body: BodyInit | null, headers: Record<string, string> = { "content-type": "application/json" }) =>
  new Request("http://app/api/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);
const answer = async (handler: () => Promise<Response>) => {
  const res = await route(handler)(post(null), {});
  return `${res.status} ${(await res.json()).error.code}`;
};
const schema = z.strictObject({ name: z.string() });

describe("request errors every route shares", () => {
  it.each([
    ["invalid JSON", post("{ not json"), "400 invalid_json"],
    ["a body that fails the schema", post('{"name":1}'), "400 invalid_body"],
    ["a body over 1 MiB with a Content-Length", post("x".repeat(1024 * 1024 + 1)), "413 body_too_large"],
    ["text/plain", post('{"name":"a"}', { "content-type": "text/plain" }), "415 unsupported_media_type"],
    ["no Content-Type", post('{"name":"a"}', {}), "415 unsupported_media_type"],
    ["JSON in Latin-1", post('{"name":"a"}', { "content-type": "application/json; charset=iso-8859-1" }), "415 unsupported_media_type"],
  ])("%s", async (_what, request, expected) => {
    expect(await answer(() => readJson(request, schema).then(() => new Response(null)))).toBe(expected);
  });

  it("stops reading a streamed body without a length at the limit", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    expect(await answer(() => readJson(post(endless), schema).then(() => new Response(null)))).toBe("413 body_too_large");
    expect(pulled).toBeLessThan(1024 / 64 + 4);
  });

  it("answers a 413 with Connection: close, the rest of its body being unread", async () => {
    const res = await route(() => readJson(post("x".repeat(1024 * 1024 + 1)), schema).then(() => new Response(null)))(post(null), {});
    expect([res.status, res.headers.get("connection")]).toEqual([413, "close"]);
  });

  it("accepts application/json, +json types and UTF-8", () => {
    for (const type of ["application/json", "Application/JSON; charset=UTF-8", 'application/json;charset="utf-8"', "application/merge-patch+json"]) {
      expect(isJsonMediaType(type), type).toBe(true);
    }
    for (const type of [null, "", "text/plain", "text/json", "application/jsonx", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16"]) {
      expect(isJsonMediaType(type), String(type)).toBe(false);
    }
  });

  it("answers a bad id 400 invalid_id and a bad query parameter 400 invalid_request", async () => {
    expect(await answer(() => idOf({ params: Promise.resolve({ id: "42" }) }).then(() => new Response(null)))).toBe("400 invalid_id");
    expect(await answer(async () => (parse(z.strictObject({}), { sort: "x" }), new Response(null)))).toBe("400 invalid_request");
  });

  it("answers a thrown HttpError as itself and anything else as a 500 with a request id", async () => {
    expect(await answer(async () => Promise.reject(new HttpError(404, "not_found", "No such record.")))).toBe("404 not_found");
    const res = await route(async () => Promise.reject(new Error("secret detail")))(post(null), {});
    const body = await res.json();
    expect([res.status, body.error.code, typeof body.error.requestId, JSON.stringify(body).includes("secret")]).toEqual([500, "internal_error", "string", false]);
  });

  it("answers a transaction that could not start 503 with Retry-After, never 500", async () => {
    const startFailure = (acquireState?: { inUse: number; max: number }) =>
      Object.assign(new Error("Transaction API error: Unable to start a transaction in the given time."), { code: "P2028", acquireState });
    const answers = [];
    for (const error of [startFailure({ inUse: 2, max: 2 }), startFailure({ inUse: 0, max: 2 }), startFailure()]) {
      const res = await route(async () => Promise.reject(error))(post(null), {});
      answers.push(`${res.status} ${(await res.json()).error.code} retry-after=${res.headers.get("retry-after")}`);
    }
    expect(answers).toEqual(["503 pool_exhausted retry-after=1", "503 database_unavailable retry-after=1", "503 pool_exhausted retry-after=1"]);
  });

  it("tells a malformed percent-encoding in a path from a well-formed one", () => {
    for (const path of ["/api/projects/%E0%A4%A", "/projects/%", "/%zz", "/a%2", "/%C0%AF", "/%ED%A0%80"]) expect(isWellFormedTarget(path), path).toBe(false);
    for (const path of ["/", "/api/projects", "/projects/%C3%A9", "/a%20b", "/%25"]) expect(isWellFormedTarget(path), path).toBe(true);
  });
});
