// Log lines on the edge runtime, which cannot run pino: the same JSON shape, through the console.
import { env } from "@/lib/env";
import type { LogSink } from "@/lib/telemetry/log-sink";

const levels = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

export const sink: LogSink = (level, fields, message) => {
  if (levels[level] < levels[env.LOG_LEVEL ?? "info"]) return;
  console.log(JSON.stringify({ level: levels[level], time: Date.now(), runtime: "edge", ...fields, msg: message }));
};
