import { appendFrame } from "@/lib/api/frames";

export const runtime = "edge";

export { appendFrame as POST };
