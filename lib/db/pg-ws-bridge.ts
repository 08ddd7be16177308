// PostgreSQL over WebSocket for runtimes without TCP (Next.js edge routes, through @neondatabase/serverless).
// Each WebSocket carries one PostgreSQL session as binary frames to one TCP connection to a fixed server.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { DatabaseTarget } from "@/lib/db/connection-settings";

export type PgWsBridgeOptions = {
  /** The only PostgreSQL server this bridge ever connects to: a host and port, or a Unix socket's path. */
  target: DatabaseTarget;
  /** Lets `target` be a non-loopback host (a database on another machine). */
  allowRemoteTarget?: boolean;
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  /** Loopback only: 127.0.0.1, ::1 or localhost. */
  host?: string;
  /** The one path upgrades are accepted on. */
  path?: string;
  /** Sessions open at once; one more is answered 503. */
  maxConnections?: number;
  /**
   * Sessions open at once for one client, as named by the `client` query parameter (an edge sandbox names itself);
   * one more is answered 503. A client that leaks sessions then exhausts its own share, not everyone's.
   */
  maxConnectionsPerClient?: number;
  /**
   * Set: an upgrade must carry it as the `key` query parameter, or it is answered 401. The server hands it to its
   * own edge sandboxes only, so no other process on the machine can open, or hold, a session.
   */
  key?: string;
  /** The largest WebSocket message taken from a client; a larger one closes the session (1009). */
  maxMessageBytes?: number;
  /**
   * A session with no byte in either direction for this long is closed: none from the client, not even part of a
   * message, and none from PostgreSQL. Must exceed the longest statement, during which both are silent.
   */
  idleTimeoutMs?: number;
  log?: (line: string) => void;
};

export type PgWsBridgeStats = {
  /** PostgreSQL connections open or opening. */
  open: number;
  accepted: number;
  refused: number;
  closedIdle: number;
  /** Sessions closed because a client's message passed maxMessageBytes. */
  closedTooLarge: number;
};

export type PgWsBridge = {
  /** `ws://host:port/path?key=…`, the value an edge route is given to reach the database. */
  url: string;
  port: number;
  stats: () => PgWsBridgeStats;
  /** Stops listening and closes every session. */
  close: () => Promise<void>;
};

const loopbackHosts = new Set(["127.0.0.1", "::1", "[::1]", "localhost"]);
const isLoopback = (host: string) => loopbackHosts.has(host.toLowerCase());
// Past this many bytes queued towards the WebSocket, reading from PostgreSQL pauses.
const highWaterMark = 1 << 20;
/**
 * The driver sends one message per batch of PostgreSQL messages written at once. The app's largest is the Bind of a
 * multi-row insert from a 1 MiB request body: at most PostgreSQL's 65,535 parameters, each with a 4-byte length
 * and a value from that body or a generated id, a few MiB. `ws` would buffer up to 100 MiB of one message.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** A client names itself with letters, digits and dashes (a UUID), so that a name costs a bounded map key. */
const clientName = /^[A-Za-z0-9-]{1,64}$/;

const digest = (text: string) => createHash("sha256").update(text).digest();

export async function startPgWsBridge({
  target,
  allowRemoteTarget = false,
  port = 0,
  host = "127.0.0.1",
  path = "/v1",
  maxConnections = 20,
  maxConnectionsPerClient = maxConnections,
  key,
  maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES,
  idleTimeoutMs = 60_000,
  log = () => {},
}: PgWsBridgeOptions): Promise<PgWsBridge> {
  // Anyone who can reach the bridge speaks to the database as whoever they claim to be (trust auth is common
  // locally), so it never listens beyond this machine.
  if (!isLoopback(host)) throw new Error(`pg-ws-bridge: refusing to listen on non-loopback host ${host}`);
  // A Unix socket is on this machine by definition.
  if (!allowRemoteTarget && "host" in target && !isLoopback(target.host))
    throw new Error(`pg-ws-bridge: refusing non-loopback target ${target.host} (set allowRemoteTarget)`);
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535)
    throw new Error(`pg-ws-bridge: invalid target port ${target.port}`);
  if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new Error("pg-ws-bridge: maxConnections must be >= 1");
  if (!Number.isInteger(maxConnectionsPerClient) || maxConnectionsPerClient < 1)
    throw new Error("pg-ws-bridge: maxConnectionsPerClient must be >= 1");
  if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 1024) throw new Error("pg-ws-bridge: maxMessageBytes must be >= 1024");
  if (key !== undefined && key.length < 16) throw new Error("pg-ws-bridge: a key must have at least 16 characters");
  if (!(idleTimeoutMs > 0)) throw new Error("pg-ws-bridge: idleTimeoutMs must be > 0");

  type Session = { ws?: WebSocket; tcp: Socket; client: string };
  const sessions = new Set<Session>();
  const perClient = new Map<string, number>();
  const counts = { accepted: 0, refused: 0, closedIdle: 0, closedTooLarge: 0 };
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: maxMessageBytes });
  const keyDigest = key === undefined ? undefined : digest(key);

  const server = createServer((_req, res) => {
    res.writeHead(426, { Upgrade: "websocket", Connection: "close", "Content-Type": "text/plain" });
    res.end("WebSocket upgrade required\n");
  });
  // An upgrade is one short request: a connection that has not sent it whole by then is closed.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const problem = refusal(req);
    if (problem) {
      counts.refused++;
      log(`pg-ws-bridge: refused upgrade: ${problem[0]} ${problem[1]}`);
      return refuse(socket, ...problem);
    }
    // PostgreSQL is reached before the upgrade completes, so an unreachable server is an HTTP 502 the client
    // reports at once, not an open socket that closes without a word.
    const tcp = "socketPath" in target ? connect({ path: target.socketPath }) : connect({ ...target, noDelay: true });
    const session: Session = { tcp, client: clientOf(req) };
    sessions.add(session);
    perClient.set(session.client, (perClient.get(session.client) ?? 0) + 1);
    // Dev hot reload abandons edge sandboxes with their sockets still open; silence is the only sign. Bytes count
    // from either side as they arrive, so a message that takes long to arrive whole keeps its session, and its size
    // is bounded by maxMessageBytes.
    const idle = setTimeout(() => {
      if (session.ws) {
        counts.closedIdle++;
        log(`pg-ws-bridge: closing a session idle for ${idleTimeoutMs} ms`);
        session.ws.terminate();
      }
      tcp.destroy();
    }, idleTimeoutMs);
    const traffic = () => idle.refresh();
    socket.on("data", traffic);
    tcp.on("data", traffic);
    tcp.on("error", (error: NodeJS.ErrnoException) => {
      log(`pg-ws-bridge: database connection error: ${error.code ?? error.name}`);
    });
    tcp.once("close", () => {
      clearTimeout(idle);
      sessions.delete(session);
      const left = (perClient.get(session.client) ?? 1) - 1;
      if (left > 0) perClient.set(session.client, left);
      else perClient.delete(session.client);
      if (session.ws) session.ws.close(1011, "database connection closed");
      else refuse(socket, 502, "database unreachable");
    });
    tcp.once("connect", () => {
      wss.handleUpgrade(req, socket, head, (ws) => {
        counts.accepted++;
        session.ws = ws;
        pipe(ws, tcp);
      });
    });
    socket.once("close", () => {
      if (!session.ws) tcp.destroy();
    });
  });

  function refusal(req: IncomingMessage): [number, string] | undefined {
    // A throw here would escape the event handler and take the server process down.
    if (!URL.canParse(req.url ?? "", "http://bridge")) return [400, "malformed request target"];
    const url = new URL(req.url ?? "", "http://bridge");
    if (url.pathname !== path) return [404, "unknown path"];
    if (req.headers.upgrade?.toLowerCase() !== "websocket") return [400, "not a WebSocket upgrade"];
    // Browsers always send Origin and let any page open a WebSocket to localhost; server-side clients do not.
    if (req.headers.origin !== undefined) return [403, "browser origins are not allowed"];
    if (keyDigest && !timingSafeEqual(digest(url.searchParams.get("key") ?? ""), keyDigest)) return [401, "a valid key is required"];
    // Clients name the server they want; the bridge only ever reaches its own target, so a different name is
    // a misconfiguration to report, not a destination to honour.
    const address = url.searchParams.get("address");
    if (address !== null && !namesTarget(address)) return [403, "address is not this bridge's target"];
    const client = url.searchParams.get("client");
    if (client !== null && !clientName.test(client)) return [400, "a client name is letters, digits and dashes"];
    if (!req.headers["sec-websocket-key"]) return [400, "not a WebSocket upgrade"];
    if (sessions.size >= maxConnections) return [503, "too many connections"];
    if ((perClient.get(client ?? "") ?? 0) >= maxConnectionsPerClient) return [503, "too many connections for this client"];
    return undefined;
  }

  /** Checked by refusal() before a session starts. */
  const clientOf = (req: IncomingMessage) => new URL(req.url ?? "", "http://bridge").searchParams.get("client") ?? "";

  function namesTarget(address: string): boolean {
    const colon = address.lastIndexOf(":");
    const addrHost = address.slice(0, colon).toLowerCase();
    const addrPort = Number(address.slice(colon + 1));
    if (colon < 1 || addrPort !== target.port) return false;
    if ("socketPath" in target) return target.socketPath.startsWith(`${addrHost}/`);
    return addrHost === target.host.toLowerCase() || (isLoopback(addrHost) && isLoopback(target.host));
  }

  function pipe(ws: WebSocket, tcp: Socket) {
    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        ws.close(1003, "binary frames only");
        return tcp.destroy();
      }
      if (!tcp.write(data as Buffer)) ws.pause();
    });
    tcp.on("drain", () => ws.resume());
    tcp.on("data", (chunk: Buffer) => {
      ws.send(chunk, { binary: true }, () => {
        if (tcp.isPaused() && ws.bufferedAmount < highWaterMark) tcp.resume();
      });
      if (ws.bufferedAmount >= highWaterMark) tcp.pause();
    });
    tcp.on("end", () => ws.close(1000, "database closed the connection"));
    ws.on("close", () => tcp.end());
    ws.on("error", (error: Error & { code?: string }) => {
      if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        counts.closedTooLarge++;
        log(`pg-ws-bridge: closing a session whose message passed ${maxMessageBytes} bytes`);
      }
      tcp.destroy();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error: NodeJS.ErrnoException) => log(`pg-ws-bridge: server error: ${error.code ?? error.name}`));
  const { port: boundPort } = server.address() as { port: number };
  const urlHost = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;

  return {
    url: `ws://${urlHost}:${boundPort}${path}${key === undefined ? "" : `?key=${encodeURIComponent(key)}`}`,
    port: boundPort,
    stats: () => ({ open: sessions.size, ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const { ws, tcp } of sessions) {
          ws?.terminate();
          tcp.destroy();
        }
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function refuse(socket: Duplex, status: number, reason: string) {
  if (!socket.writable) return;
  const body = `${reason}\n`;
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
