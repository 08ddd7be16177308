// `bun run db:seed` and `bun run db:studio` as a user runs them, against this file's own database.
import { spawn, spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import { freePort } from "../scripts/support/free-port";
import { databaseForThisFile } from "./support/db";
import { eventually } from "./support/eventually";

const bun = "node_modules/.bin/bun";
const db = databaseForThisFile("studio");

// Two seeds, each a CLI process that loads Prisma Client: seconds apiece, and many more on a machine whose cores are busy.
it("seeds idempotently", { timeout: 180_000 }, () => {
  const run = () => spawnSync(bun, ["run", "db:seed"], { env: { ...process.env, DATABASE_URL: db.url }, encoding: "utf8" });
  const first = run();
  expect(first.status, first.stderr).toBe(0);
  expect(first.stdout).toContain('Seeded "demo": 2 characters, 3 animations, 13 frames');
  const second = run();
  expect(second.status, second.stderr).toBe(0);
  expect(second.stdout).toContain('Seeded "demo": 2 characters, 3 animations, 13 frames');
});

it("serves Studio, which reads the seeded rows through its own API, and stops on SIGTERM", async () => {
  const port = await freePort();
  const studio = spawn(bun, ["run", "db:studio", "--port", String(port), "--browser", "none"], {
    env: { ...process.env, DATABASE_URL: db.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  studio.stdout.on("data", (chunk) => (output += chunk));
  studio.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => studio.once("exit", resolve));
  try {
    const base = `http://localhost:${port}`;
    let page: Response | undefined;
    for (let i = 0; i < 150 && !page; i++) {
      page = await fetch(base).catch(() => undefined);
      if (!page) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(page?.status, output).toBe(200);
    expect(await page!.text()).toContain("<html");

    const res = await fetch(`${base}/bff`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ procedure: "query", query: { sql: "select slug, name from projects", parameters: [] } }),
    });
    const [error, rows] = await res.json();
    expect(error).toBeNull();
    expect(rows).toContainEqual({ slug: "demo", name: "Demo project" });
  } finally {
    studio.kill("SIGTERM");
    await exited;
  }
  // `bun run` exits once it has passed the signal on; Studio's own process closes its port soon after.
  await eventually(() => fetch(`http://localhost:${port}`).then(() => "open", () => "closed"), (state) => state === "closed", "Studio's port closed", 10_000);
});
