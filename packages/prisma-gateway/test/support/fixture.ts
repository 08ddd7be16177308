// What both gateway test files stand on: a database of the run's PostgreSQL reached as a role with a SCRAM password
// (every connection the gateway opens authenticates for real, and the logs have a secret to keep), an API key, and
// `bun run gateway` processes on free ports.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { freePort } from "../../../../scripts/support/free-port";
import { databaseUrl, type TestDatabase } from "../../../../scripts/support/postgres-admin";
import { createTestDatabase, serverUrl } from "../../../../tests/support/db";

export type GatewayProcess = { name: string; port: number; url: string; child: ChildProcess; logs: () => string; exited: Promise<number | null> };
export type Fixture = Awaited<ReturnType<typeof gatewayFixture>>;

export async function gatewayFixture(databaseName: string) {
  const key = randomBytes(24).toString("base64url");
  const role = `${databaseName}_${randomBytes(3).toString("hex")}`;
  const password = randomBytes(18).toString("base64url");
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const db: TestDatabase = await createTestDatabase(databaseName);
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(`set password_encryption = 'scram-sha-256'`);
  await admin.query(`create role ${role} login password '${password}'`);
  await admin.query(`grant all on all tables in schema public to ${role}`);
  const url = new URL(databaseUrl(serverUrl(), db.name));
  url.username = role;
  url.password = password;
  const roleUrl = url.toString();

  /** `tsx src/main.ts` (what `bun run gateway` runs) on a free port, waited for until /health answers. */
  async function spawnGateway(name: string, env: Record<string, string>): Promise<GatewayProcess> {
    const port = Number(env.GATEWAY_PORT ?? (await freePort()));
    // Node.js with tsx's loader rather than tsx's launcher, so that signals reach the gateway itself.
    const child = spawn(process.execPath, ["--import", "tsx", "packages/prisma-gateway/src/main.ts"], {
      env: { ...process.env, DATABASE_URL: roleUrl, GATEWAY_API_KEYS: `test:${key}`, GATEWAY_PORT: String(port), GATEWAY_INSTANCE: name, GATEWAY_LOG_LEVEL: "debug", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    cleanups.push(() => (child.exitCode === null ? (child.kill("SIGKILL"), exited) : undefined));
    const gatewayUrl = `http://127.0.0.1:${port}`;
    for (const deadline = Date.now() + 60_000; ; ) {
      if (child.exitCode !== null) throw new Error(`gateway ${name} exited with ${child.exitCode}:\n${output}`);
      if (await fetch(`${gatewayUrl}/health`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error(`gateway ${name} did not answer:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return { name, port, url: gatewayUrl, child, logs: () => output, exited };
  }

  /** Runs what the tests registered, last first, then removes the role's sessions, the role and the database. */
  async function close() {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = '${role}'`).catch(() => {});
    await admin.end();
    await db.drop();
    await new pg.Client({ connectionString: serverUrl() }).connect().then(async (client) => {
      await client.query(`drop role if exists ${role}`).catch(() => {});
      await client.end();
    }, () => {});
  }

  return { key, password, db, admin, roleUrl, cleanups, spawnGateway, close };
}
