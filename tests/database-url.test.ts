// DATABASE_URL as node-postgres reads it, on both runtimes: a PostgreSQL of this file's own listening on ::1 and
// on a Unix socket directory of its own; a URL the edge bridge cannot follow; DB_SSL_MODE against `sslmode`.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectionSettings } from "@/lib/db/connection-settings";
import { startEmbeddedPostgres, type RunningPostgres } from "../scripts/support/embedded-postgres";
import { startNext } from "../scripts/support/next-start";

const scratch = mkdtempSync(path.join(tmpdir(), "database-url-"));
chmodSync(scratch, 0o755);
const socketDir = path.join(scratch, "socket");
let postgres: RunningPostgres;
let admin: pg.Client;
let credentials: string;
let port: number;

beforeAll(async () => {
  mkdirSync(socketDir);
  chmodSync(socketDir, 0o777); // the server runs as the postgres user when this runs as root
  postgres = await startEmbeddedPostgres({
    dataDir: path.join(scratch, "data"),
    database: "app",
    postgresFlags: ["-c", "listen_addresses=127.0.0.1,::1", "-c", `unix_socket_directories=${socketDir}`],
  });
  const url = new URL(postgres.url);
  credentials = `${url.username}:${url.password}`;
  port = Number(url.port);
  execFileSync("node_modules/.bin/prisma", ["migrate", "deploy"], { env: { ...process.env, DATABASE_URL: postgres.url }, stdio: "ignore" });
  admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await postgres?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("both runtimes reach the database DATABASE_URL names", () => {
  it.each([
    ["an IPv6 address", () => `postgresql://${credentials}@[::1]:${port}/app`, "::1/128"],
    ["a Unix socket directory", () => `postgresql://${credentials}@/app?host=${socketDir}&port=${port}`, null],
  ])("%s", async (_what, databaseUrl, clientAddress) => {
    const name = `url-${process.pid}-${clientAddress ? "ipv6" : "socket"}`;
    const server = await startNext({ DATABASE_URL: databaseUrl(), DB_APPLICATION_NAME: name });
    try {
      const answers: string[] = [];
      for (const [method, route] of [["GET", "/api/health"], ["GET", "/api/edge/health"], ["GET", "/api/edge/projects"], ["POST", "/api/edge/projects"]]) {
        const res = await fetch(`${server.url}${route}`, {
          method,
          headers: { "content-type": "application/json" },
          body: method === "POST" ? JSON.stringify({ slug: name, name }) : undefined,
        });
        answers.push(`${method} ${route} ${res.status}`);
      }
      expect(answers, server.logs()).toEqual([
        "GET /api/health 200",
        "GET /api/edge/health 200",
        "GET /api/edge/projects 200",
        "POST /api/edge/projects 201",
      ]);
      // Both runtimes' sessions, and each one's cache listener, came in the way the URL says: over ::1, or a socket (no
      // client address).
      const { rows } = await admin.query<{ application_name: string; client_addr: string | null }>(
        "select distinct application_name, client_addr::text from pg_stat_activity where application_name like $1 order by 1",
        [`${name}%`],
      );
      expect(rows).toEqual([
        { application_name: name, client_addr: clientAddress },
        { application_name: `${name}/cache-listener`, client_addr: clientAddress },
        { application_name: `${name}/edge`, client_addr: clientAddress },
        { application_name: `${name}/edge/cache-listener`, client_addr: clientAddress },
      ]);
    } finally {
      await server.stop();
    }
  });

  it("turns the edge bridge off with one line when the URL names several hosts", async () => {
    // The proxy answers this path without a database, so readiness needs no connection to the odd hosts.
    const server = await startNext(
      { DATABASE_URL: `postgresql://${credentials}@localhost,localhost/app`, DB_EDGE_TRANSPORT: "websocket" },
      { probePath: "/api/%", ready: (res) => res.status === 400 },
    );
    await server.stop();
    const lines = server.logs().split("\n").filter((line) => line.includes("Edge routes are off"));
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      "Edge routes are off: DATABASE_URL names several hosts; the edge bridge reaches one server only. Set DB_EDGE_PROXY_URL to a WebSocket proxy.",
    ]);
    expect(server.logs()).not.toContain(credentials.split(":")[1]);
  });
});

describe("DB_SSL_MODE wins over sslmode in DATABASE_URL (this server has no TLS)", () => {
  const connects = async (url: string, mode?: "disable" | "require") => {
    const client = new pg.Client(connectionSettings(url, {}, mode));
    try {
      await client.connect();
      return "connected";
    } catch (error) {
      return (error as Error).message;
    } finally {
      await client.end().catch(() => {});
    }
  };
  const withSslMode = (mode: string) => `${postgres.url}?sslmode=${mode}`;

  it.each([
    ["the URL's sslmode=require, DB_SSL_MODE unset: the URL decides", "require", undefined, "The server does not support SSL connections"],
    ["sslmode=require, DB_SSL_MODE=disable: the variable wins", "require", "disable", "connected"],
    ["sslmode=disable, DB_SSL_MODE=require: the variable wins", "disable", "require", "The server does not support SSL connections"],
    ["sslmode=disable, DB_SSL_MODE unset", "disable", undefined, "connected"],
  ] as const)("%s", async (_what, urlMode, mode, expected) => {
    expect(await connects(withSslMode(urlMode), mode)).toBe(expected);
  });

  it("holds for next start's pool too", async () => {
    const server = await startNext({ DATABASE_URL: withSslMode("require"), DB_SSL_MODE: "disable" });
    try {
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    } finally {
      await server.stop();
    }
    const refused = await startNext({ DATABASE_URL: withSslMode("disable"), DB_SSL_MODE: "require" });
    try {
      const res = await fetch(`${refused.url}/api/health`);
      expect([res.status, (await res.json()).error.code]).toEqual([503, "database_unavailable"]);
    } finally {
      await refused.stop();
    }
  });
});
