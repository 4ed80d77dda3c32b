import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { progressBar } from "../../src/cli/progress.js";

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 100, write: (s: string) => chunks.push(s) > 0 };
}

describe("progressBar", () => {
  test("draws a bar with the percentage and note on a terminal, and clears it when finished", () => {
    const out = stream(true);
    const bar = progressBar("train", 4, out);
    bar.update(4, "loss 0.5");
    const line = out.chunks.at(-1)!;
    assert.ok(line.startsWith("\r\x1b[2K"), "redraws over the same line");
    assert.match(line.slice(5), /^train █+ 100% {2}loss 0\.5$/);
    bar.finish();
    assert.equal(out.chunks.at(-1), "\r\x1b[2K");
  });

  test("throttles redraws but always draws the final state", () => {
    const out = stream(true);
    const bar = progressBar("x", 1000, out);
    for (let i = 1; i <= 1000; i++) bar.update(i);
    assert.ok(out.chunks.length <= 3, `${out.chunks.length} redraws`);
    assert.match(out.chunks.at(-1)!, /100%/);
  });

  test("writes nothing when the stream is not a terminal", () => {
    const out = stream(false);
    const bar = progressBar("x", 10, out);
    bar.update(5);
    bar.finish();
    assert.deepEqual(out.chunks, []);
  });
});
