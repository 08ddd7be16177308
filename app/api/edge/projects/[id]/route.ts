import { deleteProject, getProject, updateProject } from "@/lib/api/projects";

export const runtime = "edge";

export { getProject as GET, updateProject as PATCH, deleteProject as DELETE };
