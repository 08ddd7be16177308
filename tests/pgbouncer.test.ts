// The app through PgBouncer in transaction mode (Debian's pgbouncer package), as teams deploy it at scale.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../scripts/support/free-port";
import { createTestDatabase } from "./support/db";
import { startNext, type NextServer } from "../scripts/support/next-start";
import type { TestDatabase } from "../scripts/support/postgres-admin";

const binary = "/usr/sbin/pgbouncer";
const missing = !existsSync(binary);
if (missing) console.warn(`PgBouncer tests skipped: ${binary} is absent (apt-get install pgbouncer).`);

let db: TestDatabase;
let bouncer: ChildProcess | undefined;
let server: NextServer;
const scratch = mkdtempSync(path.join(tmpdir(), "pgbouncer-"));

beforeAll(async () => {
  if (missing) return;
  db = await createTestDatabase("pgbouncer");
  const target = new URL(db.url);
  const port = await freePort();
  chmodSync(scratch, 0o777);
  writeFileSync(path.join(scratch, "userlist.txt"), `"${decodeURIComponent(target.username)}" ""\n`);
  writeFileSync(
    path.join(scratch, "pgbouncer.ini"),
    [
      "[databases]",
      `${db.name} = host=${target.hostname} port=${target.port || 5432} dbname=${db.name} user=${decodeURIComponent(target.username)}` +
        (target.password ? ` password=${decodeURIComponent(target.password)}` : ""),
      "[pgbouncer]",
      `listen_addr = 127.0.0.1`,
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${scratch}/userlist.txt`,
      "pool_mode = transaction",
      "default_pool_size = 3",
      // Session settings cannot travel through a transaction pooler; set them on the role or database instead.
      "ignore_startup_parameters = statement_timeout,idle_in_transaction_session_timeout",
    ].join("\n"),
  );
  bouncer = spawn(binary, ["-u", "postgres", path.join(scratch, "pgbouncer.ini")], { stdio: "inherit" });
  const url = new URL(db.url);
  url.host = `127.0.0.1:${port}`;
  url.password = "";
  for (let i = 0; i < 50; i++) {
    if (await fetch(`http://127.0.0.1:${port}`).then(() => true, (e) => e.cause?.code !== "ECONNREFUSED")) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  server = await startNext({ DATABASE_URL: url.toString(), DB_POOL_MAX: "8" });
});
afterAll(async () => {
  await server?.stop();
  bouncer?.kill("SIGTERM");
  await db?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

const call = async (path: string, method = "GET", body?: unknown) => {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
};

it.skipIf(missing)("serves CRUD, nested writes and interactive transactions through PgBouncer", async () => {
  expect((await call("/api/health")).status).toBe(200);
  const created = await call("/api/projects", "POST", {
    slug: "bounced",
    name: "Bounced",
    characters: [{ name: "c", animations: [{ name: "a", frames: [{ index: 0, image: "/0.png", width: 2, height: 2 }] }] }],
  });
  expect(created.status).toBe(201);
  const id = created.body.id;
  const animationId = created.body.characters[0].animations[0].id;
  expect((await call(`/api/projects/${id}`)).body.characters[0].animations[0].frameCount).toBe(1);
  expect((await call(`/api/projects/${id}`, "PATCH", { name: "Renamed" })).body.name).toBe("Renamed");
  expect((await call("/api/projects", "POST", { slug: "bounced", name: "Clash" })).status).toBe(409);

  // More concurrent transactions than PgBouncer has server connections: each must still see only its own.
  const appends = await Promise.all(
    Array.from({ length: 20 }, () => call(`/api/animations/${animationId}/frames`, "POST", { image: "/n.png", width: 2, height: 2 })),
  );
  expect(appends.map((a) => a.status)).toEqual(Array(20).fill(201));
  expect(appends.map((a) => a.body.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));

  expect((await call(`/api/projects/${id}`, "DELETE")).status).toBe(204);
  expect((await call(`/api/projects/${id}`)).status).toBe(404);
});
