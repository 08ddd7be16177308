import { deleteProject, getProject, updateProject } from "@/lib/api/projects";

export { getProject as GET, updateProject as PATCH, deleteProject as DELETE };
