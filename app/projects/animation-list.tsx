/* eslint-disable @next/next/no-img-element -- frames are shown pixel for pixel; the image optimizer would resample sprites */
import Link from "next/link";
import styles from "@/app/browse.module.css";

type Animation = { id: string; name: string; fps: number; frameCount: number; thumbnail: string | null };

/** A character's animations as the project and character pages list them: thumbnail, name, frame count. */
export function AnimationList({ href, animations }: { href: string; animations: Animation[] }) {
  if (animations.length === 0) return <p className={styles.muted}>No animations yet.</p>;
  return (
    <ul className={styles.list}>
      {animations.map((animation) => (
        <li key={animation.id}>
          {animation.thumbnail ? <img className={styles.thumb} src={animation.thumbnail} alt="" /> : <span className={styles.thumb} />}
          <Link href={`${href}/${encodeURIComponent(animation.name)}`}>{animation.name}</Link>
          <span className={styles.muted}>
            {animation.frameCount} {animation.frameCount === 1 ? "frame" : "frames"}, {animation.fps} fps
          </span>
        </li>
      ))}
    </ul>
  );
}
