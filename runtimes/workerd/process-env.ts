// lib/env.ts reads process.env; workerd hands a worker its variables as bindings. Copied here, before any module
// of the app is evaluated (worker.ts imports this first), so the worker validates the same contract as Node.js.
// A binding whose variable is unset arrives as null and stays unset, so the contract's defaults apply.
import { env } from "cloudflare:workers";

for (const [name, value] of Object.entries(env)) {
  if (typeof value === "string") process.env[name] = value;
}
