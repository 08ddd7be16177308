// A page's render in its request's context, as inRequestContext gives a route handler's: the request id in every
// log line and SQL comment, and, when tracing is on, a span. A page sees its request's headers but not its path:
// it names its own route.
import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import type { ReactNode } from "react";
import { requestIdOf, withRequestContext } from "@/lib/telemetry/request-context";
import { inServerSpan } from "@/lib/telemetry/server-span";

/** notFound() and redirect() throw; those are answers, not failures. */
function isControlFlow(error: unknown): boolean {
  try {
    unstable_rethrow(error);
    return false;
  } catch {
    return true;
  }
}

/** `route`: the page's path with its parameters named, e.g. `/projects/:slug`. */
export function page<Props>(route: string, render: (props: Props) => Promise<ReactNode>) {
  return async (props: Props) => {
    const incoming = await headers();
    const context = { requestId: requestIdOf(incoming), route: `GET ${route}` };
    return inServerSpan({ method: "GET", route, headers: incoming }, () => withRequestContext(context, () => render(props)), { isControlFlow });
  };
}
