// An OTLP/HTTP receiver for tests and benchmarks: accepts what an exporter configured with
// OTEL_EXPORTER_OTLP_PROTOCOL=http/json sends to /v1/traces and keeps the spans, flattened.
import { createServer } from "node:http";

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values: AnyValue[] } };
type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: AnyValue }[];
};
type OtlpExport = { resourceSpans?: { scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[] }[] };

export type Span = {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  scope: string;
  attributes: Record<string, unknown>;
};

const valueOf = (value: AnyValue): unknown =>
  value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue ?? value.arrayValue?.values.map(valueOf);

/** `keep: false` only counts what arrives (any protocol), for a benchmark that must not grow in memory. */
export async function startOtlpReceiver({ keep = true } = {}) {
  const spans: Span[] = [];
  let exports = 0;
  /** Every request body as received, for a search of the raw bytes. */
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      exports++;
      if (!keep) {
        chunks.length = 0;
        response.writeHead(200, { "content-type": request.headers["content-type"] ?? "application/json" });
        return response.end();
      }
      const body = Buffer.concat(chunks).toString("utf8");
      bodies.push(body);
      if (request.url === "/v1/traces") {
        const data = JSON.parse(body) as OtlpExport;
        for (const resource of data.resourceSpans ?? [])
          for (const scope of resource.scopeSpans ?? [])
            for (const span of scope.spans ?? [])
              spans.push({
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId || undefined,
                name: span.name,
                scope: scope.scope?.name ?? "",
                attributes: Object.fromEntries((span.attributes ?? []).map(({ key, value }) => [key, valueOf(value)])),
              });
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    exports: () => exports,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
