import { appendFrame } from "@/lib/api/frames";

export { appendFrame as POST };
