// Projects CRUD through real HTTP against `next start` and a database of this file's own.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./support/db";
import { startNext, type NextServer } from "../scripts/support/next-start";
import type { TestDatabase } from "../scripts/support/postgres-admin";
import { MAX_ROWS_PER_CREATE, PAGE_SIZE } from "@/lib/projects/rules";

let db: TestDatabase;
let server: NextServer;
const api = (path: string, init?: RequestInit) =>
  fetch(`${server.url}${path}`, { ...init, headers: { "content-type": "application/json", ...init?.headers } });
const post = (body: unknown) => api("/api/projects", { method: "POST", body: JSON.stringify(body) });

beforeAll(async () => {
  db = await createTestDatabase("api");
  server = await startNext({ DATABASE_URL: db.url, DB_POOL_MAX: "4" });
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

const tree = {
  slug: "knights",
  name: "Knights",
  description: "Sprites for the castle level",
  characters: [
    {
      name: "arthur",
      animations: [
        { name: "walk", fps: 10, frames: [0, 1, 2].map((index) => ({ index, image: `/assets/k/a/walk/${index}.png`, width: 32, height: 48 })) },
        { name: "idle", loop: false, frames: [{ index: 0, image: "https://cdn.example/idle.png", width: 32, height: 48, durationMs: 500 }] },
      ],
    },
    { name: "lancelot" },
  ],
};

describe("projects API", () => {
  it("reports health from the Node.js runtime", async () => {
    const res = await api("/api/health");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "ok", runtime: "nodejs", pool: { max: 4 } });
    expect(body.database.version).toMatch(/^\d+(\.\d+)?/);
  });

  it("creates a project with its whole tree and reads it back nested", async () => {
    const created = await post(tree);
    expect(created.status).toBe(201);
    const project = await created.json();
    expect(created.headers.get("location")).toBe(`/api/projects/${project.id}`);

    const read = await (await api(`/api/projects/${project.id}`)).json();
    expect(read).toMatchObject({ slug: "knights", name: "Knights", description: "Sprites for the castle level" });
    expect(read.characters.map((c: { name: string }) => c.name)).toEqual(["arthur", "lancelot"]);
    const arthur = read.characters[0];
    expect(arthur.animations).toEqual([
      expect.objectContaining({ name: "idle", fps: 12, loop: false, frameCount: 1 }),
      expect.objectContaining({ name: "walk", fps: 10, loop: true, frameCount: 3 }),
    ]);

    const list = await (await api("/api/projects")).json();
    expect(list.projects).toContainEqual(expect.objectContaining({ id: project.id, characterCount: 2 }));
  });

  it("updates, and a second project may not take the same slug", async () => {
    const { id } = await (await post({ slug: "wizards", name: "Wizards" })).json();
    const renamed = await api(`/api/projects/${id}`, { method: "PATCH", body: JSON.stringify({ name: "Mages" }) });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ id, slug: "wizards", name: "Mages" });

    const clash = await post({ slug: "wizards", name: "Other" });
    expect(clash.status).toBe(409);
    expect((await clash.json()).error.code).toBe("conflict");
    const clashOnUpdate = await api(`/api/projects/${id}`, { method: "PATCH", body: JSON.stringify({ slug: "knights" }) });
    expect(clashOnUpdate.status).toBe(409);
  });

  it("deletes a project and everything below it", async () => {
    const { id } = await (await post({ ...tree, slug: "doomed" })).json();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const frames = () =>
      client.query(
        `select count(*)::int as n from frames f join animations a on a.id = f.animation_id
         join characters c on c.id = a.character_id where c.project_id = $1`,
        [id],
      );
    expect((await frames()).rows[0].n).toBe(4);
    expect((await api(`/api/projects/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await frames()).rows[0].n).toBe(0);
    expect((await client.query("select count(*)::int as n from characters where project_id = $1", [id])).rows[0].n).toBe(0);
    await client.end();
    expect((await api(`/api/projects/${id}`)).status).toBe(404);
    expect((await api(`/api/projects/${id}`, { method: "DELETE" })).status).toBe(404);
  });

  it.each([
    ["a missing field", { name: "No slug" }, "slug"],
    ["a wrong type", { slug: "x", name: 42 }, "name"],
    ["an unknown key", { slug: "x", name: "X", owner: "me" }, "(root)"],
    ["a bad slug", { slug: "Not A Slug", name: "X" }, "slug"],
    ["a nested bad value", { slug: "x", name: "X", characters: [{ name: "c", animations: [{ name: "a", fps: 0 }] }] }, "characters.0.animations.0.fps"],
    ["a frame without size", { slug: "x", name: "X", characters: [{ name: "c", animations: [{ name: "a", frames: [{ index: 0, image: "/a.png" }] }] }] }, "characters.0.animations.0.frames.0.width"],
  ])("answers 400 naming the field for %s", async (_, body, field) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("invalid_body");
    expect(error.issues.map((i: { path: string }) => i.path)).toContain(field);
    expect(error.message).toContain(field);
  });

  it("answers 400 for a body that is not JSON, and for an id that is not a UUID", async () => {
    const res = await api("/api/projects", { method: "POST", body: "{ not json" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("invalid_json");
    const badId = await api("/api/projects/42");
    expect(badId.status).toBe(400);
    expect((await badId.json()).error.code).toBe("invalid_id");
  });

  it("answers 404 for an unknown id, on read and on update", async () => {
    const unknown = "0190f0e0-0000-7000-8000-000000000000";
    expect((await api(`/api/projects/${unknown}`)).status).toBe(404);
    const patch = await api(`/api/projects/${unknown}`, { method: "PATCH", body: JSON.stringify({ name: "x" }) });
    expect(patch.status).toBe(404);
    expect((await patch.json()).error.code).toBe("not_found");
  });

  it("shows a project a page of characters and animations at a time, with counts and a cursor to the rest", async () => {
    const { characters, animations } = PAGE_SIZE;
    const big = {
      slug: "crowd",
      name: "Crowd",
      characters: Array.from({ length: characters + 3 }, (_, c) => ({
        name: `c${String(c).padStart(3, "0")}`,
        animations: Array.from({ length: c === 0 ? animations + 2 : 1 }, (_, a) => ({ name: `a${String(a).padStart(3, "0")}`, frames: [{ index: 0, image: `/${c}/${a}.png`, width: 1, height: 1 }] })),
      })),
    };
    const created = await post(big);
    expect(created.status).toBe(201);
    const { id } = await created.json();
    const first = await (await api(`/api/projects/${id}`)).json();
    expect(first).toMatchObject({ characterCount: characters + 3, nextCursor: `c${String(characters - 1).padStart(3, "0")}` });
    expect(first.characters).toHaveLength(characters);
    expect(first.characters[0]).toMatchObject({ animationCount: animations + 2, nextCursor: `a${String(animations - 1).padStart(3, "0")}` });
    expect(first.characters[0].animations).toHaveLength(animations);
    expect(first.characters[0].animations[0]).toMatchObject({ frameCount: 1, thumbnail: "/0/0.png" });

    const rest = await (await api(`/api/projects/${id}?cursor=${first.nextCursor}`)).json();
    expect(rest.characters.map((c: { name: string }) => c.name)).toEqual(["c025", "c026", "c027"]);
    expect(rest.nextCursor).toBeNull();
    const character = await (await api(`/api/characters/${first.characters[0].id}?cursor=${first.characters[0].nextCursor}`)).json();
    expect(character.animations.map((a: { name: string }) => a.name)).toEqual(["a025", "a026"]);
    expect(character).toMatchObject({ animationCount: animations + 2, nextCursor: null });
    expect((await api(`/api/characters/${randomUUID()}`)).status).toBe(404);
  });

  it("refuses a create that carries more rows than one create may, and takes one that carries the most", async () => {
    const frames = (n: number) => Array.from({ length: n }, (_, index) => ({ index, image: "/f.png", width: 1, height: 1 }));
    const atLimit = { slug: "limit", name: "Limit", characters: [{ name: "c", animations: [{ name: "a", frames: frames(MAX_ROWS_PER_CREATE - 2) }] }] };
    const created = await post(atLimit);
    expect(created.status).toBe(201);
    expect((await created.json()).characters[0].animations[0].frameCount).toBe(MAX_ROWS_PER_CREATE - 2);
    const over = await post({ ...atLimit, slug: "over", characters: [{ name: "c", animations: [{ name: "a", frames: frames(MAX_ROWS_PER_CREATE - 1) }] }] });
    expect(over.status).toBe(400);
    expect((await over.json()).error.message).toContain(String(MAX_ROWS_PER_CREATE));
  });

  it("loses nothing when a request is refused", async () => {
    const before = await (await api("/api/projects?limit=100")).json();
    await post({ slug: "knights", name: "Duplicate" });
    await post({ slug: "y", name: "Y", characters: [{ name: "c" }, { name: "c" }] });
    const after = await (await api("/api/projects?limit=100")).json();
    expect(after.projects.map((p: { id: string }) => p.id)).toEqual(before.projects.map((p: { id: string }) => p.id));
  });
});
