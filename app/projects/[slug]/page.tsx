/* eslint-disable @next/next/no-img-element -- frames are shown pixel for pixel; the image optimizer would resample sprites */
import Link from "next/link";
import { notFound } from "next/navigation";
import styles from "@/app/browse.module.css";
import { prisma } from "@/lib/prisma";
import { page } from "@/lib/telemetry/page";
import { findProjectPage } from "@/lib/projects/queries";

export const dynamic = "force-dynamic";

export default page("/projects/:slug", async function ProjectPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const project = await findProjectPage(prisma, slug);
  if (!project) notFound();

  return (
    <main>
      <nav className={styles.crumbs}>
        <Link href="/">Projects</Link>
      </nav>
      <h1>{project.name}</h1>
      {project.description && <p>{project.description}</p>}
      {project.characters.length === 0 && <p className={styles.muted}>This project has no characters yet.</p>}
      {project.characters.map((character) => (
        <section key={character.id}>
          <h2>{character.name}</h2>
          {character.animations.length === 0 ? (
            <p className={styles.muted}>No animations yet.</p>
          ) : (
            <ul className={styles.list}>
              {character.animations.map((animation) => (
                <li key={animation.id}>
                  {animation.frames[0] ? (
                    <img className={styles.thumb} src={animation.frames[0].image} alt="" />
                  ) : (
                    <span className={styles.thumb} />
                  )}
                  <Link href={`/projects/${project.slug}/${encodeURIComponent(character.name)}/${encodeURIComponent(animation.name)}`}>
                    {animation.name}
                  </Link>
                  <span className={styles.muted}>
                    {animation._count.frames} {animation._count.frames === 1 ? "frame" : "frames"}, {animation.fps} fps
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </main>
  );
});
