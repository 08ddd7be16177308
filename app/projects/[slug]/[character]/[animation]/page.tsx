import Link from "next/link";
import { notFound } from "next/navigation";
import styles from "@/app/browse.module.css";
import { framesQuery } from "@/lib/api/schemas";
import { findAnimationPage } from "@/lib/frames/queries";
import { prisma } from "@/lib/prisma";
import { page } from "@/lib/telemetry/page";
import { Player } from "./player";

export const dynamic = "force-dynamic";

type Props = {
  params: Promise<{ slug: string; character: string; animation: string }>;
  searchParams: Promise<{ from?: string | string[] }>;
};

export default page("/projects/:slug/:character/:animation", async function AnimationPage({ params, searchParams }: Props) {
  const [segments, query] = await Promise.all([params, searchParams]);
  // App Router hands dynamic segments over still percent-encoded ("big%20slime"); malformed ones never get here.
  const [slug, character, name] = [segments.slug, segments.character, segments.animation].map(decodeURIComponent);
  // A `from` that is not a frame index shows the first frames.
  const { from } = framesQuery.safeParse(query).data ?? { from: 0 };
  const animation = await findAnimationPage(prisma, { slug: slug!, character: character!, name: name! }, { from });
  if (!animation) notFound();
  const { project } = animation.character;
  const href = `/projects/${project.slug}/${encodeURIComponent(animation.character.name)}/${encodeURIComponent(animation.name)}`;
  const shown = animation.frames;

  return (
    <main>
      <nav className={styles.crumbs}>
        <Link href="/">Projects</Link> / <Link href={`/projects/${project.slug}`}>{project.name}</Link> /{" "}
        <Link href={`/projects/${project.slug}/${encodeURIComponent(animation.character.name)}`}>{animation.character.name}</Link>
      </nav>
      <h1>{animation.name}</h1>
      <p className={styles.muted}>
        {animation.frameCount} {animation.frameCount === 1 ? "frame" : "frames"} at {animation.fps} fps
        {animation.loop ? ", looping" : ""}
        {shown.length > 0 && shown.length < animation.frameCount && ` (showing ${shown[0]!.index} to ${shown.at(-1)!.index})`}
      </p>
      {shown.length === 0 ? (
        <p className={styles.muted}>{from > 0 ? "No frames from this index on." : "This animation has no frames yet."}</p>
      ) : (
        <Player key={`${animation.id}@${from}`} frames={shown} fps={animation.fps} loop={animation.loop} />
      )}
      {(from > 0 || animation.nextFrom !== null) && (
        <nav className={styles.crumbs}>
          {from > 0 && <Link href={href}>First frames</Link>}{" "}
          {animation.nextFrom !== null && <Link href={`${href}?from=${animation.nextFrom}`}>Next frames</Link>}
        </nav>
      )}
    </main>
  );
});
