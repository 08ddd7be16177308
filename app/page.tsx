import { prisma } from "@/lib/prisma";

export const dynamic = "force-dynamic";

export default async function Home() {
  const projects = await prisma.project.findMany({
    orderBy: { name: "asc" },
    include: { _count: { select: { characters: true } } },
  });
  return (
    <main>
      <h1>Projects</h1>
      {projects.length === 0 ? (
        <p>No projects yet. Create one with POST /api/projects, or run bun run db:seed.</p>
      ) : (
        <ul>
          {projects.map((project) => (
            <li key={project.id}>
              <strong>{project.name}</strong> ({project.slug}): {project._count.characters} characters
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
