import { createProject, listProjects } from "@/lib/api/projects";

export const dynamic = "force-dynamic";

export { listProjects as GET, createProject as POST };
