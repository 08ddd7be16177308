import Link from "next/link";
import { notFound } from "next/navigation";
import styles from "@/app/browse.module.css";
import { findAnimationPage } from "@/lib/frames/queries";
import { prisma } from "@/lib/prisma";
import { page } from "@/lib/telemetry/page";
import { Player } from "./player";

export const dynamic = "force-dynamic";

type Params = { slug: string; character: string; animation: string };

export default page("/projects/:slug/:character/:animation", async function AnimationPage({ params }: { params: Promise<Params> }) {
  const segments = await params;
  // App Router hands dynamic segments over still percent-encoded ("big%20slime"); malformed ones never get here.
  const [slug, character, name] = [segments.slug, segments.character, segments.animation].map(decodeURIComponent);
  const animation = await findAnimationPage(prisma, { slug: slug!, character: character!, name: name! });
  if (!animation) notFound();
  const { project } = animation.character;

  return (
    <main>
      <nav className={styles.crumbs}>
        <Link href="/">Projects</Link> / <Link href={`/projects/${project.slug}`}>{project.name}</Link> /{" "}
        {animation.character.name}
      </nav>
      <h1>{animation.name}</h1>
      <p className={styles.muted}>
        {animation.frames.length} {animation.frames.length === 1 ? "frame" : "frames"} at {animation.fps} fps
        {animation.loop ? ", looping" : ""}
      </p>
      {animation.frames.length === 0 ? (
        <p className={styles.muted}>This animation has no frames yet.</p>
      ) : (
        <Player key={animation.id} frames={animation.frames} fps={animation.fps} loop={animation.loop} />
      )}
    </main>
  );
});
