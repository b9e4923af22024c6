/**
 * Progress of long-running steps: a redrawn bar with rate and ETA on a terminal, a line every few seconds
 * (and at the end) otherwise, so logs stay readable.
 */
export interface ProgressSink {
  update(done: number): void;
  finish(): void;
}

export function createProgress(
  label: string,
  total: number,
  out: { isTTY?: boolean; write(s: string): unknown } = process.stderr,
  now: () => number = () => performance.now(),
): ProgressSink {
  const started = now();
  let lastLine = started;
  let lastDone = 0;
  const format = (done: number) => {
    const seconds = Math.max(1e-9, (now() - started) / 1000);
    const rate = done / seconds;
    const eta = rate > 0 ? (total - done) / rate : 0;
    const pct = total > 0 ? (100 * done) / total : 100;
    return { seconds, rate, eta, pct };
  };
  return {
    update(done) {
      lastDone = done;
      const { rate, eta, pct } = format(done);
      if (out.isTTY) {
        const width = 30;
        const filled = Math.round((pct / 100) * width);
        out.write(
          `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct.toFixed(1)}% ${done}/${total} ${rate.toFixed(0)}/s ETA ${eta.toFixed(0)} s   `,
        );
      } else if (now() - lastLine >= 5000) {
        lastLine = now();
        out.write(
          `${label}: ${done}/${total} (${pct.toFixed(1)}%), ${rate.toFixed(0)}/s, ETA ${eta.toFixed(0)} s\n`,
        );
      }
    },
    finish() {
      const { seconds, rate } = format(lastDone);
      out.write(
        `${out.isTTY ? '\r' : ''}${label}: ${lastDone}/${total} in ${seconds.toFixed(1)} s (${rate.toFixed(0)}/s)${' '.repeat(20)}\n`,
      );
    },
  };
}
