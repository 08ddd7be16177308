// The HTTP tests run `next start`, so they need the production build of the current source. SKIP_NEXT_BUILD=1 reuses
// the build already in .next (CI's second pass, on another server, tests the same source).
import { execFileSync } from "node:child_process";

export default function setup() {
  if (process.env.SKIP_NEXT_BUILD === "1") return;
  try {
    execFileSync("node_modules/.bin/next", ["build"], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" }, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`next build failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}
