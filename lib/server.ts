// Start-up and shutdown of a long-running Node.js server process.
export async function startServer() {
  try {
    await import("@/lib/env");
  } catch (error) {
    // One line that names the variable; a stack trace would say nothing more and bury it.
    if (!(error instanceof Error && error.name === "EnvError")) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const { disconnect } = await import("@/lib/prisma");
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      disconnect().finally(() => process.exit(0));
    });
  }
}
