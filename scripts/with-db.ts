// Runs a command against the project's database: the user's DATABASE_URL when set (.env counts), else an embedded
// PostgreSQL started for the command and stopped after it, its data kept for the next run.
//   tsx scripts/with-db.ts [--deploy] <command> [args...]
// --deploy applies pending migrations to the embedded database first; a user's own database is never migrated
// behind their back.
import { spawn, spawnSync } from "node:child_process";
import { config as loadDotenv } from "dotenv";
import { startEmbeddedPostgres } from "./support/embedded-postgres";

loadDotenv({ quiet: true });

const args = process.argv.slice(2);
const deploy = args[0] === "--deploy";
const [command, ...commandArgs] = deploy ? args.slice(1) : args;
if (!command) {
  console.error("usage: tsx scripts/with-db.ts [--deploy] <command> [args...]");
  process.exit(2);
}

let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
if (!process.env.DATABASE_URL) {
  embedded = await startEmbeddedPostgres().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
  process.env.DATABASE_URL = embedded.url;
  console.error(`Using the embedded PostgreSQL at ${new URL(embedded.url).host} (data in .data/postgres).`);
  if (deploy) {
    const { status } = spawnSync("prisma", ["migrate", "deploy"], { stdio: ["ignore", "ignore", "inherit"] });
    if (status !== 0) await exit(status ?? 1);
  }
}

const child = spawn(command, commandArgs, { stdio: "inherit" });
// The child may still be finishing requests: it is told, this process waits for it, then stops the server.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("error", (error) => {
  console.error(`${command}: ${error.message}`);
  void exit(127);
});
child.on("exit", (code, signal) => void exit(code ?? 128 + (signal === "SIGINT" ? 2 : 15)));

async function exit(code: number): Promise<never> {
  await embedded?.stop();
  process.exit(code);
}
