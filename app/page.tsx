import Link from "next/link";
import styles from "@/app/browse.module.css";
import { prisma } from "@/lib/prisma";
import { page } from "@/lib/telemetry/page";
import { listProjectsByName } from "@/lib/projects/queries";

export const dynamic = "force-dynamic";

export default page("/", async function ProjectsPage() {
  const projects = await listProjectsByName(prisma);
  return (
    <main>
      <h1>Projects</h1>
      {projects.length === 0 ? (
        <p className={styles.muted}>
          No projects yet. Bring image files in with <code>bun run assets:import</code> (<code>bun run assets:sample</code>{" "}
          writes a sample tree to try it on).
        </p>
      ) : (
        <ul className={styles.list}>
          {projects.map((project) => (
            <li key={project.id}>
              <Link href={`/projects/${project.slug}`}>{project.name}</Link>
              <span className={styles.muted}>
                {project.characterCount} {project.characterCount === 1 ? "character" : "characters"}
              </span>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
});
