import { createProject, listProjects } from "@/lib/api/projects";

export const runtime = "edge";
export const dynamic = "force-dynamic";

export { listProjects as GET, createProject as POST };
