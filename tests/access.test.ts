// Who may do what, through real HTTP on `next start`, on both runtimes: with API_WRITE_TOKENS set a write wants one
// of its tokens, reads want none; /api/health's details and /api/metrics want loopback or METRICS_TOKEN's bearer; and
// a server whose writes are open on every interface says so in one line when it starts.
import { request } from "node:http";
import { networkInterfaces } from "node:os";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./support/db";
import { startNext, type NextServer } from "../scripts/support/next-start";
import type { TestDatabase } from "../scripts/support/postgres-admin";
import { startServerProcess, type ServerProcess } from "../scripts/support/server-process";

const tokens = [`first-write-token-${process.pid}-0123456789`, `second-write-token-${process.pid}-0123456789`];
const metricsToken = `metrics-token-${process.pid}-0123456789`;
const openWarning = "Writes are open to anyone who can reach";
const prefixes = ["/api", "/api/edge"];

let db: TestDatabase;
let server: NextServer;
let admin: pg.Client;
let projectId: string;
let animationId: string;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const call = (base: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  db = await createTestDatabase("access");
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  server = await startNext({ DATABASE_URL: db.url, API_WRITE_TOKENS: tokens.join(","), METRICS_TOKEN: metricsToken });
  const created = await call(server.url, "POST", "/api/projects", bearer(tokens[0]!), {
    slug: "guarded",
    name: "Guarded",
    characters: [{ name: "hero", animations: [{ name: "idle" }] }],
  });
  expect(created.status).toBe(201);
  const project = await created.json();
  projectId = project.id;
  animationId = project.characters[0].animations[0].id;
});
afterAll(async () => {
  await server?.stop();
  await admin?.end();
  await db?.drop();
});

const rows = async () =>
  (await admin.query("select (select count(*) from projects) p, (select max(name) from projects) n, (select count(*) from frames) f")).rows[0];

describe("with API_WRITE_TOKENS set", () => {
  const writes = (prefix: string) =>
    [
      ["POST", `${prefix}/projects`, { slug: "intruder", name: "Intruder" }],
      ["PATCH", `${prefix}/projects/${projectId}`, { name: "Changed" }],
      ["DELETE", `${prefix}/projects/${projectId}`, undefined],
      ["POST", `${prefix}/animations/${animationId}/frames`, { image: "/x.png", width: 1, height: 1 }],
    ] as const;

  it("refuses every write without a valid token with a 401 that asks for one, on both runtimes, and changes nothing", async () => {
    const before = await rows();
    const presented: Record<string, string>[] = [
      {},
      bearer(`${tokens[0]}x`),
      bearer(tokens[1]!.slice(0, -1)),
      bearer(metricsToken),
      bearer(tokens.join(",")),
      { authorization: tokens[0]! },
      { authorization: `Basic ${tokens[0]}` },
    ];
    const failures: string[] = [];
    for (const prefix of prefixes) {
      for (const [method, path, body] of writes(prefix)) {
        for (const headers of presented) {
          const res = await call(server.url, method, path, headers, body);
          const answer = await res.json();
          if (res.status !== 401 || answer.error?.code !== "unauthorized" || res.headers.get("www-authenticate") !== "Bearer") {
            failures.push(`${method} ${path} ${JSON.stringify(headers)}: ${res.status} ${JSON.stringify(answer)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await rows()).toEqual(before);
  });

  it("refuses a write before reading its body: an endless upload is answered 401 and its connection closed", async () => {
    const answer = await new Promise<{ status?: number; connection?: string; sent: number }>((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const req = request(`${server.url}/api/projects`, {
        method: "POST",
        headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
        agent: false,
      });
      req.on("response", (res) => {
        answered = true;
        res.resume();
        res.on("end", () => {
          req.destroy();
          resolve({ status: res.statusCode, connection: res.headers.connection, sent });
        });
      });
      req.on("error", (error) => (answered ? undefined : reject(error)));
      const chunk = Buffer.alloc(64 * 1024, " ");
      const pump = () => {
        while (!answered && sent < 200 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
      };
      pump();
    });
    expect(answer).toMatchObject({ status: 401, connection: "close" });
    expect(answer.sent).toBeLessThan(200 * 1024 * 1024);
  });

  it("takes writes with either token, on both runtimes", async () => {
    for (const [i, prefix] of prefixes.entries()) {
      const [first, second] = i === 0 ? tokens : [...tokens].reverse();
      const created = await call(server.url, "POST", `${prefix}/projects`, bearer(first!), { slug: `written-${i}`, name: "Written" });
      expect(created.status).toBe(201);
      const { id } = await created.json();
      expect((await call(server.url, "PATCH", `${prefix}/projects/${id}`, bearer(second!), { name: "Renamed" })).status).toBe(200);
      expect((await call(server.url, "POST", `${prefix}/animations/${animationId}/frames`, bearer(first!), { image: "/f.png", width: 2, height: 2 })).status).toBe(201);
      expect((await call(server.url, "DELETE", `${prefix}/projects/${id}`, bearer(second!))).status).toBe(204);
    }
  });

  it("answers reads and pages without a token", async () => {
    for (const prefix of prefixes) {
      expect((await call(server.url, "GET", `${prefix}/projects`)).status).toBe(200);
      expect((await call(server.url, "GET", `${prefix}/projects/${projectId}`)).status).toBe(200);
    }
    for (const page of ["/", "/projects/guarded", "/projects/guarded/hero/idle"]) expect((await fetch(`${server.url}${page}`)).status, page).toBe(200);
  });

  it("keeps the tokens out of every answer and log line, and says nothing of open writes", async () => {
    const answers = await Promise.all(
      [{}, bearer(`${tokens[0]}x`)].map(async (headers) => (await call(server.url, "POST", "/api/projects", headers, {})).text()),
    );
    const everything = answers.join("\n") + server.logs();
    for (const secret of [...tokens, metricsToken]) expect(everything).not.toContain(secret);
    expect(server.logs()).not.toContain(openWarning);
  });
});

describe("the server's internals", () => {
  const details = async (base: string, path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { headers });
    expect(res.status).toBe(200);
    return Object.keys(await res.json()).sort();
  };
  const everything = ["cache", "database", "pool", "runtime", "status"];

  it("are in /api/health only for METRICS_TOKEN's bearer when it is set, loopback or not, on both runtimes", async () => {
    for (const path of ["/api/health", "/api/edge/health"]) {
      expect(await details(server.url, path)).toEqual(["status"]);
      expect(await details(server.url, path, bearer(tokens[0]!))).toEqual(["status"]);
      expect(await details(server.url, path, { "x-sprite-store-peer-address": "127.0.0.1" })).toEqual(["status"]);
      expect(await details(server.url, path, bearer(metricsToken))).toEqual(everything);
    }
  });

  // A caller from another address than loopback needs an address of this machine that is not loopback.
  const external = Object.values(networkInterfaces())
    .flat()
    .find((address) => address && address.family === "IPv4" && !address.internal)?.address;

  describe.skipIf(!external)(`on every interface, with writes open (reached at ${external ?? "no external address"})`, () => {
    let open: ServerProcess;
    beforeAll(async () => {
      open = await startServerProcess("next start -H 0.0.0.0", (port) => ({
        file: "node_modules/.bin/next",
        args: ["start", "-p", String(port), "-H", "0.0.0.0"],
        env: { NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: db.url, API_WRITE_TOKENS: "", METRICS_TOKEN: "" },
      }));
    });
    afterAll(async () => {
      await open?.stop();
    });

    it("says so in one line when it starts", () => {
      const lines = open.logs().split("\n").filter((line) => line.includes(openWarning));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, msg: expect.stringContaining("set API_WRITE_TOKENS") });
    });

    it("shows a caller from another address health's status only, whatever it claims, and no metrics", async () => {
      const port = new URL(open.url).port;
      const outside = `http://${external}:${port}`;
      for (const path of ["/api/health", "/api/edge/health"]) {
        expect(await details(outside, path)).toEqual(["status"]);
        expect(await details(outside, path, { "x-sprite-store-peer-address": "127.0.0.1", "x-forwarded-for": "127.0.0.1" })).toEqual(["status"]);
        expect(await details(open.url, path)).toEqual(everything);
      }
      expect((await fetch(`${outside}/api/metrics`)).status).toBe(403);
      expect((await fetch(`${open.url}/api/metrics`)).status).toBe(200);
    });
  });
});
