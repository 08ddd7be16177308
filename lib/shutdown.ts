// The last step of a shutdown: closing what the process holds open, within a bound, and the exit code that says
// whether it worked.

export type DrainStep = {
  /** What is being closed, for the log: "the database pool". */
  name: string;
  close: () => Promise<unknown>;
  /** What is still open, for the log line of a step cut short: "2 connections still running a query". */
  describeOpen?: () => string | undefined;
};

/** Closes every step at once; true only if all of them finished within `timeoutMs` without an error. */
export async function drain(steps: DrainStep[], timeoutMs: number, log: (line: string) => void): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const outcomes = await Promise.all(
    steps.map(async (step) => {
      const outcome = await Promise.race([step.close().then(() => "closed" as const), deadline]).catch((error: unknown) => error);
      if (outcome === "closed") return true;
      if (outcome === "timeout") {
        const open = step.describeOpen?.();
        log(`shutdown: closing ${step.name} was cut short after ${timeoutMs} ms${open ? `: ${open}` : ""}`);
      } else {
        log(`shutdown: closing ${step.name} failed: ${outcome instanceof Error ? outcome.message : String(outcome)}`);
      }
      return false;
    }),
  );
  clearTimeout(timer);
  return outcomes.every(Boolean);
}

// Next.js exits with 128 + the signal's number after a graceful stop, so that Node.js counts it as a signal
// termination. A graceful stop is a success here: 0 tells a supervisor that nothing was lost.
const signalExitCodes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Next.js's exit code, with its code for the signal being handled turned to 0; a failed drain is never 0. */
export function exitCode(requested: number | undefined, signal: NodeJS.Signals, drained: boolean): number {
  const code = requested === signalExitCodes[signal] ? 0 : (requested ?? 0);
  return drained || code !== 0 ? code : 1;
}
