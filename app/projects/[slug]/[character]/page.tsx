import Link from "next/link";
import { notFound } from "next/navigation";
import styles from "@/app/browse.module.css";
import { AnimationList } from "@/app/projects/animation-list";
import { prisma } from "@/lib/prisma";
import { page } from "@/lib/telemetry/page";
import { findCharacterPage } from "@/lib/projects/queries";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ slug: string; character: string }>; searchParams: Promise<{ after?: string | string[] }> };

export default page("/projects/:slug/:character", async function CharacterPage({ params, searchParams }: Props) {
  const [segments, { after }] = await Promise.all([params, searchParams]);
  const cursor = typeof after === "string" ? after : undefined;
  // App Router hands dynamic segments over still percent-encoded ("big%20slime"); malformed ones never get here.
  const character = await findCharacterPage(prisma, { slug: segments.slug, name: decodeURIComponent(segments.character) }, { cursor });
  if (!character) notFound();
  const { project } = character;
  const href = `/projects/${project.slug}/${encodeURIComponent(character.name)}`;

  return (
    <main>
      <nav className={styles.crumbs}>
        <Link href="/">Projects</Link> / <Link href={`/projects/${project.slug}`}>{project.name}</Link>
      </nav>
      <h1>{character.name}</h1>
      <p className={styles.muted}>
        {character.animationCount} {character.animationCount === 1 ? "animation" : "animations"}
      </p>
      <AnimationList href={href} animations={character.animations} />
      {(cursor || character.nextCursor) && (
        <nav className={styles.crumbs}>
          {cursor && <Link href={href}>First animations</Link>}{" "}
          {character.nextCursor && <Link href={`${href}?after=${encodeURIComponent(character.nextCursor)}`}>More animations</Link>}
        </nav>
      )}
    </main>
  );
});
