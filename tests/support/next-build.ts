// The HTTP tests run `next start`, so they need the production build of the current source. SKIP_NEXT_BUILD=1 reuses
// the build already in .next (CI's second pass, on another server, tests the same source). The build is given a
// DATABASE_URL at an empty database of its own, which tests/build.test.ts then finds untouched: a build needs no
// database, so a Dockerfile's, with none, builds the same.
import { execFileSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { createDatabase } from "../../scripts/support/postgres-admin";

declare module "vitest" {
  export interface ProvidedContext {
    buildDatabase?: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.SKIP_NEXT_BUILD === "1") return;
  const database = await createDatabase(project.getProvidedContext().serverUrl, "next_build");
  try {
    execFileSync("node_modules/.bin/next", ["build"], {
      env: { ...process.env, DATABASE_URL: database.url, NEXT_TELEMETRY_DISABLED: "1" },
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (error) {
    await database.drop();
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`next build failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
  project.provide("buildDatabase", database.name);
  return () => database.drop();
}
