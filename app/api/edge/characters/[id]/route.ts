import { getCharacter } from "@/lib/api/projects";

export const runtime = "edge";

export { getCharacter as GET };
