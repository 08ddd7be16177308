import Link from "next/link";
import styles from "@/app/browse.module.css";
import { prisma } from "@/lib/prisma";
import { page } from "@/lib/telemetry/page";
import { listProjectsByName } from "@/lib/projects/queries";

export const dynamic = "force-dynamic";

type SearchParams = Promise<{ after?: string | string[] }>;

export default page("/", async function ProjectsPage({ searchParams }: { searchParams: SearchParams }) {
  const { after } = await searchParams;
  const cursor = typeof after === "string" ? after : undefined;
  const { items: projects, nextCursor } = await listProjectsByName(prisma, { cursor });
  return (
    <main>
      <h1>Projects</h1>
      {projects.length === 0 && !cursor ? (
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
      {(cursor || nextCursor) && (
        <nav className={styles.crumbs}>
          {cursor && <Link href="/">First page</Link>} {nextCursor && <Link href={`/?after=${encodeURIComponent(nextCursor)}`}>More projects</Link>}
        </nav>
      )}
    </main>
  );
});
