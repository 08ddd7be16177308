// The gateway's pure parts, no database: settings, API keys, transaction ids, the tables a plan touches, the
// cache's headers.
import { describe, expect, it } from "vitest";
import { authenticate, parseApiKeys } from "../src/keys";
import { planTables } from "../src/plan-tables";
import { gatewaySettings } from "../src/settings";
import { cacheControl, cacheTags } from "../src/shared-cache";
import { createTransactionIds, OpenTransactions } from "../src/transactions";

const key = "k".repeat(24);
const base = { DATABASE_URL: "postgresql://app:s3cret@db.internal:5432/app", GATEWAY_API_KEYS: key };

describe("settings", () => {
  it("has defaults for everything but the database and the keys", () => {
    const settings = gatewaySettings(base);
    expect(settings).toMatchObject({ port: 4466, host: "127.0.0.1", pool: { max: 10, acquireTimeoutMs: 5000 }, limits: { maxResponseBytes: 5 * 1024 * 1024 } });
    expect(settings.instance).toMatch(/^g[0-9a-f]{8}$/);
  });

  it("names every bad variable in one line, never showing a URL or a key", () => {
    const attempt = () => gatewaySettings({ DATABASE_URL: "mysql://app:s3cret@db/app", GATEWAY_API_KEYS: "short", GATEWAY_POOL_MAX: "lots" });
    expect(attempt).toThrow(/DATABASE_URL is set: .*; GATEWAY_API_KEYS is set: .*; GATEWAY_POOL_MAX is "lots": must be a whole number from 1 to 1000 connections/);
    expect(() => attempt()).not.toThrow(/s3cret|short/);
  });

  it("listens beyond loopback only with TLS, or when told a proxy in front terminates it", () => {
    expect(() => gatewaySettings({ ...base, GATEWAY_HOST: "0.0.0.0" })).toThrow(/loopback only/);
    expect(gatewaySettings({ ...base, GATEWAY_HOST: "0.0.0.0", GATEWAY_ALLOW_PLAINTEXT_REMOTE: "true" }).host).toBe("0.0.0.0");
    expect(gatewaySettings({ ...base, GATEWAY_HOST: "0.0.0.0", GATEWAY_TLS_CERT_FILE: "c.pem", GATEWAY_TLS_KEY_FILE: "k.pem" }).tls).toEqual({ certFile: "c.pem", keyFile: "k.pem" });
    expect(() => gatewaySettings({ ...base, GATEWAY_TLS_CERT_FILE: "c.pem" })).toThrow(/go together/);
    expect(gatewaySettings({ ...base, GATEWAY_HOST: "127.0.0.2" }).host).toBe("127.0.0.2");
  });

  it("reads peers as name=url", () => {
    const { peers } = gatewaySettings({ ...base, GATEWAY_PEERS: "a=http://10.0.0.1:4466/, b=https://gw-b:4466" });
    expect([...peers]).toEqual([["a", "http://10.0.0.1:4466"], ["b", "https://gw-b:4466"]]);
    expect(() => gatewaySettings({ ...base, GATEWAY_PEERS: "a=ftp://x" })).toThrow(/GATEWAY_PEERS/);
  });
});

describe("the cache's settings and headers", () => {
  it("is on with a listener on DATABASE_URL by default; its URLs are never shown", () => {
    expect(gatewaySettings(base).cache).toMatchObject({ l1MaxBytes: 64 * 1024 * 1024, maxEntryBytes: 1024 * 1024, redisUrl: undefined, notifyUrl: base.DATABASE_URL });
    expect(gatewaySettings({ ...base, GATEWAY_CACHE_LISTEN_NOTIFY: "false" }).cache?.notifyUrl).toBeUndefined();
    expect(gatewaySettings({ ...base, GATEWAY_CACHE: "false" }).cache).toBeUndefined();
    const attempt = () => gatewaySettings({ ...base, GATEWAY_CACHE_REDIS_URL: "http://user:s3cret@redis", GATEWAY_CACHE_MAX_ENTRY_BYTES: "1" });
    expect(attempt).toThrow(/GATEWAY_CACHE_MAX_ENTRY_BYTES is "1": .*GATEWAY_CACHE_REDIS_URL is set: must be a redis/);
    expect(attempt).not.toThrow(/s3cret/);
  });

  it("reads cache-control as withAccelerate() writes it, and refuses what is out of range", () => {
    expect(cacheControl("max-age=60,stale-while-revalidate=30")).toEqual({ ttl: 60, swr: 30 });
    expect(cacheControl("stale-while-revalidate=5")).toEqual({ ttl: 0, swr: 5 });
    for (const nothing of [undefined, "no-cache", "max-age=0", "public"]) expect(cacheControl(nothing)).toBeNull();
    expect(() => cacheControl("max-age=-1")).toThrow(/max-age must be a whole number/);
    expect(() => cacheControl("max-age=99999999")).toThrow(/31536000/);
  });

  it("reads at most 5 tags of A-Z a-z 0-9 _ : . -", () => {
    expect(cacheTags("projects,project:1")).toEqual(["projects", "project:1"]);
    expect(cacheTags(undefined)).toEqual([]);
    expect(() => cacheTags("a b")).toThrow(/accelerate-cache-tags/);
    expect(() => cacheTags("a,b,c,d,e,f")).toThrow(/at most 5/);
  });
});

describe("API keys", () => {
  const keys = parseApiKeys(`edge:${"a".repeat(32)}, ${"b".repeat(40)}`);

  it("are named, by the name given or by position", () => {
    expect(keys.map((k) => k.name)).toEqual(["edge", "key2"]);
  });

  it("match a Bearer header exactly, and nothing else", () => {
    expect(authenticate(keys, `Bearer ${"a".repeat(32)}`)?.name).toBe("edge");
    expect(authenticate(keys, `Bearer ${"b".repeat(40)}`)?.name).toBe("key2");
    for (const header of [undefined, "", `Bearer ${"a".repeat(31)}`, `Bearer ${"a".repeat(33)}`, `Basic ${"a".repeat(32)}`, "a".repeat(32)]) {
      expect(authenticate(keys, header)).toBeUndefined();
    }
  });

  it("refuse short keys, odd characters and duplicate names", () => {
    expect(() => parseApiKeys("short")).toThrow(/24 to 512/);
    expect(() => parseApiKeys(`${"a".repeat(30)}=`)).toThrow(/24 to 512/);
    expect(() => parseApiKeys(`x:${"a".repeat(30)},x:${"b".repeat(30)}`)).toThrow(/same name/);
    expect(() => parseApiKeys(" , ")).toThrow(/at least one/);
  });
});

describe("transactions", () => {
  it("carry the name of the instance that holds them", () => {
    const ids = createTransactionIds("gw-a");
    const id = ids.external("0190f0e0-0000-7000-8000-000000000000");
    expect(id).toBe("gw-a.0190f0e0-0000-7000-8000-000000000000");
    expect(ids.owner(id)).toBe("gw-a");
    expect(ids.internal(id)).toBe("0190f0e0-0000-7000-8000-000000000000");
    expect(ids.owner("0190f0e0-0000-7000-8000-000000000000")).toBeUndefined();
  });

  it("are counted per key up to the limit, each released once", () => {
    const open = new OpenTransactions(2);
    const first = open.reserve("a")!;
    open.reserve("a");
    expect(open.reserve("a")).toBeUndefined();
    expect(open.reserve("b")).toBeDefined();
    first();
    first();
    expect(open.total()).toBe(2);
    expect(open.byKey()).toEqual(new Map([["a", 1], ["b", 1]]));
  });
});

// Plans as Prisma Client 7.10 sends them, cut down to the nodes that carry SQL.
const sql = (type: "query" | "execute", ...chunks: string[]) => ({
  type,
  args: { type: "templateSql", fragments: chunks.flatMap((chunk, i) => (i ? [{ type: "parameter" }, { type: "stringChunk", chunk }] : [{ type: "stringChunk", chunk }])) },
});

describe("the tables a plan touches", () => {
  it("a read names what it selects from and joins", () => {
    const plan = {
      type: "dataMap",
      args: {
        expr: {
          type: "join",
          args: {
            parent: sql("query", 'SELECT "public"."projects"."id" FROM "public"."projects" WHERE "id" = ', " LIMIT 1"),
            children: [{ child: sql("query", 'SELECT "c"."id" FROM "public"."characters" AS "c" LEFT JOIN "public"."animations" ON 1=1') }],
          },
        },
      },
    };
    expect(planTables(plan)).toEqual({ read: new Set(["public.projects", "public.characters", "public.animations"]), written: new Set(), raw: false });
  });

  it("a nested create writes each table it inserts into", () => {
    const plan = {
      type: "transaction",
      args: {
        type: "seq",
        args: [
          sql("query", 'INSERT INTO "public"."projects" ("id") VALUES (', ') RETURNING "public"."projects"."id"'),
          sql("execute", 'INSERT INTO "public"."characters" ("id") VALUES (', ")"),
        ],
      },
    };
    expect(planTables(plan).written).toEqual(new Set(["public.projects", "public.characters"]));
  });

  it("updates and deletes write their table", () => {
    expect(planTables(sql("query", 'UPDATE "public"."projects" SET "name" = ', " RETURNING 1")).written).toEqual(new Set(["public.projects"]));
    expect(planTables(sql("query", 'DELETE FROM "public"."frames" WHERE 1=1')).written).toEqual(new Set(["public.frames"]));
  });

  it("raw SQL: bare names are folded; a statement that is not a plain read may write anything", () => {
    const raw = (text: string) => ({ type: "query", args: { type: "rawSql", sql: text, args: [] } });
    expect(planTables(raw("select count(*) from Projects join frames on true"))).toEqual({ read: new Set(["projects", "frames"]), written: new Set(), raw: true });
    expect(planTables(raw('update "Odd"."Name" set x = 1')).written).toEqual(new Set(["Odd.Name"]));
    expect(planTables({ type: "execute", args: { type: "rawSql", sql: "call refresh_everything()", args: [] } }).written).toEqual(new Set(["*"]));
  });
});
