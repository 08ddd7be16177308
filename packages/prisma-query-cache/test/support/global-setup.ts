// Once per run, for the tests that need a client: the fixture schema's client, generated, and the SQL that makes its
// tables with the package's `cache_notify` triggers, which each test file runs on a database of its own.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { packageDir, prismaProject } from "./prisma-project";

declare module "vitest" {
  export interface ProvidedContext {
    cacheClientModule: string;
    cacheSchemaSql: string;
  }
}

export default async function setup(project: TestProject) {
  const shared = prismaProject("client");
  // Neither command connects; the config still names a URL, as a project's does.
  const unused = "postgresql://unused@127.0.0.1:1/unused";
  await shared.prisma(["generate"], unused);
  const tables = await shared.prisma(["migrate", "diff", "--from-empty", "--to-schema", "prisma/schema.prisma", "--script"], unused);
  project.provide("cacheClientModule", shared.clientModule);
  project.provide("cacheSchemaSql", `${tables}\n${readFileSync(path.join(packageDir, "sql/cache-notify.sql"), "utf8")}`);
  return () => shared.remove();
}
