// The app's logger: JSON lines that carry the request id, the route and the trace id of the request they were
// written during, with connection strings and passwords redacted.
import { trace } from "@opentelemetry/api";
import { sink } from "#telemetry/log-sink";
import { redact } from "@/lib/redact";
import type { LogSink } from "@/lib/telemetry/log-sink";
import { currentRequest } from "@/lib/telemetry/request-context";

type Fields = Record<string, unknown>;

function clean(value: unknown): unknown {
  if (typeof value === "string") return redact(value);
  if (value instanceof Error) return { type: value.name, message: redact(value.message), stack: redact(value.stack ?? "") };
  if (Array.isArray(value)) return value.map(clean);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)]));
  return value;
}

const write = (level: Parameters<LogSink>[0]) => (message: string, fields: Fields = {}) => {
  const request = currentRequest();
  const span = trace.getActiveSpan()?.spanContext();
  sink(
    level,
    {
      ...(request && { requestId: request.requestId, route: request.route }),
      ...(span && span.traceFlags & 1 && { traceId: span.traceId, spanId: span.spanId }),
      ...(clean(fields) as Fields),
    },
    redact(message),
  );
};

export const log = { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
