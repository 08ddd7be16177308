// The asset importer as a user runs it: its own process, a tree on disk, a database given by DATABASE_URL.
import { spawn, type ChildProcess } from "node:child_process";

export type ImportRun = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/**
 * Starts `tsx scripts/import-assets.ts <dir>` in a process group of its own: tsx runs the script in a child
 * process, and a kill must reach both.
 */
export function spawnImport(dir: string, databaseUrl: string) {
  const child = spawn("node_modules/.bin/tsx", ["scripts/import-assets.ts", dir], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const finished = new Promise<ImportRun>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { finished, kill: (signal: NodeJS.Signals) => killGroup(child, signal) };
}

export const runImport = (dir: string, databaseUrl: string) => spawnImport(dir, databaseUrl).finished;

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** The "frames: …" line of a report as numbers. */
export function frameCounts(stdout: string) {
  const match = /^frames: (\d+) created, (\d+) updated, (\d+) unchanged$/m.exec(stdout);
  if (!match) throw new Error(`no frame counts in the report:\n${stdout}`);
  return { created: Number(match[1]), updated: Number(match[2]), unchanged: Number(match[3]) };
}
