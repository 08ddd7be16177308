// Runs once when a Next.js server process starts.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startTracing } = await import("@/lib/telemetry/tracing");
    await startTracing();
    const { recordPeerAddresses } = await import("@/lib/telemetry/peer-address");
    recordPeerAddresses();
    const { startServer } = await import("@/lib/server");
    await startServer();
  }
}
