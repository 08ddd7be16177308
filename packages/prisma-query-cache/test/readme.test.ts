// A stranger's Prisma 7 app, set up from this package's README alone: a project of its own (the fixture schema, a
// fresh database), the package installed into its node_modules, the README's shell steps run by bash as written,
// its two code blocks saved as db.ts and main.ts, type-checked, and run.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase, type TestDatabase } from "../../../scripts/support/postgres-admin";
import { startRedis, type RunningRedis } from "../../../scripts/support/redis-server";
import { packageDir, prismaProject, type PrismaProject } from "./support/prisma-project";

const readme = readFileSync(path.join(packageDir, "README.md"), "utf8");
/** The fenced blocks of one language under a heading, in order. */
const blocks = (heading: string, language: string) => {
  const section = readme.slice(readme.indexOf(`\n## ${heading}\n`), readme.indexOf("\n## ", readme.indexOf(`\n## ${heading}\n`) + 1));
  return [...section.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((match) => match[1]!);
};

const resolve = createRequire(import.meta.url).resolve;
const run = (command: string, args: string[], cwd: string, env: Record<string, string>) =>
  new Promise<string>((done, fail) =>
    execFile(command, args, { cwd, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      error ? fail(new Error(`${command} ${args.join(" ")}:\n${stdout}${stderr}`)) : done(stdout),
    ),
  );

let db: TestDatabase;
let redis: RunningRedis;
let project: PrismaProject;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createDatabase(inject("serverUrl"), "test_cache_readme");
  redis = await startRedis();
  project = prismaProject("readme");
  // `npm install`, offline: the package where npm would put it.
  mkdirSync(path.join(project.dir, "node_modules"));
  symlinkSync(packageDir, path.join(project.dir, "node_modules/prisma-query-cache"));
  // `npx prisma` is the repository's CLI, with the offline schema engine.
  const bin = path.join(project.dir, ".bin");
  mkdirSync(bin);
  writeFileSync(path.join(bin, "npx"), `#!/bin/sh\n[ "$1" = prisma ] && shift && exec "${process.execPath}" "${resolve("prisma/build/index.js")}" "$@"\nexit 127\n`, { mode: 0o755 });
  env = {
    PATH: `${bin}:${process.env.PATH}`,
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    PRISMA_SCHEMA_ENGINE_BINARY: resolve("prisma-wasm-engine/schema-engine"),
    CHECKPOINT_DISABLE: "1",
  };
});
afterAll(async () => {
  project?.remove();
  await redis?.stop();
  await db?.drop();
});

describe("the README", () => {
  it("sets up the triggers and a client whose types hold, which caches, invalidates and hears other writers", async () => {
    const [steps] = blocks("Install", "sh");
    expect(steps).toContain("cache-notify.sql");
    await run("bash", ["-e", "-c", steps!], project.dir, env);
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const triggers = await admin.query("select tgrelid::regclass::text as name from pg_trigger where tgname = 'cache_notify' order by 1");
    // The stranger's own data, there before the app starts.
    await admin.query("with ada as (insert into authors (id, name) values (gen_random_uuid(), 'Ada') returning id) insert into posts (id, title, author_id) select gen_random_uuid(), 'Hello', id from ada");
    await admin.end();
    expect(triggers.rows.map((row) => row.name)).toEqual(["authors", "posts"]);

    const [client, usage] = blocks("Use", "ts");
    writeFileSync(path.join(project.dir, "db.ts"), client!);
    // Around the README's code: what it prints is kept, and afterwards a second client of the same setup checks
    // that a write from elsewhere (psql's, here pg's) reaches the cache through the triggers.
    const before = `
const printed: unknown[] = [];
const print = console.log;
console.log = (...values: unknown[]) => (printed.push(values[0]), print(...values));
`;
    const after = `
const { default: pg } = await import("pg");
const { PrismaPg: Adapter } = await import("@prisma/adapter-pg");
const { PrismaClient: Client } = await import("./generated/prisma/client");
const { withQueryCache: cache } = await import("prisma-query-cache");
const other = new Client({ adapter: new Adapter({ connectionString: process.env.DATABASE_URL }) }).$extends(
  cache({ redisUrl: process.env.REDIS_URL, notifyUrl: process.env.DATABASE_URL }),
);
await other.$connect();
const cached = async () => (await other.post.findUnique({ where: { id }, cacheStrategy: { ttl: 60 } }))?.title;
await cached();
const elsewhere = new pg.Client({ connectionString: process.env.DATABASE_URL });
await elsewhere.connect();
await elsewhere.query("update posts set title = 'from elsewhere' where id = $1", [id]);
await elsewhere.end();
let heard = await cached();
for (let tries = 0; heard !== "from elsewhere" && tries < 500; tries++) {
  await new Promise((resolve) => setTimeout(resolve, 20));
  heard = await cached();
}
// Typed from the stranger's schema: these two would compile if cacheStrategy or the models were typed loosely.
const typed = () => [
  // @ts-expect-error ttl is a number of seconds
  other.post.findMany({ cacheStrategy: { ttl: "60" } }),
  // @ts-expect-error the schema has no such field
  other.post.findMany({ where: { nope: 1 }, cacheStrategy: { ttl: 60 } }),
];
void typed;
const trusted = other.$cache.stats().trusted;
await other.$disconnect();
print(JSON.stringify({ stats: printed[0], heard, trusted }));
`;
    writeFileSync(path.join(project.dir, "main.ts"), `${before}\n${usage!}\n${after}`);
    writeFileSync(
      path.join(project.dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "ES2023", module: "esnext", moduleResolution: "bundler", strict: true, noEmit: true, allowImportingTsExtensions: true, skipLibCheck: true, types: ["node"] },
        include: ["db.ts", "main.ts"],
      }),
    );
    await run(process.execPath, [resolve("typescript/bin/tsc"), "-p", "."], project.dir, env);

    const output = await run(process.execPath, ["--import", "tsx", "main.ts"], project.dir, env);
    const { stats, heard, trusted } = JSON.parse(output.trim().split("\n").at(-1)!) as {
      stats: { hits: number; misses: number; bypasses: number; trusted: boolean; redis: string; listener: string };
      heard: string;
      trusted: boolean;
    };
    // A miss, a hit, a miss after the update, a miss after $cache.invalidate; Redis and the listener both in use.
    expect(stats).toMatchObject({ hits: 1, misses: 3, bypasses: 0, trusted: true, redis: "ready", listener: "up" });
    expect(heard).toBe("from elsewhere");
    expect(trusted).toBe(true);
    // Six CLI runs, a type check and the app: each a Node.js process that loads Prisma, slow on a busy machine.
  }, 600_000);
});
