// The bridge against real PostgreSQL servers, driven by the same client the edge runtime uses.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Client, Pool, neonConfig } from "@neondatabase/serverless";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { proxyAddress } from "@/lib/db/edge-proxy-address";
import { DEFAULT_MAX_MESSAGE_BYTES, startPgWsBridge, type PgWsBridge } from "@/lib/db/pg-ws-bridge";
import { startEmbeddedPostgres, type RunningPostgres } from "../scripts/support/embedded-postgres";
import { freePort } from "../scripts/support/free-port";
import { serverUrl } from "./support/db";

type Reachable = Pick<PgWsBridge, "url" | "port">;
const proxyOf = (bridge: Reachable) => bridge.url.slice("ws://".length);

// Node.js 20 has no global WebSocket; the rest is what lib/db/adapter.edge.ts sets for a local bridge.
neonConfig.webSocketConstructor = WebSocket;
neonConfig.useSecureWebSocket = false;
neonConfig.pipelineConnect = false;

/** `clientName`: the name the client gives the bridge, as an edge sandbox does; the bridge's URL then goes as a whole. */
function neonClient(connectionString: string, bridge: Reachable, applicationName = "pg-ws-bridge-test", clientName?: string) {
  const client = new Client({ connectionString, application_name: applicationName });
  client.neonConfig.wsProxy = clientName === undefined ? proxyOf(bridge) : () => proxyAddress(bridge.url, clientName);
  // Failures surface through connect()/query(); a dropped connection must not be an uncaught error.
  client.on("error", () => {});
  return client;
}

function targetOf(url: string) {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port || 5432) };
}

/** The HTTP answer to a request made straight to the bridge, without a WebSocket client. */
function rawRequest(bridge: Reachable, pathAndQuery: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; upgraded: boolean }>((resolve, reject) => {
    const req = request(`http://127.0.0.1:${bridge.port}${pathAndQuery}`, { headers });
    req.on("response", (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, upgraded: false });
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, upgraded: true });
    });
    req.on("error", reject);
    req.end();
  });
}

/** The status line the bridge answers to an upgrade whose request target is written verbatim. */
function rawStatusLine(bridge: Reachable, requestTarget: string) {
  return new Promise<string>((resolve, reject) => {
    const socket = connect(bridge.port, "127.0.0.1", () =>
      socket.write(
        `GET ${requestTarget} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${upgradeHeaders["Sec-WebSocket-Key"]}\r\n\r\n`,
      ),
    );
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk));
    socket.on("close", () => resolve(answer.split("\r\n")[0] ?? ""));
    socket.on("error", reject);
  });
}

const upgradeHeaders = {
  Connection: "Upgrade",
  Upgrade: "websocket",
  "Sec-WebSocket-Version": "13",
  "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
};

/** The bridge's URL with a client name, as an edge sandbox asks for it. */
const proxyAddressUrl = (bridge: Reachable, client = "test") => `ws://${proxyAddress(bridge.url, client)}`;

/** A WebSocket opened by hand on a plain socket, so that frames can be written a byte at a time. */
function rawWebSocket(bridge: Reachable) {
  return new Promise<import("node:net").Socket>((resolve, reject) => {
    const socket = connect(bridge.port, "127.0.0.1", () =>
      socket.write(
        `GET /v1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${upgradeHeaders["Sec-WebSocket-Key"]}\r\n\r\n`,
      ),
    );
    socket.once("data", (chunk) => {
      const head = chunk.toString("latin1");
      if (!head.startsWith("HTTP/1.1 101")) reject(new Error(head.split("\r\n")[0]));
      else resolve(socket);
    });
    socket.once("error", reject);
  });
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("pg-ws-bridge against the suite's PostgreSQL", () => {
  let url: string;
  let admin: pg.Client;
  const bridges: PgWsBridge[] = [];
  const start = async (options: Partial<Parameters<typeof startPgWsBridge>[0]> = {}) => {
    // The suite's server is wherever DATABASE_URL says; loopback refusal has its own test below.
    const bridge = await startPgWsBridge({ target: targetOf(url), allowRemoteTarget: true, ...options });
    bridges.push(bridge);
    return bridge;
  };
  const backends = async (applicationName: string) =>
    (
      await admin.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where application_name = $1", [
        applicationName,
      ])
    ).rows[0]!.n;

  beforeAll(async () => {
    url = serverUrl();
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(bridges.map((b) => b.close()));
    await admin?.end();
  });

  it("carries queries, a transaction and a pool's sessions", async () => {
    const bridge = await start();
    const client = neonClient(url, bridge);
    await client.connect();
    await client.query("begin");
    await client.query("create temporary table notes (id int primary key, body text)");
    await client.query("insert into notes values ($1, $2), ($3, $4)", [1, "a", 2, "b".repeat(200_000)]);
    const { rows } = await client.query<{ n: number; total: number }>(
      "select count(*)::int as n, sum(length(body))::int as total from notes",
    );
    await client.query("rollback");
    expect(rows[0]).toEqual({ n: 2, total: 200_001 });

    // Far more than the bridge lets queue in either direction, so both ends must pause and resume; one message just
    // under the bridge's cap on a client's message.
    const big = "é".repeat(DEFAULT_MAX_MESSAGE_BYTES / 2 - 1_000);
    const echoed = await client.query<{ s: string; len: number }>("select $1::text as s, octet_length($1::text) as len", [big]);
    expect(echoed.rows[0]!.len).toBe(big.length * 2);
    expect(echoed.rows[0]!.s === big).toBe(true);
    // A client that stops reading: the bridge must stop reading PostgreSQL, then carry on when the client does.
    const clientSocket = (client as unknown as { connection: { stream: { ws: WebSocket } } }).connection.stream.ws;
    const slowRead = client.query<{ len: number }>("select length(repeat('x', 16000000)) as len, repeat('x', 16000000) as s");
    clientSocket.pause();
    await new Promise((r) => setTimeout(r, 500));
    clientSocket.resume();
    expect((await slowRead).rows[0]!.len).toBe(16_000_000);
    await client.end();

    neonConfig.wsProxy = proxyOf(bridge);
    const pool = new Pool({ connectionString: url, max: 3 });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => pool.query<{ v: number }>("select $1::int as v, pg_sleep(0.05)", [i])),
    );
    expect(results.map((r) => r.rows[0]!.v)).toEqual([0, 1, 2, 3, 4, 5]);
    await pool.end();
    expect(bridge.stats()).toMatchObject({ accepted: 4, refused: 0 });
  });

  it("refuses to listen or forward beyond loopback unless told to", async () => {
    for (const host of ["10.0.0.5", "db.example.com", "0.0.0.0", "::"]) {
      await expect(startPgWsBridge({ target: { host, port: 5432 } })).rejects.toThrow(/non-loopback target/);
    }
    await expect(startPgWsBridge({ target: { host: "127.0.0.1", port: 5432 }, host: "0.0.0.0" })).rejects.toThrow(
      /non-loopback host/,
    );
    await expect(startPgWsBridge({ target: { host: "127.0.0.1", port: 0 } })).rejects.toThrow(/port/);
    for (const host of ["127.0.0.1", "localhost", "::1"]) {
      const bridge = await startPgWsBridge({ target: { host, port: 5432 } });
      await bridge.close();
    }
    const remote = await startPgWsBridge({ target: { host: "10.0.0.5", port: 5432 }, allowRemoteTarget: true });
    await remote.close();
  });

  it("refuses a request that names another server, and never forwards to it", async () => {
    const bridge = await start();
    const { port } = targetOf(url);
    for (const address of [`10.0.0.5:${port}`, `127.0.0.1:${port + 1}`, "db.example.com:5432", "garbage"]) {
      expect(await rawRequest(bridge, `/v1?address=${encodeURIComponent(address)}`, upgradeHeaders)).toEqual({
        status: 403,
        upgraded: false,
      });
    }
    const other = new URL(url);
    other.hostname = "10.0.0.5";
    const client = neonClient(other.toString(), bridge);
    await expect(client.connect()).rejects.toThrow();
    expect(bridge.stats()).toMatchObject({ accepted: 0, refused: 5, open: 0 });

    // The same server under another loopback name is still this target.
    if (targetOf(url).host === "127.0.0.1") {
      const alias = new URL(url);
      alias.hostname = "localhost";
      const ok = neonClient(alias.toString(), bridge);
      await ok.connect();
      expect((await ok.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
      await ok.end();
    }
  });

  it("answers plain HTTP and malformed upgrades with 4xx and keeps serving", async () => {
    const bridge = await start();
    expect(await rawRequest(bridge, "/v1")).toEqual({ status: 426, upgraded: false });
    expect(await rawRequest(bridge, "/")).toEqual({ status: 426, upgraded: false });
    expect(await rawRequest(bridge, "/elsewhere", upgradeHeaders)).toMatchObject({ status: 404 });
    expect(await rawRequest(bridge, "/v1", { Connection: "Upgrade", Upgrade: "h2c" })).toMatchObject({ status: 400 });
    expect(await rawRequest(bridge, "/v1", { Connection: "Upgrade", Upgrade: "websocket" })).toMatchObject({ status: 400 });
    expect(
      await rawRequest(bridge, "/v1", { ...upgradeHeaders, "Sec-WebSocket-Version": "99" }),
    ).toMatchObject({ status: 400, upgraded: false });
    expect(
      await rawRequest(bridge, "/v1", { ...upgradeHeaders, Origin: "https://evil.example" }),
    ).toMatchObject({ status: 403 });
    expect(await rawStatusLine(bridge, "http://[")).toMatch(/^HTTP\/1\.1 400 /);
    expect(bridge.stats()).toMatchObject({ open: 0, accepted: 0 });

    // Text frames are not PostgreSQL; the session is closed rather than forwarded.
    const ws = new WebSocket(bridge.url);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const closed = new Promise<number>((resolve) => ws.once("close", resolve));
    ws.send("select 1");
    expect(await closed).toBe(1003);

    const client = neonClient(url, bridge);
    await client.connect();
    expect((await client.query("select 41 + 1 as answer")).rows).toEqual([{ answer: 42 }]);
    await client.end();
  });

  it("refuses the connection beyond maxConnections, and accepts again once one closes", async () => {
    const bridge = await start({ maxConnections: 2 });
    const first = neonClient(url, bridge);
    const second = neonClient(url, bridge);
    await first.connect();
    await second.connect();
    const third = neonClient(url, bridge);
    await expect(third.connect()).rejects.toThrow();
    expect(bridge.stats()).toMatchObject({ open: 2, refused: 1 });
    expect((await second.query("select 2 as n")).rows).toEqual([{ n: 2 }]);

    await first.end();
    await waitFor(async () => bridge.stats().open, (open) => open < 2, 5_000);
    const fourth = neonClient(url, bridge);
    await fourth.connect();
    expect((await fourth.query("select 4 as n")).rows).toEqual([{ n: 4 }]);
    await Promise.all([second.end(), fourth.end()]);
  });

  it("closes a session once both directions have been silent for idleTimeoutMs", async () => {
    const name = `bridge-idle-${randomBytes(4).toString("hex")}`;
    // Connecting is silent too, while the driver derives the SCRAM key (4,096 WebCrypto calls in turn: about half a
    // second on a slow machine, more on a busy one). The timeout is set well past what one connect took, and never
    // under two seconds, since the next connect on a crowded machine can take several times as long as this one: only
    // the silence this test makes may reach it.
    const probe = neonClient(url, await start(), `${name}-probe`);
    const connecting = Date.now();
    await probe.connect();
    const idleTimeoutMs = Math.max(2_000, 4 * (Date.now() - connecting));
    await probe.end();
    const bridge = await start({ idleTimeoutMs });

    // A session in use stays open past the timeout: a query fifteen times as often, so that a stall of this process
    // would have to last most of the timeout to make it look idle.
    const busy = neonClient(url, bridge, `${name}-busy`);
    await busy.connect();
    const busySince = Date.now();
    while (Date.now() - busySince < 1.5 * idleTimeoutMs) {
      await busy.query("select 1");
      await new Promise((r) => setTimeout(r, idleTimeoutMs / 15));
    }
    expect(await backends(`${name}-busy`)).toBe(1);
    expect(bridge.stats().closedIdle).toBe(0);
    await busy.end();

    // A session abandoned without a goodbye, as hot reload leaves them.
    const abandoned = neonClient(url, bridge, name);
    await abandoned.connect();
    await abandoned.query("select 1");
    const since = Date.now();
    expect(await backends(name)).toBe(1);
    const remaining = await waitFor(() => backends(name), (n) => n === 0, idleTimeoutMs + 5_000);
    expect(remaining).toBe(0);
    expect(Date.now() - since).toBeGreaterThanOrEqual(idleTimeoutMs - 100);
    expect(bridge.stats().closedIdle).toBeGreaterThanOrEqual(1);
    await expect(abandoned.query("select 1")).rejects.toThrow();
  });

  it("counts the client's bytes as traffic: a message that takes longer than idleTimeoutMs to arrive is carried", async () => {
    const idleTimeoutMs = 2_000;
    const bridge = await start({ idleTimeoutMs });
    const { user, database } = { user: decodeURIComponent(new URL(url).username) || "postgres", database: new URL(url).pathname.slice(1) };
    // A PostgreSQL startup message, to which the server answers at once (an authentication request or an error).
    const body = Buffer.from(`\0\0\0\0\0\x03\0\0user\0${user}\0database\0${database}\0\0`, "latin1");
    body.writeInt32BE(body.length, 0);
    expect(body.length).toBeLessThan(126); // a one-byte frame length
    const socket = await rawWebSocket(bridge);
    // One binary frame, masked with a zero key (so the payload goes as it is), sent a byte every idleTimeoutMs / 15.
    const frame = Buffer.concat([Buffer.from([0x82, 0x80 | body.length, 0, 0, 0, 0]), body]);
    const answered = new Promise<Buffer>((resolve) => socket.once("data", resolve));
    const since = Date.now();
    for (const byte of frame) {
      socket.write(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, idleTimeoutMs / 15));
    }
    expect(Date.now() - since).toBeGreaterThan(1.5 * idleTimeoutMs);
    const answer = await answered;
    // A binary frame whose payload is PostgreSQL's first answer: 'R' (authentication) or 'E' (an error).
    expect(answer[0]).toBe(0x82);
    const length = answer[1]! & 0x7f;
    expect(["R", "E"]).toContain(String.fromCharCode(answer[length === 126 ? 4 : length === 127 ? 10 : 2]!));
    expect(bridge.stats()).toMatchObject({ accepted: 1, closedIdle: 0 });
    socket.destroy();
  });

  it("closes a session whose message passes maxMessageBytes (by default 8 MiB, not ws's 100 MiB)", async () => {
    const small = await start({ maxMessageBytes: 64 * 1024 });
    const client = neonClient(url, small);
    await client.connect();
    expect((await client.query("select length($1::text) as n", ["x".repeat(60_000)])).rows).toEqual([{ n: 60_000 }]);
    await expect(client.query("select length($1::text) as n", ["x".repeat(70_000)])).rejects.toThrow();
    expect(small.stats()).toMatchObject({ closedTooLarge: 1 });

    const byDefault = await start();
    const ws = new WebSocket(proxyAddressUrl(byDefault));
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    ws.on("error", () => {}); // the server may close while the message is still going out
    const closed = new Promise<number>((resolve) => ws.once("close", resolve));
    ws.send(Buffer.alloc(DEFAULT_MAX_MESSAGE_BYTES + 1));
    expect(await closed).toBe(1009);
    await waitFor(async () => byDefault.stats().open, (open) => open === 0, 5_000);
    expect(byDefault.stats()).toMatchObject({ open: 0, closedTooLarge: 1 });
  });

  it("with a key, refuses every upgrade that lacks it before it holds anything, and serves those that have it", async () => {
    const key = randomBytes(24).toString("base64url");
    const bridge = await start({ key, maxConnections: 2 });
    expect(new URL(bridge.url).searchParams.get("key")).toBe(key);
    const bare = bridge.url.replace(/\?.*$/, "");
    const answers = await Promise.all(
      ["", "?key=", `?key=${key}x`, `?key=${key.slice(1)}`, `?client=a&key=${encodeURIComponent(key.toUpperCase())}`].flatMap((query) =>
        Array.from({ length: 12 }, () => rawRequest(bridge, `/v1${query}`, upgradeHeaders)),
      ),
    );
    expect(new Set(answers.map((a) => `${a.status} ${a.upgraded}`))).toEqual(new Set(["401 false"]));
    expect(bridge.stats()).toMatchObject({ open: 0, accepted: 0, refused: 60 });
    await expect(neonClient(url, { ...bridge, url: bare }, "pg-ws-bridge-test", "sandbox-a").connect()).rejects.toThrow();

    const clients = ["sandbox-a", "sandbox-b"].map((name) => neonClient(url, bridge, "pg-ws-bridge-test", name));
    await Promise.all(clients.map((client) => client.connect()));
    expect((await clients[1]!.query("select 2 as n")).rows).toEqual([{ n: 2 }]);
    await Promise.all(clients.map((client) => client.end()));
  });

  it("caps each client's sessions, so that one client cannot use up the others' share", async () => {
    const bridge = await start({ maxConnections: 4, maxConnectionsPerClient: 2 });
    const of = (name: string) => neonClient(url, bridge, "pg-ws-bridge-test", name);
    const greedy = [of("greedy"), of("greedy")];
    await Promise.all(greedy.map((client) => client.connect()));
    await expect(of("greedy").connect()).rejects.toThrow();
    expect(bridge.stats()).toMatchObject({ open: 2, refused: 1 });
    // The others' share is still there, whoever took theirs first.
    const others = [of("other"), of("other")];
    await Promise.all(others.map((client) => client.connect()));
    expect((await others[1]!.query("select 4 as n")).rows).toEqual([{ n: 4 }]);
    expect(await rawRequest(bridge, "/v1?client=no%20spaces", upgradeHeaders)).toMatchObject({ status: 400 });
    await Promise.all([...greedy, ...others].map((client) => client.end()));
  });
});

describe("pg-ws-bridge across a PostgreSQL restart", () => {
  let dir: string;
  let port: number;
  let server: RunningPostgres;
  let bridgeProcess: ChildProcess;
  let bridge: Reachable;
  let url: string;
  // A fixed port: the bridge's target must still be right after the restart.
  const startServer = () => startEmbeddedPostgres({ dataDir: path.join(dir, "data"), database: "postgres", port });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "pg-ws-bridge-"));
    // initdb runs as the postgres user when this runs as root, and must reach the data folder inside.
    chmodSync(dir, 0o755);
    port = await freePort();
    server = await startServer();
    url = server.url;
    bridge = await startBridgeProcess(port);
  });

  afterAll(async () => {
    bridgeProcess?.kill();
    await server?.stop().catch(() => {});
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Its own process, so that an error it fails to handle is a crash this test sees, not one the runner absorbs.
  async function startBridgeProcess(port: number): Promise<Reachable> {
    const bridgeModule = path.resolve(import.meta.dirname, "../lib/db/pg-ws-bridge.ts");
    const script = `import(${JSON.stringify(bridgeModule)}).then(async ({ startPgWsBridge }) => {
      const bridge = await startPgWsBridge({ target: { host: "127.0.0.1", port: ${port} } });
      process.stdout.write(bridge.url + "\\n");
    });`;
    bridgeProcess = spawn(process.execPath, ["--import", "tsx", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const [line] = (await once(bridgeProcess.stdout!, "data")) as [Buffer];
    const bridgeUrl = line.toString().trim();
    return { url: bridgeUrl, port: Number(new URL(bridgeUrl).port) };
  }

  it("fails cleanly while the server is down and works again once it is back", async () => {
    const before = neonClient(url, bridge);
    await before.connect();
    expect((await before.query("select 1 as n")).rows).toEqual([{ n: 1 }]);

    await server.stop();
    await expect(before.query("select 1")).rejects.toThrow();

    for (let i = 0; i < 3; i++) {
      const during = neonClient(url, bridge);
      const started = Date.now();
      await expect(during.connect()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    expect(await rawRequest(bridge, "/v1")).toMatchObject({ status: 426 });
    expect(bridgeProcess.exitCode).toBeNull();

    server = await startServer();
    const after = neonClient(url, bridge);
    await after.connect();
    expect((await after.query("select 2 as n")).rows).toEqual([{ n: 2 }]);
    await after.end();
    expect(bridgeProcess.exitCode).toBeNull();
  });
});
