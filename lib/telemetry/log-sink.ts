/** Where `lib/log.ts` writes: pino on Node.js, the console on the edge (package.json `imports`, `#telemetry/log-sink`). */
export type LogSink = (level: "debug" | "info" | "warn" | "error", fields: Record<string, unknown>, message: string) => void;
