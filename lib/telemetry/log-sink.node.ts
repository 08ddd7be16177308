// Log lines on Node.js: pino, one JSON object per line on stdout. In `next dev` a line is made readable in-process:
// pino's transports run in worker threads that Next.js's bundling does not carry.
import pino, { type DestinationStream } from "pino";
import { env } from "@/lib/env";
import type { LogSink } from "@/lib/telemetry/log-sink";

const readable: DestinationStream = {
  write(line: string) {
    const { level, time, msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
    const label = pino.levels.labels[Number(level)]?.toUpperCase() ?? String(level);
    const rest = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : "";
    process.stdout.write(`${new Date(Number(time)).toISOString().slice(11, 23)} ${label} ${msg}${rest}\n`);
  },
};

const cache = globalThis as unknown as { logger?: pino.Logger };
const logger = (cache.logger ??= pino(
  // `next build` evaluates this with the env unvalidated (lib/env.ts).
  { level: env.LOG_LEVEL ?? "info", base: undefined },
  process.env.NODE_ENV === "development" ? readable : undefined,
));

export const sink: LogSink = (level, fields, message) => logger[level](fields, message);
