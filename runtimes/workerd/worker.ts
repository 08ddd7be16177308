// Cloudflare's workerd: a module worker serving the app's API, with a database per request.
import "./process-env";
import { withRequestDatabase } from "@/lib/db/per-request.workerd";
import { createFetchHandler } from "../fetch-handler";

type ExecutionContext = { waitUntil(promise: Promise<unknown>): void };

const handle = createFetchHandler("workerd");

const worker = {
  fetch: (request: Request, _env: unknown, ctx: ExecutionContext) =>
    withRequestDatabase(() => handle(request), (closing) => ctx.waitUntil(closing)),
};

export default worker;
