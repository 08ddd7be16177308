import { getCharacter } from "@/lib/api/projects";

export { getCharacter as GET };
