// What a reader of a race figure must be able to see: the plateau's structure in the contours, and every
// run where it ends, also when it never left the start or ends on a minimum beside another run. Checked on
// the rasterised figure (resvg's pixels), not on the SVG's markup.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Resvg } from "@resvg/resvg-js";
import { contourValue } from "../../src/lab/figures.js";
import { plateau, race, raceFigure, raceOptimizer, labColor, testFunction } from "../../src/lab/index.js";

const hex = (c: string) => [1, 3, 5].map((k) => Number.parseInt(c.slice(k, k + 2), 16));

/** Pixels of `color` (within 12 per channel) in the box of half-side `half` around (cx, cy). */
function pixelsOf(svg: string, color: string, cx: number, cy: number, half: number): number {
  const image = new Resvg(svg, { background: "white" }).render();
  const [r, g, b] = hex(color);
  let n = 0;
  for (let y = Math.max(0, Math.round(cy - half)); y <= Math.min(image.height - 1, cy + half); y++) {
    for (let x = Math.max(0, Math.round(cx - half)); x <= Math.min(image.width - 1, cx + half); x++) {
      const k = 4 * (y * image.width + x);
      const p = image.pixels;
      if (Math.abs(p[k]! - r!) <= 12 && Math.abs(p[k + 1]! - g!) <= 12 && Math.abs(p[k + 2]! - b!) <= 12) n++;
    }
  }
  return n;
}

/** The start marker's centre in the SVG (the white circle of radius 5). */
function startOf(svg: string): { x: number; y: number } {
  const m = /<circle r="5" cy="([\d.]+)" cx="([\d.]+)"/.exec(svg);
  assert.ok(m, "the start marker");
  return { x: Number(m[2]), y: Number(m[1]) };
}

describe("race figures a reader can read", () => {
  test("the plateau's contours show its structure: the plateau gets bands of its own, not one flat colour", () => {
    // between radius 1.5 and 2.3 f is 1 − 2e-3 … 1 − 2e-14: linear levels put all of it in the top band
    const rank = contourValue(plateau);
    const radii = [1.5, 1.7, 1.9, 2.1, 2.3];
    const bands = radii.map((r) => Math.floor(18 * rank(0.5 - r, 0)));
    for (const r of radii) assert.ok(plateau.f(0.5 - r, 0) > 0.99, `f at radius ${r} is on the plateau`);
    assert.equal(new Set(bands).size, radii.length, `bands ${bands}`);
    const svg = raceFigure(race(plateau, [raceOptimizer("adam", plateau)], { steps: 10 }));
    const fills = new Set(svg.match(/fill="rgb\([^"]*\)"/g));
    assert.ok(fills.size >= 15, `${fills.size} contour colours`);
  });

  test("runs that stall at the start show over the start marker, each in its own colour", () => {
    const result = race(
      plateau,
      ["sgd", "momentum", "adam"].map((n) => raceOptimizer(n, plateau)),
      { steps: 200 },
    );
    assert.deepEqual(
      result.runs.map((r) => r.summary.outcome),
      ["plateau", "plateau", "converged"],
    );
    const svg = raceFigure(result);
    const start = startOf(svg);
    // sgd and momentum end within 1e-6 of the start: both crosses must show there
    for (const label of ["sgd", "momentum"]) {
      const n = pixelsOf(svg, labColor(label), start.x, start.y, 16);
      assert.ok(n >= 20, `${label}: ${n} pixels of its colour at the start`);
    }
  });

  test("two runs ending on the same minimum both show (nested crosses), and so does the minimum", () => {
    const fn = testFunction("rosenbrock");
    const result = race(
      fn,
      ["momentum", "adam"].map((n) => raceOptimizer(n, fn)),
      { steps: 1500 },
    );
    const svg = raceFigure(result);
    const star = /<path d="M0,-[\d.]+L[^"]*Z" transform="translate\(([\d.]+),([\d.]+)\)"/.exec(svg);
    assert.ok(star, "the minimum's star");
    const [x, y] = [Number(star[1]), Number(star[2])];
    for (const i of [0, 1]) {
      const n = pixelsOf(svg, labColor(["momentum", "adam"][i]!), x, y, 16);
      assert.ok(n >= 20, `${result.runs[i]!.label}: ${n} pixels of its colour at (1, 1)`);
    }
    assert.ok(pixelsOf(svg, "#000000", x, y, 12) >= 10, "the star's outline");
  });
});
