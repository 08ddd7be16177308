// A one-line progress bar on stderr. Short runs and output that is not a terminal (logs, CI, pipes) get none.

const SHOW_AFTER_MS = 300;
const REDRAW_EVERY_MS = 100;
const WIDTH = 30;

export function progressBar(total: number, unit: string, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let done = 0;
  let drawnAt = 0;
  const draw = () => {
    const filled = Math.round((done / total) * WIDTH);
    stream.write(`\r[${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${done}/${total} ${unit}`);
    drawnAt = Date.now();
  };
  return {
    tick() {
      done++;
      const now = Date.now();
      if (stream.isTTY && now - started >= SHOW_AFTER_MS && now - drawnAt >= REDRAW_EVERY_MS) draw();
    },
    finish() {
      if (drawnAt > 0) stream.write("\r\x1b[2K");
    },
  };
}
