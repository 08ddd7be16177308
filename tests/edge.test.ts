// Route handlers on both runtimes, from the same `import { prisma } from "@/lib/prisma"`, on `next start`.
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { connect, type Socket } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./support/db";
import { startNext, type NextServer } from "../scripts/support/next-start";
import type { TestDatabase } from "../scripts/support/postgres-admin";

const applicationName = `edge-test-${process.pid}`;
const poolMax = 3;
const edgePoolMax = 2;
// Next.js runs each edge route in a sandbox of its own, each with its own pool.
const budget = poolMax + edgePoolMax * 3;
let db: TestDatabase;
let server: NextServer;
let admin: pg.Client;

const call = (path: string, body?: unknown) =>
  fetch(`${server.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  db = await createTestDatabase("edge");
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  // The WebSocket path to PostgreSQL, the bridge and the edge routes' own pools (tests/gateway.test.ts has the gateway).
  // 120 requests queue on pools of 2 and 3: however busy the machine, they wait for a connection rather than answer
  // 503 after the default 5 s (tests/faults.test.ts has the busy pool's 503).
  server = await startNext({ DATABASE_URL: db.url, DB_POOL_MAX: String(poolMax),
    DB_EDGE_POOL_MAX: String(edgePoolMax), DB_EDGE_TRANSPORT: "websocket",
    DB_APPLICATION_NAME: applicationName, DB_POOL_ACQUIRE_TIMEOUT_MS: "60000" });
});
afterAll(async () => {
  await server?.stop();
  await admin?.end();
  await db?.drop();
});

describe("the build", () => {
  const manifest = JSON.parse(readFileSync(".next/server/middleware-manifest.json", "utf8"));
  const edgeRoutes = ["/api/edge/health/route", "/api/edge/projects/route", "/api/edge/projects/[id]/route",
    "/api/edge/characters/[id]/route", "/api/edge/animations/[id]/frames/route"];

  it("makes the edge routes edge functions, and only those", () => {
    expect(Object.keys(manifest.functions).sort()).toEqual([...edgeRoutes].sort());
    const nodeRoutes = JSON.parse(readFileSync(".next/server/app-paths-manifest.json", "utf8"));
    for (const route of edgeRoutes) expect(nodeRoutes[route]).toBe("app-edge-has-no-entrypoint");
    expect(nodeRoutes["/api/health/route"]).toBe("app/api/health/route.js");
  });

  it("bundles the WebSocket driver into edge functions, not pg", () => {
    for (const route of edgeRoutes) {
      const code = manifest.functions[route].files.map((file: string) => readFileSync(`.next/${file}`, "utf8")).join("\n");
      expect(code.includes('"@prisma/adapter-neon"'), route).toBe(true);
      expect(code.includes('"@prisma/adapter-pg"'), route).toBe(false);
      expect(/["']node:(net|tls|dns)["']/.test(code), route).toBe(false);
    }
  });
});

/** Each answer that is not a 200, with its body, and the server's error lines, so that a failure says what went wrong. */
async function failures(responses: Response[]) {
  const failed = await Promise.all(responses.filter((r) => r.status !== 200).map(async (r) => `${r.url} ${r.status} ${await r.text()}`));
  return failed.length ? [...failed, ...server.logs().split("\n").filter((line) => /"level":50|pg-ws-bridge/.test(line))] : [];
}

describe("both runtimes on one database", () => {
  it("answer health from the same PostgreSQL", async () => {
    const [node, edge] = await Promise.all([call("/api/health"), call("/api/edge/health")]);
    expect(node.status).toBe(200);
    expect(edge.status).toBe(200);
    const [nodeBody, edgeBody] = [await node.json(), await edge.json()];
    expect(nodeBody.runtime).toBe("nodejs");
    expect(edgeBody.runtime).toBe("edge");
    expect(edgeBody.database.version).toBe(nodeBody.database.version);
  });

  it("read each other's writes", async () => {
    const fromNode = await (await call("/api/projects", { slug: "from-node", name: "Written on Node.js" })).json();
    const fromEdge = await call("/api/edge/projects", { slug: "from-edge", name: "Written on edge" });
    expect(fromEdge.status).toBe(201);
    const edgeProject = await fromEdge.json();

    const seenByEdge = await (await call("/api/edge/projects")).json();
    expect(seenByEdge.projects.map((p: { id: string }) => p.id)).toContain(fromNode.id);
    const seenByNode = await call(`/api/projects/${edgeProject.id}`);
    expect(seenByNode.status).toBe(200);
    expect((await seenByNode.json()).name).toBe("Written on edge");
  });

  it("map errors the same way on edge", async () => {
    const clash = await call("/api/edge/projects", { slug: "from-node", name: "Again" });
    expect(clash.status).toBe(409);
    const bad = await call("/api/edge/projects", { slug: "x", name: "X", extra: true });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe("invalid_body");
  });

  it("run an interactive transaction on edge: concurrent appends get consecutive indexes", async () => {
    const project = await (
      await call("/api/projects", { slug: "tx", name: "Tx", characters: [{ name: "c", animations: [{ name: "a" }] }] })
    ).json();
    const animationId = project.characters[0].animations[0].id;
    const frame = { image: "/f.png", width: 8, height: 8 };
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => call(`/api/${i % 3 ? "edge/" : ""}animations/${animationId}/frames`, frame)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(12).fill(201));
    const indexes = (await Promise.all(responses.map((r) => r.json()))).map((f: { index: number }) => f.index);
    expect(indexes.sort((a, b) => a - b)).toEqual([...Array(12).keys()]);

    const missing = await call("/api/edge/animations/0190f0e0-0000-7000-8000-000000000000/frames", frame);
    expect(missing.status).toBe(404);
  });

  it("stay within the connection budget under concurrent load on both", async () => {
    let peak = 0;
    let done = false;
    const watch = (async () => {
      while (!done) {
        const { rows } = await admin.query(
          "select count(*)::int as n from pg_stat_activity where application_name in ($1, $1 || '/edge')",
          [applicationName],
        );
        peak = Math.max(peak, rows[0].n);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const paths = ["/api/projects", "/api/edge/projects", "/api/health", "/api/edge/health"];
    const responses = await Promise.all(Array.from({ length: 120 }, (_, i) => call(paths[i % paths.length]!)));
    done = true;
    await watch;
    const statuses = responses.map((r) => r.status);
    console.log(`120 requests over both runtimes: peak ${peak} backends (budget ${budget}), statuses ${[...new Set(statuses)]}`);
    expect(await failures(responses)).toEqual([]);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(budget);
  });
});

/** The TCP ports process `pid` listens on, from /proc: its sockets' inodes, and the listening sockets' ports. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]].filter(Boolean);
      } catch {
        return [];
      }
    }),
  );
  return ["tcp", "tcp6"].flatMap((table) =>
    readFileSync(`/proc/net/${table}`, "utf8")
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === "0A" && inodes.has(fields[9]))
      .map((fields) => parseInt(fields[1]!.split(":").pop()!, 16)),
  );
}

describe("the edge bridge", () => {
  it("lets no other local process open a session: 60 upgrades without its key are refused, and edge routes still answer", async () => {
    const httpPort = Number(new URL(server.url).port);
    const [bridgePort, ...others] = listeningPorts(server.pid).filter((port) => port !== httpPort);
    expect(others).toEqual([]);
    const upgrade = (query: string) =>
      new Promise<{ status: string; socket: Socket }>((resolve, reject) => {
        const socket = connect(bridgePort!, "127.0.0.1", () =>
          socket.write(
            `GET /v1${query} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
              `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\n\r\n`,
          ),
        );
        socket.once("data", (chunk) => resolve({ status: chunk.toString("latin1").split("\r\n")[0]!, socket }));
        socket.once("error", reject);
      });
    const attempts = await Promise.all(
      Array.from({ length: 60 }, (_, i) => upgrade(["", "?key=guess", `?client=local-${i}`][i % 3]!)),
    );
    // And as many connections that never say anything, held open meanwhile.
    const silent = await Promise.all(
      Array.from({ length: 60 }, () => new Promise<Socket>((resolve) => { const socket = connect(bridgePort!, "127.0.0.1", () => resolve(socket)); })),
    );
    try {
      expect(new Set(attempts.map((a) => a.status))).toEqual(new Set(["HTTP/1.1 401 a valid key is required"]));
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => call(["/api/edge/health", "/api/edge/projects"][i % 2]!)));
      expect(await failures(answers)).toEqual([]);
    } finally {
      for (const { socket } of attempts) socket.destroy();
      for (const socket of silent) socket.destroy();
    }
  });
});
