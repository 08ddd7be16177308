import type { NextRequest } from "next/server";
import { isWellFormedTarget, malformedTargetBody } from "@/lib/http/request-target";

// The path only: a query string is decoded leniently (URLSearchParams), never into a 500.
export function proxy(request: NextRequest) {
  if (!isWellFormedTarget(new URL(request.url).pathname)) return Response.json(malformedTargetBody, { status: 400 });
}

// Only a path with an escape can be malformed: every other request skips the proxy, and its body cloning.
export const config = { matcher: ["/:path(.*%.*)"] };
