// The browsing pages in a real browser on `next start`: projects -> project -> animation, frames loaded, play moves.
// The sample tree is written below public/assets/ (git-ignored) before the server starts, because `next start`
// serves the public files that exist when it starts; it is removed afterwards.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, rmdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSampleTree } from "@/lib/assets/sample";
import { runImport } from "./support/assets";
import { createTestDatabase } from "./support/db";
import { startNext, type NextServer } from "../scripts/support/next-start";
import type { TestDatabase } from "../scripts/support/postgres-admin";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const SCREENSHOTS = "test-results";

let db: TestDatabase;
let server: NextServer;
let browser: BrowserContext;
let page: Page;
let profile: string;
/** What Chromium reported refusing under the pages' Content-Security-Policy. */
const refusedByPolicy: string[] = [];
const tree = path.join("public/assets", `pages-test-${process.pid}-${Date.now()}`);
// A fresh clone has no public/ at all: folders this file creates are removed again when it leaves them empty.
const madeFolders = ["public", "public/assets"].filter((folder) => !existsSync(folder)).reverse();

describe.skipIf(!hasChromium)(`pages in Chromium${hasChromium ? "" : ` (skipped: no ${CHROMIUM}; apt-get install chromium)`}`, () => {
  beforeAll(async () => {
    db = await createTestDatabase("pages");
    await writeSampleTree(tree, { sprites: { hero: { walk: 6 }, "big slime": { "slow bounce": 3 } } });
    const imported = await runImport(tree, db.url);
    expect(imported.code, imported.stderr).toBe(0);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query("insert into projects (id, slug, name, updated_at) values (gen_random_uuid(), 'empty', 'Nothing here', now())");
    await client.end();

    server = await startNext({ DATABASE_URL: db.url, DB_POOL_MAX: "4" });
    profile = await mkdtemp(path.join(os.tmpdir(), "chromium-profile-"));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) refusedByPolicy.push(message.text());
    });
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await db?.drop();
    await rm(tree, { recursive: true, force: true });
    for (const folder of madeFolders) await rmdir(folder).catch(() => undefined);
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  const screenshot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `pages-${name}.png`), fullPage: true });

  it("clicks from the projects list to an animation whose frames all load, and play moves the frame", async () => {
    const first = await page.goto(server.url);
    expect(first?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    await expect.poll(() => page.getByRole("link").allTextContents()).toEqual(["Nothing here", "sprites"]);
    await screenshot("projects");

    await page.getByRole("link", { name: "sprites" }).click();
    await page.waitForURL(`${server.url}/projects/sprites`);
    expect(await page.getByRole("heading", { level: 2 }).allTextContents()).toEqual(["big slime", "hero"]);
    await expect.poll(() => loadedImages(page)).toEqual({ total: 2, loaded: 2 });
    await screenshot("project");

    await page.getByRole("link", { name: "walk" }).click();
    await page.waitForURL(`${server.url}/projects/sprites/hero/walk`);
    await expect.poll(() => loadedImages(page)).toEqual({ total: 7, loaded: 7 });
    const shownFrames = await page.locator("ol img").evaluateAll((images) =>
      images.map((image) => new URL((image as HTMLImageElement).src).pathname.split("/").slice(-4).join("/")),
    );
    expect(shownFrames).toEqual([0, 1, 2, 3, 4, 5].map((index) => `sprites/hero/walk/${index}.png`));
    await screenshot("animation");

    const stage = page.getByTestId("stage");
    expect(await stage.getAttribute("data-frame-index")).toBe("0");
    await page.getByRole("button", { name: "Play" }).click();
    const seen = new Set<string>();
    await expect
      .poll(async () => seen.add((await stage.getAttribute("data-frame-index"))!).size, { interval: 20, timeout: 5_000 })
      .toBeGreaterThanOrEqual(3);
    await page.getByRole("button", { name: "Pause" }).click();
    await screenshot("animation-played");
    // Hydration and playing both ran under the policy, which refused nothing they needed.
    expect(refusedByPolicy).toEqual([]);
  });

  it("opens names that need encoding, shows empty states and answers 404 for what does not exist", async () => {
    await page.goto(`${server.url}/projects/sprites`);
    await page.getByRole("link", { name: "slow bounce" }).click();
    await page.waitForURL(`${server.url}/projects/sprites/big%20slime/slow%20bounce`);
    await expect.poll(() => loadedImages(page)).toEqual({ total: 4, loaded: 4 });

    await page.goto(`${server.url}/projects/empty`);
    expect(await page.getByText("This project has no characters yet.").count()).toBe(1);

    for (const missing of ["/projects/nope", "/projects/sprites/hero/fly", "/projects/sprites/villain/walk"]) {
      expect((await page.goto(`${server.url}${missing}`))?.status(), missing).toBe(404);
    }
    expect(refusedByPolicy).toEqual([]);
  });
});

/** How many <img> elements the page has, and how many have decoded to a real size. */
function loadedImages(page: Page) {
  return page.evaluate(() => {
    const images = [...document.images];
    return { total: images.length, loaded: images.filter((image) => image.complete && image.naturalWidth > 0).length };
  });
}
