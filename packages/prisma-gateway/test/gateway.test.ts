// The gateway as it runs: `bun run gateway` processes (two of them behind Debian's haproxy) and gateways started in
// the test's own process, each on the run's PostgreSQL as a role with a password, spoken to by the app's generated
// Prisma Client over `accelerateUrl` and by plain HTTP.
import { execFile, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../../../lib/generated/prisma/client";
import { freePort } from "../../../scripts/support/free-port";
import { startOtlpReceiver } from "../../../scripts/support/otlp-receiver";
import { gatewaySettings, startGateway, type Gateway } from "../src/index";
import { gatewayFixture, type Fixture, type GatewayProcess } from "./support/fixture";

const haproxyBinary = "/usr/sbin/haproxy";
let fixture: Fixture;
let key: string;
let password: string;
let roleUrl: string;
let admin: pg.Client;
let scram: boolean;
let cleanups: Fixture["cleanups"];
const spawnGateway = (name: string, env: Record<string, string>) => fixture.spawnGateway(name, env);

const clientFor = (host: string) => {
  const client = new PrismaClient({ accelerateUrl: `prisma+postgres://${host}/?api_key=${key}` });
  cleanups.push(() => client.$disconnect());
  return client;
};

const post = (url: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${key}` }) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

/** Appends a frame in an interactive transaction: the animation's row locked, the next index read, the frame written. */
const appendFrame = (prisma: PrismaClient, animationId: string) =>
  prisma.$transaction(async (tx) => {
    await tx.$queryRaw`select 1 from animations where id = ${animationId}::uuid for update`;
    const last = await tx.frame.findFirst({ where: { animationId }, orderBy: { index: "desc" }, select: { index: true } });
    return tx.frame.create({ data: { animationId, index: (last?.index ?? -1) + 1, image: "/f.png", width: 8, height: 8 } });
    // 12 of these queue for a pool of 4 (or two of 3): on a busy machine the wait outlasts Prisma's default 2 s, and
    // what is checked here is their order, not their speed. The gateway caps the wait at 10 s.
  }, { maxWait: 10_000, timeout: 10_000 });

const newAnimation = async (prisma: PrismaClient, slug: string) => {
  const project = await prisma.project.create({
    data: { slug, name: slug, characters: { create: [{ name: "hero", animations: { create: [{ name: "idle" }] } }] } },
    include: { characters: { include: { animations: true } } },
  });
  return project.characters[0]!.animations[0]!.id;
};

beforeAll(async () => {
  fixture = await gatewayFixture("gateway");
  ({ key, password, roleUrl, admin, cleanups } = fixture);
  // Whether the server asks TCP connections for a password (the embedded one does; a development server may not).
  const { rows } = await admin.query(`select auth_method from pg_hba_file_rules where type like 'host%' order by line_number limit 1`);
  scram = ["scram-sha-256", "md5", "password"].includes(rows[0]?.auth_method);
});

afterAll(() => fixture?.close());

describe("one gateway process", () => {
  let gateway: GatewayProcess;
  let prisma: PrismaClient;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    cleanups.push(() => receiver.close());
    gateway = await spawnGateway("solo", {
      GATEWAY_POOL_MAX: "4",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "100",
    });
    prisma = clientFor(`127.0.0.1:${gateway.port}`);
  });

  it("runs the app's client: a nested create, a nested read, update, delete, raw SQL", async () => {
    const created = await prisma.project.create({
      data: { slug: "solo", name: "Solo", characters: { create: [{ name: "hero", animations: { create: [{ name: "idle" }, { name: "run" }] } }] } },
      include: { characters: { include: { animations: true } } },
    });
    expect(created.characters[0]!.animations.map((a) => a.name).sort()).toEqual(["idle", "run"]);
    const read = await prisma.project.findUnique({
      where: { id: created.id },
      include: { characters: { include: { animations: { include: { _count: { select: { frames: true } } } } } } },
    });
    expect(read?.characters[0]!.animations.map((a) => a._count.frames)).toEqual([0, 0]);
    expect((await prisma.project.update({ where: { id: created.id }, data: { name: "Renamed" } })).name).toBe("Renamed");
    expect(await prisma.$queryRaw`select count(*)::int as n from animations`).toEqual([{ n: 2 }]);
    await prisma.project.delete({ where: { id: created.id } });
    expect(await prisma.project.findUnique({ where: { id: created.id } })).toBeNull();
    await expect(prisma.project.update({ where: { id: created.id }, data: { name: "x" } })).rejects.toMatchObject({ code: "P2025" });
  });

  it("keeps an interactive transaction that commits, and nothing of one rolled back", async () => {
    const committed = await prisma.$transaction(async (tx) => {
      const project = await tx.project.create({ data: { slug: "committed", name: "C" } });
      await tx.project.update({ where: { id: project.id }, data: { description: "inside" } });
      return project;
    });
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.project.create({ data: { slug: "rolled-back", name: "R" } });
        await tx.project.update({ where: { id: committed.id }, data: { description: "changed" } });
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    const { rows } = await admin.query("select slug, description from projects where slug in ('committed', 'rolled-back')");
    expect(rows).toEqual([{ slug: "committed", description: "inside" }]);
  });

  it("speaks the transaction API over plain HTTP: start, commit, and a closed transaction refused", async () => {
    const started = await post(`${gateway.url}/transaction/start`, { timeout: 5000, maxWait: 2000 });
    expect(started.status).toBe(200);
    const { id } = await started.json();
    expect(id).toMatch(/^solo\./);
    expect((await post(`${gateway.url}/transaction/${id}/commit`, {})).status).toBe(200);
    const again = await post(`${gateway.url}/transaction/${id}/rollback`, {});
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "P2028", error: expect.stringContaining("committed transaction") });
    const rolledBack = await (await post(`${gateway.url}/transaction/start`, { timeout: 5000, maxWait: 2000 })).json();
    expect((await post(`${gateway.url}/transaction/${rolledBack.id}/rollback`, {})).status).toBe(200);
  });

  it("answers 401 JSON to a missing or wrong key, on every route but /health", async () => {
    for (const headers of [{}, { authorization: `Bearer ${"x".repeat(32)}` }, { authorization: key }] as Record<string, string>[]) {
      const answer = await post(`${gateway.url}/query`, { plan: {}, params: {} }, headers);
      expect(answer.status).toBe(401);
      expect(await answer.json()).toMatchObject({ code: "P6002", error: expect.any(String) });
    }
    expect((await fetch(`${gateway.url}/connection-info`)).status).toBe(401);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    const wrong = new PrismaClient({ accelerateUrl: `prisma+postgres://127.0.0.1:${gateway.port}/?api_key=${"x".repeat(32)}` });
    await expect(wrong.project.count()).rejects.toMatchObject({ code: "P6002" });
  });

  it("gives 12 concurrent transactions on a pool of 4 the indexes 0..11", async () => {
    const animationId = await newAnimation(prisma, "solo-frames");
    const frames = await Promise.all(Array.from({ length: 12 }, () => appendFrame(prisma, animationId)));
    expect(frames.map((f) => f.index).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
  });

  it("serves Prometheus metrics to loopback, and writes no secret to its log", async () => {
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_request_duration_seconds_count\{route="\/query",status="200"\} [1-9]/);
    expect(metrics).toMatch(/gateway_refused_requests_total\{reason="api_key"\} [1-9]/);
    expect(metrics).toContain('gateway_pool_max_connections 4');
    const logs = gateway.logs();
    expect(logs).toContain("listening on");
    for (const secret of [password, key, roleUrl]) expect(logs).not.toContain(secret);
  });

  it("traces each request under the caller's trace, each statement with its SQL, and exports no parameter value or secret", async () => {
    const marker = `marker-${randomBytes(6).toString("hex")}`;
    await prisma.project.create({ data: { slug: marker, name: marker } });
    const traceId = randomBytes(16).toString("hex");
    const traced = await post(`${gateway.url}/query`, { plan: { type: "query", args: { type: "rawSql", sql: "select 1 as one", args: [], argTypes: [] } }, params: {} }, {
      authorization: `Bearer ${key}`,
      traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01`,
    });
    expect(traced.status).toBe(200);
    for (const deadline = Date.now() + 20_000; !receiver.spans.some((span) => span.traceId === traceId && span.name === "prisma:gateway:db_query"); ) {
      if (Date.now() > deadline) throw new Error(`no spans of the traced request: ${receiver.spans.map((span) => span.name).join(", ")}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const server = receiver.spans.find((span) => span.traceId === traceId && span.name === "POST /query")!;
    const statement = receiver.spans.find((span) => span.traceId === traceId && span.name === "prisma:gateway:db_query")!;
    expect(statement.attributes["db.query.text"]).toBe("select 1 as one");
    expect(server.attributes["http.response.status_code"]).toBe(200);
    expect(receiver.spans.some((span) => String(span.attributes["db.query.text"] ?? "").startsWith('INSERT INTO "public"."projects"'))).toBe(true);
    const exported = receiver.bodies.join("\n");
    for (const secret of [marker, password, key]) expect(exported).not.toContain(secret);
  });

  it("drains on SIGTERM: an open transaction still commits, then it exits 0", async () => {
    const animationId = await newAnimation(prisma, "drain");
    let signalled!: () => void;
    const inside = new Promise<void>((resolve) => (signalled = resolve));
    const transaction = prisma.$transaction(async (tx) => {
      await tx.frame.create({ data: { animationId, index: 0, image: "/a.png", width: 1, height: 1 } });
      signalled();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return tx.frame.create({ data: { animationId, index: 1, image: "/b.png", width: 1, height: 1 } });
    });
    await inside;
    gateway.child.kill("SIGTERM");
    await transaction;
    expect(await gateway.exited).toBe(0);
    expect((await admin.query("select count(*)::int as n from frames where animation_id = $1", [animationId])).rows[0].n).toBe(2);
    expect((await fetch(`${gateway.url}/health`).catch(() => undefined))?.status).toBeUndefined();
  });
});

describe("two gateway processes behind haproxy", () => {
  let a: GatewayProcess;
  let b: GatewayProcess;
  let front: string;

  beforeAll(async () => {
    if (!existsSync(haproxyBinary)) throw new Error(`${haproxyBinary} is missing: apt-get install haproxy (.ci/run does)`);
    const [portA, portB, portFront] = await Promise.all([freePort(), freePort(), freePort()]);
    const peers = `a=http://127.0.0.1:${portA},b=http://127.0.0.1:${portB}`;
    [a, b] = await Promise.all([
      spawnGateway("a", { GATEWAY_PORT: String(portA), GATEWAY_PEERS: peers, GATEWAY_POOL_MAX: "3" }),
      spawnGateway("b", { GATEWAY_PORT: String(portB), GATEWAY_PEERS: peers, GATEWAY_POOL_MAX: "3" }),
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), "haproxy-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = path.join(dir, "haproxy.cfg");
    // Round robin per request, kept-alive connections to both: consecutive requests of one transaction land on
    // either instance.
    writeFileSync(
      config,
      [
        "defaults",
        "  mode http",
        "  timeout connect 2s",
        "  timeout client 30s",
        "  timeout server 30s",
        "frontend gateways",
        `  bind 127.0.0.1:${portFront}`,
        "  default_backend gateways",
        "backend gateways",
        "  balance roundrobin",
        `  server a 127.0.0.1:${portA}`,
        `  server b 127.0.0.1:${portB}`,
        "",
      ].join("\n"),
    );
    const haproxy = spawn(haproxyBinary, ["-f", config, "-db"], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    haproxy.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise((resolve) => haproxy.once("exit", resolve));
    cleanups.push(() => (haproxy.exitCode === null ? (haproxy.kill("SIGTERM"), exited) : undefined));
    front = `127.0.0.1:${portFront}`;
    for (const deadline = Date.now() + 20_000; !(await fetch(`http://${front}/health`).then((r) => r.ok, () => false)); ) {
      if (haproxy.exitCode !== null || Date.now() > deadline) throw new Error(`haproxy did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  });

  const forwarded = async (gateway: GatewayProcess) => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    return [...text.matchAll(/^gateway_forwarded_requests_total\{peer="\w+",outcome="ok"\} (\d+)/gm)].reduce((sum, [, n]) => sum + Number(n), 0);
  };

  it("reaches the instance holding each transaction: 12 concurrent appends get 0..11, some forwarded", async () => {
    const prisma = clientFor(front);
    const animationId = await newAnimation(prisma, "two-instances");
    const frames = await Promise.all(Array.from({ length: 12 }, () => appendFrame(prisma, animationId)));
    expect(frames.map((f) => f.index).sort((x, y) => x - y)).toEqual([...Array(12).keys()]);
    const [fromA, fromB] = await Promise.all([forwarded(a), forwarded(b)]);
    console.log(`forwarded to the owner: ${fromA} by a, ${fromB} by b`);
    expect(fromA).toBeGreaterThan(0);
    expect(fromB).toBeGreaterThan(0);
  });

  it("commits and rolls back across instances over plain HTTP, and never forwards twice", async () => {
    const started = await (await post(`http://${front}/transaction/start`, { timeout: 5000, maxWait: 2000 })).json();
    const owner = started.id.split(".")[0];
    const other = owner === "a" ? b : a;
    // Sent straight to the instance that does not hold it: forwarded once, committed by the owner.
    expect((await post(`${other.url}/transaction/${started.id}/commit`, {})).status).toBe(200);
    // A request already forwarded once is not forwarded again.
    const looped = await post(`${other.url}/transaction/${started.id}/commit`, {}, { authorization: `Bearer ${key}`, "x-gateway-forwarded-by": owner });
    expect(looped.status).toBe(409);
    // An id that names no configured instance goes nowhere.
    const unknown = await post(`${other.url}/transaction/elsewhere.0190f0e0-0000-7000-8000-000000000000/commit`, {});
    expect(await unknown.json()).toMatchObject({ code: "P2028" });
  });
});

describe("limits, on a gateway in this process", () => {
  let gateway: Gateway;
  let prisma: PrismaClient;
  beforeAll(async () => {
    const settings = gatewaySettings({
      DATABASE_URL: roleUrl,
      GATEWAY_API_KEYS: `test:${key}`,
      GATEWAY_PORT: "0",
      GATEWAY_POOL_MAX: "2",
      GATEWAY_MAX_BODY_BYTES: "16384",
      GATEWAY_MAX_RESPONSE_BYTES: "4096",
      GATEWAY_MAX_TRANSACTIONS_PER_KEY: "2",
      GATEWAY_QUERY_TIMEOUT_MS: "300",
      GATEWAY_MAX_TRANSACTION_TIMEOUT_MS: "400",
    });
    gateway = await startGateway(settings);
    cleanups.push(() => gateway.close(1000));
    prisma = clientFor(`127.0.0.1:${gateway.port}`);
  });

  it("refuses a body over GATEWAY_MAX_BODY_BYTES with 413, by its length or as it streams", async () => {
    const big = JSON.stringify({ plan: {}, params: { padding: "x".repeat(20_000) } });
    const answer = await post(`${gateway.url}/query`, big);
    expect(answer.status).toBe(413);
    expect(await answer.json()).toMatchObject({ code: "P6005" });
  });

  it("refuses a response over GATEWAY_MAX_RESPONSE_BYTES with P6009", async () => {
    await expect(prisma.$queryRaw`select repeat('x', 5000) as big`).rejects.toMatchObject({ code: "P6009" });
    expect(await prisma.$queryRaw`select repeat('x', 100) as small`).toHaveLength(1);
  });

  it("holds at most GATEWAY_MAX_TRANSACTIONS_PER_KEY transactions open for one key: 429 with Retry-After", async () => {
    const start = () => post(`${gateway.url}/transaction/start`, { timeout: 5000, maxWait: 2000 });
    const [first, second] = await Promise.all([start(), start()]);
    const third = await start();
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("1");
    expect(await third.json()).toMatchObject({ code: "P2024" });
    for (const answer of [first, second]) await post(`${gateway.url}/transaction/${(await answer.json()).id}/rollback`, {});
    expect(gateway.stats().openTransactions).toBe(0);
  });

  it("ends a statement past GATEWAY_QUERY_TIMEOUT_MS (503), and a transaction past GATEWAY_MAX_TRANSACTION_TIMEOUT_MS", async () => {
    const slow = await post(`${gateway.url}/query`, { plan: { type: "query", args: { type: "rawSql", sql: "select pg_sleep(2)", args: [], argTypes: [] } }, params: {} });
    expect(slow.status).toBe(503);
    expect(slow.headers.get("retry-after")).toBe("1");
    expect((await slow.json()).meta.driverAdapterError.cause.originalCode).toBe("57014");
    // The client asks for 60 s; the gateway holds it to 400 ms.
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.project.count();
        await new Promise((resolve) => setTimeout(resolve, 800));
        return tx.project.count();
      }, { timeout: 60_000 }),
    ).rejects.toMatchObject({ code: "P2028", message: expect.stringContaining("expired transaction") });
  });
});

describe("TLS", () => {
  it("serves HTTPS with the given certificate, beyond loopback's 127.0.0.1, and Prisma Client reaches it over HTTPS", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gateway-tls-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const [cert, keyFile] = [path.join(dir, "cert.pem"), path.join(dir, "key.pem")];
    // Prisma Client speaks plain HTTP to 127.0.0.1 and localhost, HTTPS to any other host: 127.0.0.2 is one.
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.2", "-addext", "subjectAltName=IP:127.0.0.2", "-keyout", keyFile, "-out", cert], { stdio: "ignore" });
    const gateway = await startGateway(gatewaySettings({ DATABASE_URL: roleUrl, GATEWAY_API_KEYS: key, GATEWAY_PORT: "0", GATEWAY_HOST: "127.0.0.2", GATEWAY_TLS_CERT_FILE: cert, GATEWAY_TLS_KEY_FILE: keyFile }));
    cleanups.push(() => gateway.close(1000));
    expect(gateway.url).toMatch(/^https:\/\/127\.0\.0\.2:\d+$/);
    await expect(fetch(gateway.url.replace("https:", "http:") + "/health")).rejects.toThrow();
    // A process that trusts the certificate, as a deployment trusts its CA: the app's client over HTTPS.
    const script = path.join(dir, "count.mts");
    writeFileSync(
      script,
      `import { PrismaClient } from ${JSON.stringify(path.resolve("lib/generated/prisma/client.ts"))};\n` +
        `const prisma = new PrismaClient({ accelerateUrl: ${JSON.stringify(gateway.accelerateUrl(key))} });\n` +
        "console.log(JSON.stringify(await prisma.$queryRaw`select current_setting('ssl_library') is not null as ok`));\n",
    );
    // Not execFileSync: the gateway answers from this process's event loop.
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: cert }, encoding: "utf8" });
    expect(JSON.parse(stdout)).toEqual([{ ok: true }]);
  });
});

describe("a database that cannot be used", () => {
  it("answers 503 with Retry-After when nothing listens, and when the password is wrong", async () => {
    const nowhere = `postgresql://${new URL(roleUrl).username}:${password}@127.0.0.1:${await freePort()}/nothing`;
    const wrongPassword = Object.assign(new URL(roleUrl), { password: "wrong-password" }).toString();
    const logged: string[] = [];
    for (const url of scram ? [nowhere, wrongPassword] : [nowhere]) {
      const gateway = await startGateway(gatewaySettings({ DATABASE_URL: url, GATEWAY_API_KEYS: key, GATEWAY_PORT: "0", GATEWAY_POOL_ACQUIRE_TIMEOUT_MS: "2000" }), {
        log: (_level, message) => logged.push(message),
      });
      try {
        const answer = await post(`${gateway.url}/query`, { plan: { type: "query", args: { type: "rawSql", sql: "select 1", args: [], argTypes: [] } }, params: {} });
        expect(answer.status).toBe(503);
        expect(answer.headers.get("retry-after")).toBe("1");
        const body = await answer.json();
        // A raw query's error is P2010 with the driver's kind; a model query's is Prisma's P1001 or P1000.
        expect(body).toMatchObject({ code: "P2010", meta: { driverAdapterError: { cause: { kind: expect.stringMatching(/DatabaseNotReachable|AuthenticationFailed/) } } } });
        expect(JSON.stringify(body)).not.toContain(password);
        const client = new PrismaClient({ accelerateUrl: gateway.accelerateUrl(key) });
        await expect(client.project.count()).rejects.toMatchObject({ code: expect.stringMatching(/^P100[01]$/) });
      } finally {
        await gateway.close(1000);
      }
    }
    if (!scram) console.log("the run's PostgreSQL trusts loopback connections: the wrong-password case is left out");
    expect(logged.join("\n")).not.toContain(password);
  });
});
