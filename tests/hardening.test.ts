// Bad input and overload through real HTTP: every refusal is a 4xx that says why and changes nothing; under 50x
// the pool's worth of concurrent requests, every answer is a success or a 503 to retry, and no success is lost.
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { ESLint } from "eslint";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./support/db";
import { startNext, type NextServer } from "../scripts/support/next-start";
import type { TestDatabase } from "../scripts/support/postgres-admin";
import { MAX_FRAME_INDEX } from "@/lib/projects/rules";

const poolMax = 4;
const applicationName = `hardening-${process.pid}`;
let db: TestDatabase;
let server: NextServer;
let admin: pg.Client;
let existingId: string;

beforeAll(async () => {
  db = await createTestDatabase("hardening");
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  server = await startNext({ DATABASE_URL: db.url, DB_POOL_MAX: String(poolMax), DB_APPLICATION_NAME: applicationName });
  const res = await fetch(`${server.url}/api/projects`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ slug: "existing", name: "Existing", characters: [{ name: "dup" }] }),
  });
  existingId = (await res.json()).id;
});
afterAll(async () => {
  await server?.stop();
  await admin?.end();
  await db?.drop();
});

const counts = async () =>
  (await admin.query("select (select count(*) from projects) p, (select count(*) from characters) c, (select count(*) from frames) f")).rows[0];

const valid = { slug: "ok", name: "OK" };
const withFrame = (frame: unknown) => ({ ...valid, characters: [{ name: "c", animations: [{ name: "a", frames: [frame] }] }] });
const goodFrame = { index: 0, image: "/a.png", width: 1, height: 1 };
/** A body sent as it is, not as JSON. */
class Raw {
  constructor(readonly text: string) {}
}
const deep = new Raw(`${"[".repeat(5000)}"leaf"${"]".repeat(5000)}`);

const badRequests: [string, string, string, unknown][] = [
  ["invalid JSON", "POST", "/api/projects", new Raw("{ not json")],
  ["an empty body", "POST", "/api/projects", new Raw("")],
  ["JSON null", "POST", "/api/projects", null],
  ["a JSON array", "POST", "/api/projects", [valid]],
  ["a JSON string", "POST", "/api/projects", "just a string"],
  ["no slug", "POST", "/api/projects", { name: "X" }],
  ["no name", "POST", "/api/projects", { slug: "x" }],
  ["a numeric slug", "POST", "/api/projects", { slug: 42, name: "X" }],
  ["a numeric name", "POST", "/api/projects", { slug: "x", name: 42 }],
  ["an empty name", "POST", "/api/projects", { slug: "x", name: "" }],
  ["a blank name", "POST", "/api/projects", { slug: "x", name: "   " }],
  ["a huge name", "POST", "/api/projects", { slug: "x", name: "n".repeat(10_000) }],
  ["a huge description", "POST", "/api/projects", { ...valid, description: "d".repeat(20_000) }],
  ["an uppercase slug", "POST", "/api/projects", { slug: "Hero", name: "X" }],
  ["a slug with spaces", "POST", "/api/projects", { slug: "my hero", name: "X" }],
  ["a SQL-looking slug", "POST", "/api/projects", { slug: "x'; drop table projects; --", name: "X" }],
  ["an emoji slug", "POST", "/api/projects", { slug: "🦄", name: "X" }],
  ["an unknown key", "POST", "/api/projects", { ...valid, owner: "me" }],
  ["a prototype key", "POST", "/api/projects", JSON.parse('{"slug":"x","name":"X","__proto__":{"admin":true}}')],
  ["an unknown nested key", "POST", "/api/projects", { ...valid, characters: [{ name: "c", age: 3 }] }],
  ["characters as an object", "POST", "/api/projects", { ...valid, characters: { name: "c" } }],
  ["a character without a name", "POST", "/api/projects", { ...valid, characters: [{}] }],
  ["fps 0", "POST", "/api/projects", { ...valid, characters: [{ name: "c", animations: [{ name: "a", fps: 0 }] }] }],
  ["fps 1000", "POST", "/api/projects", { ...valid, characters: [{ name: "c", animations: [{ name: "a", fps: 1000 }] }] }],
  ["fractional fps", "POST", "/api/projects", { ...valid, characters: [{ name: "c", animations: [{ name: "a", fps: 1.5 }] }] }],
  ["fps as a string", "POST", "/api/projects", { ...valid, characters: [{ name: "c", animations: [{ name: "a", fps: "12" }] }] }],
  ["loop as a string", "POST", "/api/projects", { ...valid, characters: [{ name: "c", animations: [{ name: "a", loop: "yes" }] }] }],
  ["a negative frame index", "POST", "/api/projects", withFrame({ ...goodFrame, index: -1 })],
  ["a zero width", "POST", "/api/projects", withFrame({ ...goodFrame, width: 0 })],
  ["a frame without an image", "POST", "/api/projects", withFrame({ index: 0, width: 1, height: 1 })],
  ["an image as a deep object", "POST", "/api/projects", withFrame({ ...goodFrame, image: { a: { b: { c: { d: "e" } } } } })],
  ["5000 levels of nesting", "POST", "/api/projects", deep],
  ["a NUL character", "POST", "/api/projects", { slug: "x", name: "a\u0000b" }],
  ["an unpaired surrogate", "POST", "/api/projects", { slug: "x", name: "a\ud800b" }],
  ["a body over 1 MiB", "POST", "/api/projects", { ...valid, description: "x".repeat(2 * 1024 * 1024) }],
  ["a non-UUID id", "GET", "/api/projects/42", undefined],
  ["a SQL-looking id", "GET", "/api/projects/1%20or%201=1", undefined],
  ["an empty patch", "PATCH", "/api/projects/:id", {}],
  ["a patch with an unknown key", "PATCH", "/api/projects/:id", { id: "0190f0e0-0000-7000-8000-000000000000" }],
  ["a slug already taken", "POST", "/api/projects", { slug: "existing", name: "Again" }],
  ["a limit of 0", "GET", "/api/projects?limit=0", undefined],
  ["a limit that is not a number", "GET", "/api/projects?limit=many", undefined],
  ["a cursor that is not a UUID", "GET", "/api/projects?cursor=abc", undefined],
  ["an unknown query parameter", "GET", "/api/projects?sort=name", undefined],
  ["a frame for a non-UUID animation", "POST", "/api/animations/abc/frames", goodFrame],
  ["a frame with an index given", "POST", "/api/animations/0190f0e0-0000-7000-8000-000000000000/frames", goodFrame],
];

describe("bad input", () => {
  it(`refuses ${badRequests.length} malformed requests with a 4xx that says why, and changes nothing`, async () => {
    const before = await counts();
    const failures: string[] = [];
    for (const [what, method, path, body] of badRequests) {
      const res = await fetch(`${server.url}${path.replace(":id", existingId)}`, {
        method,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : body instanceof Raw ? body.text : JSON.stringify(body),
      });
      const text = await res.text();
      const message = (() => {
        try {
          return JSON.parse(text).error?.message as string | undefined;
        } catch {
          return undefined;
        }
      })();
      if (res.status < 400 || res.status >= 500 || !message) failures.push(`${what}: ${res.status} ${text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
  });
});

/** A status, a content type and a body, for a request target sent exactly as written. */
function rawCall(method: string, target: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
    const req = request(`${server.url}${target}`, { method, path: target, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const refusals = (answers: { what: string; status: number; type: string; text: string }[], expectedStatus?: number) =>
  answers
    .filter(({ status, type, text }) => {
      const error = (() => {
        try {
          return JSON.parse(text).error;
        } catch {
          return undefined;
        }
      })();
      const inRange = expectedStatus ? status === expectedStatus : status >= 400 && status < 500;
      return !inRange || !type.startsWith("application/json") || !error?.code || !error?.message || /\bat \S+ \(|Error:/.test(text);
    })
    .map(({ what, status, text }) => `${what}: ${status} ${text.slice(0, 200)}`);

const malformedTargets = [
  "/api/projects/%E0%A4%A",
  "/projects/%",
  "/%",
  "/%%%",
  "/api/%",
  "/api/projects/%zz",
  "/api/projects/%G0",
  "/api/projects/abc%",
  "/api/projects/%2",
  "/api/projects/%E0%A4",
  "/api/projects/%C0%AF",
  "/api/projects/%ED%A0%80",
  "/api/projects/%FF",
  "/api/edge/projects/%E0%A4%A",
  "/api/animations/%/frames",
  "/projects/%E0%A4%A/hero/idle",
  "/projects/slug/%/idle",
  "/_next/static/%",
  "/api/projects?limit=%",
  "/api/projects?cursor=%E0%A4%A",
];

describe("malformed request targets and media types", () => {
  it(`answers ${malformedTargets.length} malformed request targets with a JSON 4xx, never a 500 or a stack trace`, async () => {
    const answers = [];
    for (const target of malformedTargets) {
      for (const method of target.startsWith("/api/animations") ? ["POST"] : ["GET"]) {
        answers.push({ what: `${method} ${target}`, ...(await rawCall(method, target, { "content-type": "application/json" }, method === "POST" ? "{}" : undefined)) });
      }
    }
    expect(refusals(answers)).toEqual([]);
    expect(answers.filter(({ text }) => text.includes("invalid_url")).length).toBeGreaterThanOrEqual(18);
  });

  const wrongTypes = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/json; charset=utf-16"];
  it(`answers ${wrongTypes.length} other media types with 415 on both runtimes, and creates nothing`, async () => {
    const before = await counts();
    const answers = [];
    for (const route of ["/api/projects", "/api/edge/projects"]) {
      for (const type of wrongTypes) {
        answers.push({ what: `${route} ${type}`, ...(await rawCall("POST", route, { "content-type": type }, JSON.stringify({ slug: "typed", name: "Typed" }))) });
      }
      answers.push({ what: `${route} no type`, ...(await rawCall("POST", route, {}, JSON.stringify({ slug: "typed", name: "Typed" }))) });
    }
    expect(refusals(answers, 415)).toEqual([]);
    expect(await counts()).toEqual(before);
  });
});

/** VmRSS of the server process, in bytes. */
function rss(pid: number): number {
  expect(readFileSync(`/proc/${pid}/cmdline`, "utf8")).toMatch(/next/);
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]!;
  return Number(kb) * 1024;
}

/**
 * A chunked POST of up to `total` bytes (JSON whitespace), drawn from a generator as the socket takes them, that
 * stops as soon as an answer comes or the server closes the connection.
 */
function chunkedUpload(path: string, total: number, agent: Agent | false = false) {
  function* body() {
    const chunk = Buffer.alloc(64 * 1024, " ");
    for (let sent = 0; sent < total; sent += chunk.length) yield chunk;
  }
  return new Promise<{ status: number | "reset"; sent: number; connection?: string }>((resolve) => {
    let sent = 0;
    let stopped = false;
    const req = request(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      agent,
    });
    req.on("response", (res) => {
      stopped = true;
      res.resume();
      res.on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, sent, connection: res.headers.connection });
      });
    });
    req.on("error", () => {
      stopped = true;
      resolve({ status: "reset", sent });
    });
    const chunks = body();
    const pump = () => {
      for (let next = chunks.next(); !stopped; next = chunks.next()) {
        if (next.done) return req.end();
        sent += next.value.length;
        if (!req.write(next.value)) return req.once("drain", pump);
      }
    };
    pump();
  });
}

describe("hostile bodies", () => {
  it("answers 10 concurrent chunked uploads of 200 MiB each with 413, within 32 MiB more memory", async () => {
    const size = 200 * 1024 * 1024;
    // Warm up the route and the 413 path with ten uploads at once, so the figure is the uploads' cost, not first-use
    // compilation or the heap growing to the size ten concurrent bodies need once.
    await Promise.all(Array.from({ length: 10 }, () => chunkedUpload("/api/projects", 4 * 1024 * 1024)));
    const before = rss(server.pid);
    let peak = before;
    let uploading = true;
    const sampler = (async () => {
      while (uploading) {
        peak = Math.max(peak, rss(server.pid));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const results = await Promise.all(Array.from({ length: 10 }, () => chunkedUpload("/api/projects", size)));
    uploading = false;
    await sampler;
    const after = rss(server.pid);
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    console.log(
      `uploads: RSS ${mib(before)} MiB before, ${mib(peak)} MiB peak, ${mib(after)} MiB after; ` +
        `the clients sent ${mib(Math.max(...results.map((r) => r.sent)))} MiB at most of 200 each`,
    );
    // Every client is still sending when its 413 comes: the server must linger before it closes the connection,
    // or the reset that closing over an unread body causes can destroy the answer before the client reads it.
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(413));
    expect(peak - before).toBeLessThan(32 * 1024 * 1024);
    expect(Math.max(...results.map((r) => r.sent))).toBeLessThan(size);
    const res = await fetch(`${server.url}/api/projects`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ slug: "after-uploads", name: "After" }),
    });
    expect(res.status).toBe(201);
  });

  it("closes a kept-alive connection after a 413, and the client still reads the 413", async () => {
    const agent = new Agent({ keepAlive: true });
    try {
      const results = await Promise.all(Array.from({ length: 3 }, () => chunkedUpload("/api/projects", 50 * 1024 * 1024, agent)));
      expect(results.map((r) => [r.status, r.connection])).toEqual(Array(3).fill([413, "close"]));
    } finally {
      agent.destroy();
    }
  });

  it("answers a chunked upload over 1 MiB with 413 on the edge runtime too", async () => {
    expect((await chunkedUpload("/api/edge/projects", 8 * 1024 * 1024)).status).toBe(413);
  });
});

describe("bounded refusals", () => {
  /** A create whose frames are all `{}`: four issues each. */
  const emptyFrames = (animations: number, frames: number) =>
    JSON.stringify({ ...valid, characters: [{ name: "c", animations: Array.from({ length: animations }, (_, i) => ({ name: `a${i}`, frames: Array(frames).fill({}) })) }] });

  it("answers a 90 KB body of empty frames with a 400 under 64 KB that lists 20 issues and counts the rest, on both runtimes", async () => {
    const body = emptyFrames(3, 10_000);
    expect(body.length).toBeGreaterThan(90_000);
    for (const route of ["/api/projects", "/api/edge/projects"]) {
      const res = await rawCall("POST", route, { "content-type": "application/json" }, body);
      expect(res.status, route).toBe(400);
      expect(res.text.length, route).toBeLessThan(64 * 1024);
      const { error } = JSON.parse(res.text);
      expect(error.issues).toHaveLength(20);
      expect(error).toMatchObject({ code: "invalid_body", issuesLeftOut: 980, message: expect.stringContaining("checking stopped after 1000") });
    }
  });

  it("answers a 1 MiB body of empty frames with a 400, not a 500, within 64 MiB more memory", async () => {
    const body = emptyFrames(34, 10_000);
    expect(body.length).toBeGreaterThan(1_000_000);
    // The route and the refusal's path once first, so that the figure is the body's cost, not first-use compilation.
    await rawCall("POST", "/api/projects", { "content-type": "application/json" }, emptyFrames(1, 10_000));
    const before = rss(server.pid);
    let peak = before;
    let sending = true;
    const sampler = (async () => {
      while (sending) {
        peak = Math.max(peak, rss(server.pid));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const answer = await rawCall("POST", "/api/projects", { "content-type": "application/json" }, body);
    sending = false;
    await sampler;
    console.log(`1 MiB of empty frames: RSS ${(before / 2 ** 20).toFixed(1)} MiB before, ${(peak / 2 ** 20).toFixed(1)} MiB peak`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error.issuesLeftOut).toBe(980);
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });

  it("answers a 300 KB body nested 150,000 deep with a 400 that names the limit, on both runtimes", async () => {
    const deepBody = `{"slug":"x","name":"X","characters":${"[".repeat(150_000)}${"]".repeat(150_000)}}`;
    for (const route of ["/api/projects", "/api/edge/projects"]) {
      const res = await rawCall("POST", route, { "content-type": "application/json" }, deepBody);
      expect(res.status, route).toBe(400);
      expect(JSON.parse(res.text).error).toEqual({ code: "invalid_body", message: "The body nests arrays and objects more than 16 levels deep." });
    }
  });
});

/**
 * A request to `path` written by hand: its headers whole or cut short, a body that stops after its first bytes or
 * trickles a byte a second. Resolves with the status line and body the server answered, and when.
 */
function slowRequest(path: string, how: "stalled body" | "trickled body" | "stalled headers") {
  const started = Date.now();
  return new Promise<{ how: string; path: string; status: string; body: string; seconds: number }>((resolve) => {
    const socket = connect(Number(new URL(server.url).port), "127.0.0.1", () => {
      const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n`;
      socket.write(how === "stalled headers" ? head : `${head}\r\n{"slug":`);
      if (how === "trickled body") {
        const trickle = setInterval(() => socket.write(" "), 1_000);
        socket.once("close", () => clearInterval(trickle));
      }
    });
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk));
    socket.on("error", () => {});
    socket.once("close", () =>
      resolve({
        how,
        path,
        status: answer.split("\r\n")[0] ?? "",
        body: answer.slice(answer.indexOf("\r\n\r\n") + 4),
        seconds: (Date.now() - started) / 1000,
      }),
    );
    // Past the limits below, the test has failed: stop waiting.
    setTimeout(() => socket.destroy(), 45_000).unref();
  });
}

describe("slow clients", () => {
  it("answers a stalled or trickled body with 408 within 30 s on both runtimes, and a stalled header within 40 s", async () => {
    const answers = await Promise.all([
      ...["/api/projects", "/api/edge/projects"].flatMap((path) => [slowRequest(path, "stalled body"), slowRequest(path, "trickled body")]),
      slowRequest("/api/projects", "stalled headers"),
    ]);
    console.log(`slow clients: ${answers.map((a) => `${a.how} ${a.path} ${a.status} after ${a.seconds} s`).join("; ")}`);
    expect(answers.map((a) => a.status)).toEqual(Array(5).fill("HTTP/1.1 408 Request Timeout"));
    for (const answer of answers.slice(0, 4)) {
      expect(answer.seconds, `${answer.how} ${answer.path}`).toBeLessThan(30);
      expect(answer.body).toContain('"code":"request_timeout"');
    }
    // Node checks headers every 30 s: 10 s for them, and up to 30 s more.
    expect(answers[4]!.seconds).toBeLessThan(41);
  }, 60_000);
});

describe("rules", () => {
  it(`answers an append past frame index ${MAX_FRAME_INDEX} with 409 on both runtimes, and creates nothing`, async () => {
    const res = await fetch(`${server.url}/api/projects`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ slug: "full", name: "Full", characters: [{ name: "c", animations: [{ name: "a", frames: [{ ...goodFrame, index: MAX_FRAME_INDEX }] }] }] }),
    });
    expect(res.status).toBe(201);
    const animationId = (await res.json()).characters[0].animations[0].id;
    const before = await counts();
    for (const route of [`/api/animations/${animationId}/frames`, `/api/edge/animations/${animationId}/frames`]) {
      const append = await rawCall("POST", route, { "content-type": "application/json" }, JSON.stringify({ image: "/b.png", width: 1, height: 1 }));
      expect(append.status, route).toBe(409);
      expect(JSON.parse(append.text).error).toMatchObject({ code: "animation_full", message: expect.stringContaining(String(MAX_FRAME_INDEX)) });
    }
    expect(await counts()).toEqual(before);
    const { rows } = await admin.query("select max(index)::int as last from frames where animation_id = $1", [animationId]);
    expect(rows[0].last).toBe(MAX_FRAME_INDEX);
  });
});

describe("security headers", () => {
  it("are on pages, API answers of both runtimes, errors and static files", async () => {
    const page = await (await fetch(server.url)).text();
    const script = /src="(\/_next\/static\/[^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    for (const path of ["/", "/projects/existing", "/projects/nope", "/api/projects", "/api/edge/projects", "/api/projects/42", script!]) {
      const { headers } = await fetch(`${server.url}${path}`);
      const policy = headers.get("content-security-policy") ?? "";
      expect(policy, path).toContain("frame-ancestors 'none'");
      expect(policy, path).toContain("default-src 'self'");
      expect(policy, path).toContain("object-src 'none'");
      expect(policy, path).toMatch(/img-src [^;]*https:/);
      expect(policy, path).not.toContain("unsafe-eval");
      expect(headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(headers.get("referrer-policy"), path).toBe("same-origin");
    }
  });

  it("leave writes open on loopback without a word at start-up", () => {
    expect(server.logs()).not.toContain("Writes are open");
  });
});

describe("overload", () => {
  it(`answers 2000 requests at ${50 * poolMax} at a time with successes or 503s, loses no success, stays within the pool`, async () => {
    let peak = 0;
    let done = false;
    const watch = (async () => {
      while (!done) {
        const { rows } = await admin.query("select count(*)::int as n from pg_stat_activity where application_name = $1", [applicationName]);
        peak = Math.max(peak, rows[0].n);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const created: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < 2000; i = next++) {
        const write = i % 2 === 0;
        const res = await fetch(`${server.url}/api/projects${write ? "" : "?limit=10"}`, {
          method: write ? "POST" : "GET",
          headers: write ? { "content-type": "application/json" } : undefined,
          body: write ? JSON.stringify({ slug: `load-${i}`, name: `Load ${i}` }) : undefined,
        });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 503) expect(res.headers.get("retry-after")).toBe("1");
        else expect(res.status).toBe(write ? 201 : 200);
        if (res.status === 201) created.push(`load-${i}`);
      }
    };
    await Promise.all(Array.from({ length: 50 * poolMax }, worker));
    done = true;
    await watch;
    console.log(`overload: statuses ${JSON.stringify(Object.fromEntries(statuses))}, peak backends ${peak} of ${poolMax}`);
    const { rows } = await admin.query<{ slug: string }>("select slug from projects where slug like 'load-%'");
    const stored = new Set(rows.map((r) => r.slug));
    expect(created.filter((slug) => !stored.has(slug))).toEqual([]);
    expect(created.length).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(poolMax);
  });
});

describe("raw SQL", () => {
  it("built from strings fails lint; the tagged templates pass", async () => {
    const lint = async (code: string) =>
      (await new ESLint().lintText(code, { filePath: "lib/example.ts" }))[0]!.messages.map((m) => m.ruleId);
    const prelude = 'import { prisma } from "@/lib/prisma";\nexport const run = (slug: string) =>';
    expect(await lint(`${prelude} prisma.$queryRawUnsafe(\`select * from projects where slug = '\${slug}'\`);\n`)).toContain(
      "no-restricted-properties",
    );
    expect(await lint(`${prelude} prisma.$executeRawUnsafe("delete from projects where slug = " + slug);\n`)).toContain(
      "no-restricted-properties",
    );
    expect(await lint(`${prelude} prisma.$queryRaw\`select * from projects where slug = \${slug}\`;\n`)).toEqual([]);
  });
});
