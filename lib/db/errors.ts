// Database failures as HTTP: one table for both runtimes, so a client sees the same status and code everywhere.
import type { AcquireState } from "@/lib/db/acquire-state";

export type HttpFailure = { status: number; code: string; message: string };

const unavailable = (message: string): HttpFailure => ({ status: 503, code: "database_unavailable", message });

// Kinds from @prisma/driver-adapter-utils; P-codes from Prisma's error reference.
const byKind: Record<string, HttpFailure> = {
  DatabaseNotReachable: unavailable("The database cannot be reached. Try again shortly."),
  ConnectionClosed: unavailable("The database closed the connection. Try again shortly."),
  TooManyConnections: unavailable("The database has no free connections. Try again shortly."),
  SocketTimeout: unavailable("The database did not answer in time. Try again shortly."),
  TlsConnectionError: unavailable("The database connection could not be secured."),
  AuthenticationFailed: unavailable("The server's database credentials were refused."),
  DatabaseDoesNotExist: unavailable("The server's database does not exist."),
};

const uniqueConflict: HttpFailure = { status: 409, code: "conflict", message: "A record with the same unique value already exists." };
const referenceConflict: HttpFailure = { status: 409, code: "conflict", message: "The record refers to a missing or still-referenced record." };
// A raw statement's (TypedSQL's) violation comes as P2010 with the driver's kind.
byKind.UniqueConstraintViolation = uniqueConflict;
byKind.ForeignKeyConstraintViolation = referenceConflict;

const byCode: Record<string, HttpFailure> = {
  P2002: uniqueConflict,
  P2003: referenceConflict,
  P2025: { status: 404, code: "not_found", message: "No such record." },
  P1001: byKind.DatabaseNotReachable!,
  P1017: byKind.ConnectionClosed!,
};

// SQLSTATEs the server sends: 57014 statement timeout, 57P01..57P03 shutdown, 53300 too many connections, 25006 a
// write on a server that is read-only: a leader being demoted, or a node restarting, still reached through a proxy
// whose check has not yet noticed (ops/ha/).
const bySqlState: Record<string, HttpFailure> = {
  "57014": { status: 503, code: "query_timeout", message: "The query took longer than the statement timeout." },
  "25006": unavailable("The database is read-only while another server takes over. Try again shortly."),
  "57P01": byKind.ConnectionClosed!,
  "57P02": byKind.ConnectionClosed!,
  "57P03": unavailable("The database is starting up. Try again shortly."),
  "53300": byKind.TooManyConnections!,
};

type Cause = { kind?: string; originalCode?: string; code?: string };

const poolExhausted: HttpFailure = {
  status: 503,
  code: "pool_exhausted",
  message: "All database connections are busy. Try again shortly.",
};

// Prisma's own pool timeout (P2024), for completeness: a driver adapter's pool reports through `acquireState`.
byCode.P2024 = poolExhausted;

// An interactive transaction past its `timeout` ran out of time as a statement past the statement timeout does, and
// which of the two limits a slow transaction meets first is no concern of the client's: one code for both.
const transactionTimeout: HttpFailure = {
  status: 503,
  code: "query_timeout",
  message: "The transaction took longer than its time limit. Try again shortly.",
};

export function toHttpError(error: unknown): HttpFailure {
  // The edge driver's WebSocket fails with an event, not an Error: the proxy or the database behind it is gone.
  if (error instanceof Event) return byKind.DatabaseNotReachable!;
  const e = error as {
    code?: unknown;
    message?: unknown;
    meta?: { driverAdapterError?: { cause?: Cause } };
    cause?: Cause;
    acquireState?: AcquireState;
  };
  const cause = e?.meta?.driverAdapterError?.cause ?? e?.cause;
  const sqlState = cause?.originalCode ?? cause?.code ?? (typeof e?.code === "string" ? e.code : undefined);
  const message = String(e?.message ?? "");
  const found =
    (typeof e?.code === "string" && byCode[e.code]) ||
    (cause?.kind && byKind[cause.kind]) ||
    (sqlState && bySqlState[sqlState]) ||
    (e?.code === "P2028" && transactionFailure(message, e.acquireState)) ||
    (e?.acquireState && acquireFailure(e.acquireState)) ||
    gatewayFailure(error, message) ||
    connectionFailure(message);
  return found || { status: 500, code: "internal_error", message: "Something went wrong on our side." };
}

// A wait for a connection that failed while every one of them was handed out is a busy pool; with room left, a
// new connection could not be opened in time (down, slow, refusing the credentials). How long it took is no clue.
function acquireFailure({ inUse, max }: AcquireState): HttpFailure {
  return inUse >= max ? poolExhausted : byKind.DatabaseNotReachable!;
}

const transactionStartTimeout = "Unable to start a transaction in the given time";

/** Prisma's P2028 for a transaction whose connection (or BEGIN) did not come within `maxWait`. */
export function isTransactionStartTimeout(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === "P2028" && String(e.message).includes(transactionStartTimeout);
}

// Prisma's transaction errors (P2028) share one code; only the message tells time running out from a transaction
// used after it ended, which is the caller's mistake and stays a 500.
function transactionFailure(message: string, acquireState: AcquireState | undefined): HttpFailure | undefined {
  if (message.includes("cannot be executed on an expired transaction")) return transactionTimeout;
  // Past `maxWait` (lib/db/client.ts: longer than the pool's own acquire timeout, which normally answers first; with
  // no acquire timeout, or a BEGIN the server never answers, this is the only answer). The pool's state when Prisma
  // gave up (lib/db/transaction-start.ts) tells a busy pool from a database that does not answer; a client built
  // without that state is assumed busy, the likelier of the two when a connect has a timeout of its own.
  if (message.includes(transactionStartTimeout)) return acquireState ? acquireFailure(acquireState) : poolExhausted;
  return undefined;
}

// Through a prisma-gateway (DB_GATEWAY_URL) Prisma Client's fetch() rejects when the gateway is down or goes away
// mid-answer: a TypeError, as each runtime words it (Node.js and Next's edge "fetch failed", Deno "error sending
// request", workerd "Network connection lost"). The gateway's own answers arrive as the P-codes above.
function gatewayFailure(error: unknown, message: string): HttpFailure | undefined {
  if (!(error instanceof TypeError)) return undefined;
  if (/fetch failed|error sending request|Network connection lost|connection (?:refused|reset|closed)/i.test(message)) return byKind.DatabaseNotReachable;
  return undefined;
}

// node-postgres reports a broken socket as a plain Error; only the message tells it apart.
function connectionFailure(message: string): HttpFailure | undefined {
  // "not queryable" is a pooled connection the server closed while it was being handed out; "cannot connect to the
  // specified address" is workerd's connect() finding nothing listening.
  if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|Connection terminated|connection error and is not queryable|cannot connect to the specified address/.test(message)) {
    return byKind.DatabaseNotReachable;
  }
  return undefined;
}
