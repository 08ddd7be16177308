// The telemetry modules' pure logic: request ids, route names, when tracing starts and what it samples, the metrics
// token, SQL comments with and without prepared statements, slow-query parameters.
import { ROOT_CONTEXT, SpanKind } from "@opentelemetry/api";
import { SamplingDecision } from "@opentelemetry/sdk-trace";
import { describe, expect, it } from "vitest";
import { sqlComments } from "@/lib/db/telemetry/sql-comments";
import { logSlowQueries, MAX_STATEMENT_LENGTH } from "@/lib/db/telemetry/slow-queries";
import { bearerMatches } from "@/lib/telemetry/bearer";
import { isLoopback } from "@/lib/telemetry/peer-address";
import { requestIdOf, routePatternOf, withRequestContext } from "@/lib/telemetry/request-context";
import { samplerFromEnv, WithoutNextInternals } from "@/lib/telemetry/sampler";
import { tracingRequested } from "@/lib/telemetry/tracing";

const withId = (id?: string) => new Headers(id === undefined ? {} : { "x-request-id": id });

describe("request ids", () => {
  it("keeps a well-formed incoming x-request-id", () => {
    expect(requestIdOf(withId("abc-123_DEF.456:7"))).toBe("abc-123_DEF.456:7");
  });
  it.each(["", "short", "has space inside", "quote'*/ drop", "x".repeat(129), "tab\there-0000", "ünïcode-0000"])("replaces %j", (given) => {
    expect(requestIdOf(withId(given))).toMatch(/^[0-9a-f-]{36}$/);
  });
  it("makes one when none is sent", () => {
    const [a, b] = [requestIdOf(withId()), requestIdOf(withId())];
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });
});

describe("a route's name", () => {
  const id = "0b6f3c1e-1d2a-4e5f-8a9b-0c1d2e3f4a5b";
  it("is the matched pattern: each segment the router took as a parameter is named after it", () => {
    expect(routePatternOf(`/api/projects/${id}`, { id })).toBe("/api/projects/:id");
    expect(routePatternOf(`/api/animations/${id.toUpperCase()}/frames`, { id: id.toUpperCase() })).toBe("/api/animations/:id/frames");
    expect(routePatternOf("/projects/knight/hero/walk", { slug: "knight", character: "hero", animation: "walk" })).toBe(
      "/projects/:slug/:character/:animation",
    );
    expect(routePatternOf("/api/projects", {})).toBe("/api/projects");
  });
  it("is the same for every spelling of a parameter", () => {
    const spellings = [id, `%30${id.slice(1)}`, id.replace(/-/g, "%2D"), [...id].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("")];
    expect(new Set(spellings.map((spelled) => routePatternOf(`/api/projects/${spelled}/x`, { id })))).toEqual(new Set(["/api/projects/:id/x"]));
  });
  it("keeps a segment that is no parameter, and survives a malformed escape", () => {
    expect(routePatternOf("/api/projects/%", { id: "other" })).toBe("/api/projects/%");
    expect(routePatternOf("/api/health", { id: "" })).toBe("/api/health");
  });
});

describe("tracing starts", () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:4318/v1/traces" }, true],
    [{ OTEL_TRACES_EXPORTER: "otlp" }, true],
    [{ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }, false],
    [{ OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: " " }, false],
  ])("with %j: %s", (vars, expected) => {
    expect(tracingRequested(vars)).toBe(expected);
  });
});

describe("the sampler", () => {
  const decide = (sampler: ReturnType<typeof samplerFromEnv>, name: string) =>
    sampler.shouldSample(ROOT_CONTEXT, "4bf92f3577b34da6a3ce929d0e0e4736", name, SpanKind.SERVER, {}, []).decision;

  it("records none of Next.js's internal steps, and the rest as the env's sampler says", () => {
    const sampler = new WithoutNextInternals(samplerFromEnv({}));
    for (const name of ["resolve page components", "load route module", "prepare route module", "start response"]) {
      expect(decide(sampler, name), name).toBe(SamplingDecision.NOT_RECORD);
    }
    expect(decide(sampler, "GET /api/projects/[id]")).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(new WithoutNextInternals(samplerFromEnv({ OTEL_TRACES_SAMPLER: "always_off" })), "GET /")).toBe(SamplingDecision.NOT_RECORD);
  });

  it.each([
    [{}, "ParentBased{root=AlwaysOnSampler"],
    [{ OTEL_TRACES_SAMPLER: "always_on" }, "AlwaysOnSampler"],
    [{ OTEL_TRACES_SAMPLER: "always_off" }, "AlwaysOffSampler"],
    [{ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.25" }, "TraceIdRatioBased{0.25}"],
    [{ OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.1" }, "ParentBased{root=TraceIdRatioBased{0.1}"],
    [{ OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "2" }, "ParentBased{root=TraceIdRatioBased{1}"],
    [{ OTEL_TRACES_SAMPLER: "parentbased_always_off" }, "ParentBased{root=AlwaysOffSampler"],
    [{ OTEL_TRACES_SAMPLER: "unknown" }, "ParentBased{root=AlwaysOnSampler"],
  ])("reads %j as the Node SDK does", (vars, expected) => {
    expect(samplerFromEnv(vars).toString()).toContain(expected);
  });
});

it("accepts only the exact bearer token, or one of several", async () => {
  const token = "0123456789abcdef-token";
  const other = "fedcba9876543210-other";
  expect(await bearerMatches(`Bearer ${token}`, token)).toBe(true);
  expect(await bearerMatches(`Bearer ${other}`, [token, other])).toBe(true);
  for (const header of [null, "", token, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, `Basic ${token}`, `Bearer  ${token}`, `bearer${token}`, `Bearer ${token},${other}`]) {
    expect(await bearerMatches(header, token), String(header)).toBe(false);
    expect(await bearerMatches(header, [token, other]), String(header)).toBe(false);
  }
  expect(await bearerMatches("Bearer ", [])).toBe(false);
});

it("tells loopback addresses from others", () => {
  for (const address of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) expect(isLoopback(address), address).toBe(true);
  for (const address of ["10.0.0.1", "::ffff:10.0.0.1", "203.0.113.9", "", null, undefined, "127.0.0.1.evil"]) expect(isLoopback(address), String(address)).toBe(false);
});

describe("SQL comments", () => {
  const context = { query: { type: "single" as const, modelName: "Project", action: "findUnique" as const, query: {} } };
  const tagsOf = (preparedStatements: boolean, requestId: string) =>
    withRequestContext({ requestId, route: "GET /api/projects/:id" }, () =>
      Object.assign({}, ...sqlComments({ preparedStatements }).map((plugin) => plugin(context))),
    );

  it("name the route and the request without prepared statements", () => {
    expect(tagsOf(false, "request-0001")).toEqual({ route: "GET /api/projects/:id", request_id: "request-0001" });
  });
  it("keep the text the same from request to request with prepared statements, which are named after it", () => {
    expect(tagsOf(true, "request-0001")).toEqual({ route: "GET /api/projects/:id" });
    expect(tagsOf(true, "request-0002")).toEqual(tagsOf(true, "request-0001"));
  });
  it("are empty outside a request (scripts, the seed)", () => {
    expect(Object.assign({}, ...sqlComments({ preparedStatements: false }).map((plugin) => plugin(context)))).toEqual({});
  });
});

describe("the slow-query log", () => {
  const logged = (withParameters: boolean, query: string, params: unknown[] | string, duration = 1_500) => {
    const lines: Record<string, unknown>[] = [];
    logSlowQueries({ thresholdMs: 1_000, withParameters }, (_message, fields) => lines.push(fields))({
      query,
      params: typeof params === "string" ? params : JSON.stringify(params),
      duration,
    });
    return lines;
  };
  const secret = "someone's personal note 0123456789";

  it("logs no parameter value unless asked to, only how many there were", () => {
    const [line] = logged(false, "select $1, $2", [secret, 42]);
    expect(line).toEqual({ durationMs: 1_500, statement: "select $1, $2", parameterCount: 2 });
    expect(JSON.stringify(line)).not.toContain("personal");
  });

  it("cuts the statement and, when asked for the values, shows the first 20, each cut at 64 characters", () => {
    const statement = `insert into frames values ${Array.from({ length: 5_000 }, (_, i) => `($${i + 1})`).join(", ")}`;
    const values = ["x".repeat(500), ...Array.from({ length: 4_999 }, (_, i) => i)];
    const [line] = logged(true, statement, values);
    expect(String(line!.statement)).toBe(`${statement.slice(0, MAX_STATEMENT_LENGTH)}… (${statement.length} characters)`);
    expect(line!.parameterCount).toBe(5_000);
    expect(line!.params).toEqual([`${"x".repeat(64)}… (500 characters)`, ...Array.from({ length: 19 }, (_, i) => i), "… (4980 more)"]);
    expect(JSON.stringify(line).length).toBeLessThan(3_000);
  });

  it("survives unreadable parameters and leaves fast statements out", () => {
    expect(logged(true, "select 1", "not json")).toEqual([{ durationMs: 1_500, statement: "select 1", parameterCount: null, params: "(unreadable)" }]);
    expect(logged(true, "select 1", [], 10)).toEqual([]);
  });
});
