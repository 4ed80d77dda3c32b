import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { clipPolyline } from "../../src/lab/clip-polyline.js";
import { raceFigure } from "../../src/lab/figures.js";
import { testFunction } from "../../src/lab/functions.js";
import { raceOptimizer } from "../../src/lab/optimizers.js";
import { race } from "../../src/lab/race.js";
import { svgToPng } from "../../src/lab/render.js";

const box = [-1, 1] as const;

describe("clipPolyline", () => {
  test("a path inside the box is kept whole", () => {
    const path = [
      [0, 0],
      [0.5, -0.5],
      [-0.25, 0.75],
    ] as const;
    assert.deepEqual(clipPolyline(path, box, box), [path]);
  });

  test("a path that leaves ends on the edge; huge and infinite points never come out", () => {
    const pieces = clipPolyline(
      [
        [0, 0],
        [0.5, 0],
        [1e30, 0],
        [Infinity, 0],
        [Number.NaN, 0],
      ],
      box,
      box,
    );
    assert.deepEqual(pieces, [
      [
        [0, 0],
        [0.5, 0],
        [1, 0],
      ],
    ]);
  });

  test("a path that crosses the box from outside to outside, and one that comes back, are cut into pieces", () => {
    assert.deepEqual(
      clipPolyline(
        [
          [-3, 0],
          [3, 0],
          [0, 3],
          [0, 0.5],
        ],
        box,
        box,
      ),
      [
        [
          [-1, 0],
          [1, 0],
        ],
        [
          [0, 1],
          [0, 0.5],
        ],
      ],
    );
  });
});

describe("raceFigure of a diverged run", () => {
  const fn = testFunction("elongated");
  const result = race(fn, [raceOptimizer("sgd", fn, { lr: 0.6 }), raceOptimizer("adam", fn, { lr: 0.6 })], {
    steps: 300,
  });

  test("draws no coordinate far outside the figure (SGD at lr 0.6 reaches 1e9 on this bowl)", () => {
    assert.equal(result.runs[0]!.summary.outcome, "diverged");
    const svg = raceFigure(result);
    const numbers = [...svg.matchAll(/-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi)].map((m) => Math.abs(Number(m[0])));
    assert.ok(Math.max(...numbers) < 1e5, `largest number in the SVG: ${Math.max(...numbers)}`);
  });

  test("rasterises with svgToPng (resvg used to abort the process on it)", async () => {
    const png = await svgToPng(raceFigure(result), { width: 400 });
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  });
});
