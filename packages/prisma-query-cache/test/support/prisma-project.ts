// A Prisma 7 project folder of the package's tests: the fixture schema and config, the repo's `prisma` CLI, and
// Prisma's schema engine as the offline WebAssembly bridge (prisma-wasm-engine), so nothing is downloaded. Folders
// live under test/.work, from where the generated client and the project's code resolve the installed packages.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const resolve = createRequire(import.meta.url).resolve;
const prismaCli = resolve("prisma/build/index.js");
const schemaEngine = resolve("prisma-wasm-engine/schema-engine");
export const fixtures = path.join(import.meta.dirname, "../fixtures");
export const packageDir = path.join(import.meta.dirname, "../..");

export type PrismaProject = {
  dir: string;
  /** Runs the `prisma` CLI in the folder; rejects with its output when it fails. */
  prisma: (args: string[], databaseUrl?: string) => Promise<string>;
  /** The generated client's entry, once `prisma generate` has run. */
  clientModule: string;
  remove: () => void;
};

/** A new folder with `prisma/schema.prisma` (the fixture's) and `prisma.config.ts`. */
export function prismaProject(name: string): PrismaProject {
  const parent = path.join(packageDir, "test/.work");
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, `${name}-`));
  mkdirSync(path.join(dir, "prisma"));
  cpSync(path.join(fixtures, "schema.prisma"), path.join(dir, "prisma/schema.prisma"));
  cpSync(path.join(fixtures, "prisma.config.ts"), path.join(dir, "prisma.config.ts"));
  return {
    dir,
    prisma: (args, databaseUrl) =>
      new Promise((done, fail) => {
        const env = { ...process.env, DATABASE_URL: databaseUrl, PRISMA_SCHEMA_ENGINE_BINARY: schemaEngine, CHECKPOINT_DISABLE: "1", NO_COLOR: "1" };
        execFile(process.execPath, [prismaCli, ...args], { cwd: dir, env }, (error, stdout, stderr) =>
          error ? fail(new Error(`prisma ${args.join(" ")} failed:\n${stdout}${stderr}`)) : done(stdout),
        );
      }),
    clientModule: path.join(dir, "generated/prisma/client.ts"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
