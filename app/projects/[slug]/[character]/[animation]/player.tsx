"use client";
/* eslint-disable @next/next/no-img-element -- frames are shown pixel for pixel; the image optimizer would resample sprites */
import { useEffect, useState } from "react";
import styles from "@/app/browse.module.css";

export type PlayerFrame = { index: number; image: string; width: number; height: number; durationMs: number | null };

/** Shows one frame at a time; playing steps through them, each for its own duration or 1000 / fps ms. */
export function Player({ frames, fps, loop }: { frames: PlayerFrame[]; fps: number; loop: boolean }) {
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(false);
  const frame = frames[position]!;

  useEffect(() => {
    if (!playing) return;
    const last = position === frames.length - 1;
    const timer = setTimeout(
      () => {
        if (last && !loop) setPlaying(false);
        else setPosition(last ? 0 : position + 1);
      },
      frame.durationMs ?? 1000 / Math.max(fps, 1),
    );
    return () => clearTimeout(timer);
  }, [playing, position, frames.length, frame.durationMs, fps, loop]);

  const play = () => {
    if (!loop && position === frames.length - 1) setPosition(0);
    setPlaying(true);
  };

  return (
    <>
      <div className={styles.stage}>
        <img
          src={frame.image}
          width={frame.width}
          height={frame.height}
          style={{ width: `${frame.width * scaleFor(frame)}px`, height: "auto" }}
          alt={`Frame ${frame.index}`}
          data-testid="stage"
          data-frame-index={frame.index}
        />
      </div>
      <div className={styles.controls}>
        <button type="button" onClick={playing ? () => setPlaying(false) : play}>
          {playing ? "Pause" : "Play"}
        </button>
        <span>
          frame {position + 1} of {frames.length}
        </span>
      </div>
      <ol className={styles.strip} aria-label="Frames">
        {frames.map((each, at) => (
          <li key={each.index}>
            <button type="button" aria-current={at === position} onClick={() => setPosition(at)}>
              <img src={each.image} width={each.width} height={each.height} alt={`Frame ${each.index}`} />
              {each.index}
            </button>
          </li>
        ))}
      </ol>
    </>
  );
}

/** Small sprites are enlarged by whole steps, so every pixel stays square. */
function scaleFor({ width, height }: { width: number; height: number }) {
  return Math.max(1, Math.floor(240 / Math.max(width, height)));
}
