// The app's span per request, recorded by the OpenTelemetry SDK into memory.
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { inServerSpan, openServerSpansWith } from "@/lib/telemetry/server-span";

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const request = { method: "GET", route: "/api/projects/:id", path: "/api/projects/42", headers: new Headers() };
const statusOf = (response: Response) => response.status;
const finished = async () => {
  await provider.forceFlush();
  return exporter.getFinishedSpans();
};

beforeEach(() => {
  openServerSpansWith(provider.getTracer("test"));
  exporter.reset();
});
afterAll(() => openServerSpansWith(undefined));

describe("a request's span", () => {
  it("is a SERVER span named by method and route, with the HTTP attributes", async () => {
    const response = await inServerSpan(request, async () => new Response("ok", { status: 201 }), { statusOf });
    expect(response.status).toBe(201);
    const [span] = await finished();
    expect(span?.name).toBe("GET /api/projects/:id");
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.attributes).toEqual({
      "http.request.method": "GET",
      "http.route": "/api/projects/:id",
      "url.path": "/api/projects/42",
      "http.response.status_code": 201,
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("is an error when answered with a 5xx, not with a 4xx", async () => {
    await inServerSpan(request, async () => new Response(null, { status: 404 }), { statusOf });
    await inServerSpan(request, async () => new Response(null, { status: 503 }), { statusOf });
    expect((await finished()).map((span) => span.status.code)).toEqual([SpanStatusCode.UNSET, SpanStatusCode.ERROR]);
  });

  it("records a failure's type and never its message; control flow is no failure", async () => {
    const failure = new TypeError("connect to postgresql://app:s3cret@db/app failed");
    await expect(inServerSpan(request, () => Promise.reject(failure))).rejects.toBe(failure);
    const redirect = new Error("NEXT_REDIRECT");
    await expect(inServerSpan(request, () => Promise.reject(redirect), { isControlFlow: (error) => error === redirect })).rejects.toBe(redirect);
    const [failed, redirected] = await finished();
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed?.attributes["error.type"]).toBe("TypeError");
    expect(JSON.stringify([failed?.attributes, failed?.events, failed?.status])).not.toContain("s3cret");
    expect(redirected?.status.code).toBe(SpanStatusCode.UNSET);
    expect(redirected?.attributes["error.type"]).toBeUndefined();
  });

  it("is not opened when tracing is off", async () => {
    openServerSpansWith(undefined);
    await inServerSpan(request, async () => new Response("ok"), { statusOf });
    expect(await finished()).toEqual([]);
  });
});
