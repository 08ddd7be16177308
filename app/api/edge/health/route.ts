import { health } from "@/lib/api/health";

export const runtime = "edge";
export const dynamic = "force-dynamic";

export const GET = health("edge");
