import { metrics } from "@/lib/api/metrics";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = metrics;
