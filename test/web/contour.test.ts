import assert from "node:assert/strict";
import { test } from "node:test";
import { colorPosition, contourLevels, isoSegments, sampleGrid } from "../../web/src/contour.js";

test("sampleGrid samples row by row and keeps non-finite values as NaN", () => {
  const g = sampleGrid(
    (x, y) => (x === 1 && y === 1 ? Number.POSITIVE_INFINITY : x + 10 * y),
    { x: [0, 1], y: [0, 1] },
    2,
    2,
  );
  assert.equal(g.values[0], 0);
  assert.equal(g.values[1], 1);
  assert.equal(g.values[2], 10);
  assert.ok(Number.isNaN(g.values[3]!));
  assert.throws(() => sampleGrid(() => 0, { x: [0, 1], y: [0, 1] }, 1, 5), /nx and ny must be integers ≥ 2/);
});

test("contourLevels spaces levels linearly, logarithmically above the minimum, or by quantiles", () => {
  assert.deepEqual(contourLevels([0, 10], 4, "linear"), [2, 4, 6, 8]);
  const log = contourLevels([0, 1000], 2, "log");
  assert.equal(log.length, 2);
  assert.ok(Math.abs(log[1]! / log[0]! - 10 ** (5 / 3)) < 1e-9); // 1e-5 … 1 of the range in equal ratios
  assert.deepEqual(contourLevels([0, 1, 2, 3, 100], 3, "quantile"), [1, 2, 3]);
  assert.deepEqual(contourLevels([5, 5, Number.NaN], 3, "linear"), []);
  assert.throws(() => contourLevels([0, 1], 0, "linear"), /count must be a positive integer/);
});

test("colorPosition maps the range to [0, 1] with the levels' spacing", () => {
  assert.equal(colorPosition([0, 10], "linear")(5), 0.5);
  assert.equal(colorPosition([0, 10], "linear")(20), 1);
  const q = colorPosition([0, 1, 2, 3, 4], "quantile");
  assert.equal(q(2), 0.5);
  // log: 100 is 1% of the range but past half of the colors (log(1001) / log(1e5) ≈ 0.6)
  const log = colorPosition([0, 1e4], "log");
  assert.ok(log(100) > 0.55 && log(100) < 0.65, `log(100) = ${log(100)}`);
});

test("isoSegments traces a circle for the level set of x² + y²", () => {
  const g = sampleGrid((x, y) => x * x + y * y, { x: [-1, 1], y: [-1, 1] }, 41, 41);
  const segments = isoSegments(g, 0.25);
  assert.ok(segments.length > 20);
  for (const [x1, y1] of segments) {
    // grid coordinates back to the plane: every crossing point lies on the circle of radius 0.5
    const x = -1 + (2 * x1) / 40;
    const y = -1 + (2 * y1) / 40;
    assert.ok(Math.abs(Math.hypot(x, y) - 0.5) < 0.01, `(${x}, ${y})`);
  }
  assert.deepEqual(isoSegments(g, 5), []);
});

test("isoSegments skips cells with a non-finite corner", () => {
  const g = sampleGrid((x) => (x > 0.5 ? Number.NaN : x), { x: [0, 1], y: [0, 1] }, 3, 3);
  assert.deepEqual(isoSegments(g, 0.75), []);
  assert.equal(isoSegments(g, 0.25).length, 2); // the left column of cells only
});
