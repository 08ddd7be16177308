// A page's render in its request's context, as inRequestContext gives a route handler's: the request id in every
// log line and SQL comment, and, when tracing is on, a span. A page sees its request's headers but not its path:
// it names its own route.
import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import type { ReactNode } from "react";
import { inRequest } from "@/lib/telemetry/request";
import { requestIdOf } from "@/lib/telemetry/request-context";

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
    return inRequest({ method: "GET", route, headers: incoming }, requestIdOf(incoming), () => render(props), { isControlFlow });
  };
}
