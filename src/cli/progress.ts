// A one-line progress bar for long work, drawn on stderr only when stderr is a terminal (pipes, CI logs
// and --json consumers see nothing of it).

export interface ProgressBar {
  /** Redraws with `done` of `total` finished and an optional note (throttled to ~10 redraws a second). */
  update(done: number, note?: string): void;
  /** Clears the bar. */
  finish(): void;
}

interface TtyLike {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): boolean;
}

/**
 * @example
 * const bar = progressBar("adam", 1000);
 * for (let i = 1; i <= 1000; i++) bar.update(i);
 * bar.finish();
 */
export function progressBar(label: string, total: number, stream: TtyLike = process.stderr): ProgressBar {
  if (!stream.isTTY) return { update() {}, finish() {} };
  let last = 0;
  let drawn = false;
  return {
    update(done, note) {
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - label.length - 40));
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(frac * width);
      const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
      stream.write(
        `\r\x1b[2K${label} ${bar} ${String(Math.round(frac * 100)).padStart(3)}%${note ? `  ${note}` : ""}`,
      );
      drawn = true;
    },
    finish() {
      if (drawn) stream.write("\r\x1b[2K");
      drawn = false;
    },
  };
}
