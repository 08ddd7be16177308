import Link from "next/link";
import { notFound } from "next/navigation";
import styles from "@/app/browse.module.css";
import { AnimationList } from "@/app/projects/animation-list";
import { prisma } from "@/lib/prisma";
import { page } from "@/lib/telemetry/page";
import { findProjectPage } from "@/lib/projects/queries";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<{ after?: string | string[] }> };

export default page("/projects/:slug", async function ProjectPage({ params, searchParams }: Props) {
  const [{ slug }, { after }] = await Promise.all([params, searchParams]);
  const cursor = typeof after === "string" ? after : undefined;
  const project = await findProjectPage(prisma, slug, { cursor });
  if (!project) notFound();
  const base = `/projects/${project.slug}`;

  return (
    <main>
      <nav className={styles.crumbs}>
        <Link href="/">Projects</Link>
      </nav>
      <h1>{project.name}</h1>
      {project.description && <p>{project.description}</p>}
      {project.characterCount === 0 && <p className={styles.muted}>This project has no characters yet.</p>}
      {project.characters.map((character) => {
        const href = `${base}/${encodeURIComponent(character.name)}`;
        return (
          <section key={character.id}>
            <h2>
              <Link href={href}>{character.name}</Link>
            </h2>
            <AnimationList href={href} animations={character.animations} />
            {character.nextCursor && (
              <p>
                <Link href={href}>All {character.animationCount} animations</Link>
              </p>
            )}
          </section>
        );
      })}
      {(cursor || project.nextCursor) && (
        <nav className={styles.crumbs}>
          {cursor && <Link href={base}>First characters</Link>}{" "}
          {project.nextCursor && <Link href={`${base}?after=${encodeURIComponent(project.nextCursor)}`}>More characters</Link>}
        </nav>
      )}
    </main>
  );
});
