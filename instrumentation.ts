// Runs once when a Next.js server process starts.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startTracing } = await import("@/lib/telemetry/tracing");
    const tracing = await startTracing();
    const { recordPeerAddresses } = await import("@/lib/telemetry/record-peer-addresses");
    recordPeerAddresses();
    const { startServer } = await import("@/lib/server");
    // Loads the data layer, and with it `pg`.
    await startServer();
    tracing?.pgLoaded();
  }
}
