// A fresh clone deployed as docs/deploying.md says: the Dockerfile's steps build it with no database, the release step
// migrates one, and the container's command serves it. Then, in the same clone: installs with DATABASE_URL empty, at
// a closed port, at an empty database and at one on an older migration, none of which opens a session on those
// databases (that a build opens none, tests/build.test.ts checks on every run's build); the README's first command
// (`bun run dev`, embedded PostgreSQL); and `bun run db:generate` after a query and a migration change.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startEmbeddedPostgres } from "../../scripts/support/embedded-postgres";
import { freePort } from "../../scripts/support/free-port";
import { createDatabase, withAdmin, type TestDatabase } from "../../scripts/support/postgres-admin";
import { startServerProcess, type ServerProcess } from "../../scripts/support/server-process";
import { buildImage, run, runInImage, type Image } from "../support/dockerfile";
import { relations, sessionCounts } from "../support/db";
import { eventually } from "../support/eventually";

const repo = execFileSync("git", ["rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim();
const scratch = mkdtempSync(path.join(tmpdir(), "deploy-"));
chmodSync(scratch, 0o755); // the embedded server runs as the postgres user when this runs as root
const context = path.join(scratch, "context");
const databases: TestDatabase[] = [];
const servers: ServerProcess[] = [];
let image: Image;

// What the build host gives a `docker build`: its Node.js and package caches (a real build starts with empty ones),
// and its network settings. Nothing else of this process's: no DATABASE_URL, CI, NODE_ENV or node_modules/.bin.
const buildEnv: Record<string, string> = Object.fromEntries(
  Object.entries({
    ...process.env,
    PATH: process.env.PATH?.split(path.delimiter).filter((dir) => !/node_modules|bun-node/.test(dir)).join(path.delimiter),
  }).filter(
    (entry): entry is [string, string] =>
      entry[1] !== undefined && /^(PATH|HOME|TMPDIR|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|(HTTPS?|NO)_PROXY|(https?|no)_proxy)$/.test(entry[0]),
  ),
);

const log = (line: string) => console.log(`[deploy] ${line}`);
const newDatabase = async (prefix: string) => {
  const database = await createDatabase(inject("serverUrl"), prefix);
  databases.push(database);
  return database;
};

/** Runs a command in the built image's folder as a user or a CI job would: the build host's env and `env`. */
async function inClone(command: string[], env: Record<string, string>, what: string) {
  const started = Date.now();
  const result = await run(command[0]!, command.slice(1), image.workdir, { ...buildEnv, NEXT_TELEMETRY_DISABLED: "1", ...env });
  log(`${command.join(" ")}, DATABASE_URL ${what}: exit ${result.code} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

beforeAll(() => {
  execFileSync("git", ["clone", "--quiet", repo, context]);
});
afterAll(async () => {
  await Promise.allSettled(servers.map((server) => server.stop("SIGKILL")));
  await Promise.allSettled(databases.map((database) => database.drop()));
  rmSync(scratch, { recursive: true, force: true });
});

describe("the Dockerfile, built and run from a fresh clone", () => {
  it("builds with no database, then serves one that the release step migrated", async () => {
    const started = Date.now();
    image = await buildImage(context, path.join(scratch, "image"), buildEnv, log);
    log(`image built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    // The steps ran on this machine's Node.js: it must be the base image's major version.
    expect(image.base).toMatch(new RegExp(`^node:${process.versions.node.split(".")[0]}[.-]`));
    expect(existsSync(path.join(image.workdir, "lib/generated/prisma/sql/nextFrameIndex.ts"))).toBe(true);
    expect(existsSync(path.join(image.workdir, ".data")), "the image carries no database files").toBe(false);

    // The release step, in the image, against the database the container will use.
    const database = await newDatabase("deploy_released");
    const deploy = await runInImage(image, buildEnv, ["npx", "bun", "run", "db:deploy"], { DATABASE_URL: database.url });
    expect(deploy.code, deploy.output).toBe(0);

    // The container's command, as `docker run -e DATABASE_URL -e PORT` starts it: the image's env and those two.
    const server = await startServerProcess(
      "the image's CMD",
      (port) => ({ file: image.cmd[0]!, args: image.cmd.slice(1), env: { ...buildEnv, ...image.env, DATABASE_URL: database.url, PORT: String(port) } }),
      { cwd: image.workdir, isolatedEnv: true, ready: (res) => res.status === 200, timeoutMs: 120_000 },
    );
    servers.push(server);
    const call = async (route: string, body?: unknown) => {
      const res = await fetch(`${server.url}${route}`, {
        method: body ? "POST" : "GET",
        headers: { "content-type": "application/json" },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: await res.json() };
    };
    const project = await call("/api/projects", { slug: "deployed", name: "Deployed", characters: [{ name: "c", animations: [{ name: "a" }] }] });
    const animationId = project.body.characters?.[0]?.animations?.[0]?.id;
    // Appending runs the TypedSQL query (nextFrameIndex) that the install generated.
    const frames = [await call(`/api/animations/${animationId}/frames`, { image: "/f.png", width: 8, height: 8 }), await call(`/api/animations/${animationId}/frames`, { image: "/g.png", width: 8, height: 8 })];
    const health = await call("/api/health");
    const edge = await call("/api/edge/health");
    expect(
      [project.status, ...frames.map((f) => `${f.status} index ${f.body.index}`), health.status, edge.status],
      server.logs(),
    ).toEqual([201, "201 index 0", "201 index 1", 200, 200]);
    expect(await server.stop("SIGTERM")).toBe(0);
  });
});

describe("install in that clone, whatever DATABASE_URL says", () => {
  it("succeeds with it empty, at a closed port, at an empty database and at one on an older migration, writing to none", async () => {
    const empty = await newDatabase("deploy_empty");
    const older = await newDatabase("deploy_older");
    const [firstMigration] = readdirSync(path.join(context, "prisma/migrations"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    await withAdmin(older.url, (client) => client.query(readFileSync(path.join(context, "prisma/migrations", firstMigration!, "migration.sql"), "utf8")));
    const olderBefore = await relations(older.url);
    expect(olderBefore.length).toBeGreaterThan(0);
    // Every session ever opened on them: none on the empty one, this test's two on the older one (once their
    // backends have ended and reported).
    const sessionsBefore = await eventually(
      () => sessionCounts([empty.name, older.name]),
      (counts) => counts[empty.name] === 0 && counts[older.name] === 2,
      "sessions before the installs",
    );
    const closed = `postgresql://app:secret@127.0.0.1:${await freePort()}/app`;

    const outcomes: string[] = [];
    for (const [what, url] of [
      ["empty", ""],
      ["a closed port", closed],
      ["an empty database", empty.url],
      ["a database on an older migration", older.url],
    ] as const) {
      const install = await inClone(["npx", "bun", "install", "--frozen-lockfile"], { DATABASE_URL: url }, what);
      // The postinstall ran and described the queries (bun runs it on every install, changed or not), on the
      // migrations database the previous install built.
      const described = /TypedSQL: queries described against the committed migrations \(typedsql_\w+, (built|kept from the last run)/.exec(install.output)?.[1];
      const generated = install.code === 0 && described && /Generated Prisma Client/.test(install.output);
      outcomes.push(`${what}: install ${generated ? `generated the client, migrations database ${described}` : `failed:\n${install.output.slice(-3000)}`}`);
    }
    // The image's install deleted .data, so the first one here builds the migrations database again.
    expect(outcomes).toEqual([
      "empty: install generated the client, migrations database built",
      "a closed port: install generated the client, migrations database kept from the last run",
      "an empty database: install generated the client, migrations database kept from the last run",
      "a database on an older migration: install generated the client, migrations database kept from the last run",
    ]);
    // Checked before this test connects to them itself.
    expect(await sessionCounts([empty.name, older.name])).toEqual(sessionsBefore);
    expect(await relations(empty.url)).toEqual([]);
    expect(await relations(older.url)).toEqual(olderBefore);
  });
});

describe("the README's first command in that clone", () => {
  it("`bun run dev` with no DATABASE_URL answers from the embedded PostgreSQL, on both runtimes", async () => {
    const server = await startServerProcess(
      "bun run dev",
      (port) => ({ file: "npx", args: ["bun", "run", "dev"], env: { ...buildEnv, NEXT_TELEMETRY_DISABLED: "1", PORT: String(port) } }),
      { cwd: image.workdir, isolatedEnv: true, processGroup: true, ready: (res) => res.status === 200, timeoutMs: 240_000 },
    );
    servers.push(server);
    const edge = await fetch(`${server.url}/api/edge/health`);
    const body = await edge.json();
    expect([edge.status, body.runtime], server.logs()).toEqual([200, "edge"]);
    await server.stop("SIGINT");
  });
});

describe("`bun run db:generate` in that clone", () => {
  it("follows a changed query on a new migration, with DATABASE_URL at a closed port", async () => {
    const migration = path.join(image.workdir, "prisma/migrations/29991231000000_deploy_check");
    mkdirSync(migration);
    writeFileSync(path.join(migration, "migration.sql"), 'ALTER TABLE "projects" ADD COLUMN "deploy_check" INTEGER NOT NULL DEFAULT 0;\n');
    writeFileSync(
      path.join(image.workdir, "prisma/sql/deployCheck.sql"),
      '-- @param {String} $1:slug\nSELECT name, description, deploy_check AS "deployCheck" FROM projects WHERE slug = $1\n',
    );
    const generate = await inClone(["npx", "bun", "run", "db:generate"], { DATABASE_URL: "postgresql://app:secret@127.0.0.1:1/app" }, "at a closed port");
    expect(generate.code, generate.output).toBe(0);
    const built = /(typedsql_\w+), built/.exec(generate.output)?.[1];
    expect(built, generate.output).toBeDefined();
    expect(readFileSync(path.join(image.workdir, "lib/generated/prisma/sql/deployCheck.ts"), "utf8")).toMatch(/description: string[\s\S]*deployCheck: number/);

    // One migrations database is kept: the one for the migrations as they are now.
    const embedded = await startEmbeddedPostgres({ dataDir: path.join(image.workdir, ".data/postgres"), database: "postgres" });
    try {
      const kept = await withAdmin(embedded.url, async (admin) => {
        const { rows } = await admin.query<{ datname: string }>("select datname from pg_database where starts_with(datname, 'typedsql_') order by 1");
        return rows.map((row) => row.datname);
      });
      expect(kept).toEqual([built]);
    } finally {
      await embedded.stop();
    }
  });
});
