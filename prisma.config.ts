import path from "node:path";
import { config as loadDotenv } from "dotenv";
import { defineConfig } from "prisma/config";

// Prisma 7 reads no .env by itself.
loadDotenv({ quiet: true });

// Prisma's native schema engine is a download from a CDN that many networks cannot reach; the bridge runs the
// same engine compiled to WebAssembly. A user who sets the variable (say, to a native binary) keeps theirs.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(import.meta.dirname, "packages/prisma-wasm-engine/bin/schema-engine");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: {
    path: "prisma/migrations",
    seed: "tsx prisma/seed.ts",
  },
  datasource: {
    // `generate` needs no database, so a missing URL is only an error for the commands that connect.
    url: process.env.DATABASE_URL ?? "",
  },
});
