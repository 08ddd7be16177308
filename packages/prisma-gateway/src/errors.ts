// Every failure as the HTTP answer Prisma Client reads: a JSON body `{ code, error, meta? }` whose `code` becomes
// the code of the PrismaClientKnownRequestError the caller catches. The statuses follow Prisma's query-plan executor
// (400 for a query's own error, 409 for the transaction API's), except that what a retry may fix, a busy pool or an
// unreachable database, is a 503 with Retry-After, for load balancers and callers alike.
import { TransactionManagerError, UserFacingError } from "@prisma/client-engine-runtime";
import { isDriverAdapterError } from "@prisma/driver-adapter-utils";
import type { AcquireState } from "./pool";

export type Answer = {
  status: number;
  /** Sent as JSON, unless `json` (already serialized) or `text` is given. */
  body?: unknown;
  json?: string;
  text?: { contentType: string; body: string };
  retryAfter?: boolean;
  headers?: Record<string, string>;
  /** The request's body was left unread: the connection cannot carry another request. */
  closeConnection?: boolean;
};

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter = false,
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

/** Codes of Prisma's (P1xxx: the database cannot be used; P2024: no connection free in time). */
const unavailable = (message: string) => new GatewayError(503, "P1001", message, true);
export const poolBusy = () => new GatewayError(503, "P2024", "All database connections are busy. Try again shortly.", true);
const notReachable = () => unavailable("The database cannot be reached. Try again shortly.");

// A query's error whose cause is the connection, not the query: retrying may work. A raw query's error carries
// its own code (P2010) and the driver's kind.
const connectionCodes = new Set(["P1000", "P1001", "P1002", "P1003", "P1008", "P1010", "P1011", "P1017", "P2037"]);
const connectionKinds = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TlsConnectionError", "AuthenticationFailed", "DatabaseDoesNotExist"]);
// SQLSTATEs: 57014 statement timeout (GATEWAY_QUERY_TIMEOUT_MS), 57P01..57P03 server shutting down or starting.
const retryableSqlStates = new Set(["57014", "57P01", "57P02", "57P03", "53300"]);

export function toAnswer(error: unknown): Answer {
  if (error instanceof GatewayError) {
    return { status: error.status, body: { code: error.code, error: error.message }, retryAfter: error.retryAfter, closeConnection: error.closeConnection };
  }
  const acquireState = (error as { acquireState?: AcquireState })?.acquireState;
  if (acquireState) return toAnswer(acquireState.inUse >= acquireState.max ? poolBusy() : notReachable());
  if (error instanceof UserFacingError) {
    const body = { code: error.code, error: error.message, meta: sanitize(error.meta) };
    if (error instanceof TransactionManagerError) {
      // The transaction could not get a connection within its maxWait: the pool is busy.
      const busy = error.message.includes("Unable to start a transaction in the given time");
      return { status: busy ? 503 : 409, body, retryAfter: busy };
    }
    const cause = (error.meta?.driverAdapterError as { cause?: { kind?: string; originalCode?: string } } | undefined)?.cause;
    const retryable =
      connectionCodes.has(error.code) ||
      (cause?.kind !== undefined && connectionKinds.has(cause.kind)) ||
      (cause?.originalCode !== undefined && retryableSqlStates.has(cause.originalCode));
    return { status: retryable ? 503 : 400, body, retryAfter: retryable };
  }
  if (isDriverAdapterError(error)) {
    const kind = error.cause.kind;
    if (connectionKinds.has(kind)) return toAnswer(notReachable());
    const sqlState = (error.cause as { originalCode?: string }).originalCode;
    if (sqlState && retryableSqlStates.has(sqlState)) return toAnswer(unavailable("The database did not finish the query in time or is restarting."));
  }
  // node-postgres reports a broken or refused socket as a plain Error.
  const message = String((error as { message?: unknown })?.message ?? "");
  if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|Connection terminated|not queryable/.test(message)) return toAnswer(notReachable());
  return { status: 500, body: { code: "P6000", error: "The gateway failed to run the query; its log has the details." } };
}

// What a driver error carries is the database's own message (a constraint, a column): nothing of the gateway's
// configuration. Connection strings are cut all the same, should one ever appear in a message.
function sanitize(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? {}, (_key, item: unknown) => (typeof item === "string" ? redact(item) : item)));
}

export const redact = (text: string) => text.replace(/\b(postgres(?:ql)?|prisma(?:\+postgres)?):\/\/\S+/gi, "$1://[redacted]");
