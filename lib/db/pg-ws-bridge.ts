// PostgreSQL over WebSocket for runtimes without TCP (Next.js edge routes, through @neondatabase/serverless).
// Each WebSocket carries one PostgreSQL session as binary frames to one TCP connection to a fixed server.
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
  /** A session with no byte in either direction for this long is closed. Must exceed the longest statement. */
  idleTimeoutMs?: number;
  log?: (line: string) => void;
};

export type PgWsBridgeStats = {
  /** PostgreSQL connections open or opening. */
  open: number;
  accepted: number;
  refused: number;
  closedIdle: number;
};

export type PgWsBridge = {
  /** `ws://host:port/path`, the value an edge route is given to reach the database. */
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

export async function startPgWsBridge({
  target,
  allowRemoteTarget = false,
  port = 0,
  host = "127.0.0.1",
  path = "/v1",
  maxConnections = 20,
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
  if (!(idleTimeoutMs > 0)) throw new Error("pg-ws-bridge: idleTimeoutMs must be > 0");

  const sessions = new Set<{ ws?: WebSocket; tcp: Socket }>();
  const counts = { accepted: 0, refused: 0, closedIdle: 0 };
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  const server = createServer((_req, res) => {
    res.writeHead(426, { Upgrade: "websocket", Connection: "close", "Content-Type": "text/plain" });
    res.end("WebSocket upgrade required\n");
  });

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
    const session: { ws?: WebSocket; tcp: Socket } = { tcp };
    sessions.add(session);
    // Dev hot reload abandons edge sandboxes with their sockets still open; silence is the only sign.
    tcp.setTimeout(idleTimeoutMs, () => {
      if (session.ws) {
        counts.closedIdle++;
        log(`pg-ws-bridge: closing a session idle for ${idleTimeoutMs} ms`);
        session.ws.close(1000, "idle timeout");
      }
      tcp.destroy();
    });
    tcp.on("error", (error: NodeJS.ErrnoException) => {
      log(`pg-ws-bridge: database connection error: ${error.code ?? error.name}`);
    });
    tcp.once("close", () => {
      sessions.delete(session);
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
    // Clients name the server they want; the bridge only ever reaches its own target, so a different name is
    // a misconfiguration to report, not a destination to honour.
    const address = url.searchParams.get("address");
    if (address !== null && !namesTarget(address)) return [403, "address is not this bridge's target"];
    if (!req.headers["sec-websocket-key"]) return [400, "not a WebSocket upgrade"];
    if (sessions.size >= maxConnections) return [503, "too many connections"];
    return undefined;
  }

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
    ws.on("error", () => tcp.destroy());
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
    url: `ws://${urlHost}:${boundPort}${path}`,
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
