// @ts-check
// The CLI reads the engine's stderr as JSON lines shaped like the native engine's tracing output.
export function log(level, message, fields = {}, target = "schema_engine::logger") {
  process.stderr.write(
    `${JSON.stringify({ timestamp: new Date().toISOString(), level, fields: { message, ...fields }, target })}\n`,
  );
}

/** The wasm engine already formats its logs as the CLI expects; they only need a line of their own. */
export function forwardWasmLog(line) {
  process.stderr.write(line.endsWith("\n") ? line : `${line}\n`);
}
