// One colour per optimizer in every figure: the registry's colour (which the web lab and the CLI draw
// too), and never two series of one figure in the same colour.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { demoEntries } from "../../src/lab/demo.js";
import {
  leastSquares,
  labColor,
  race,
  raceFigure,
  raceLossFigure,
  raceOptimizer,
  SERIES_COLORS,
  seriesColors,
  testFunction,
  trainingFigure,
} from "../../src/lab/index.js";
import { OPTIMIZER_REGISTRY } from "../../src/optim/registry.js";

const strokes = (svg: string) => new Set([...svg.matchAll(/stroke="(#[0-9a-f]{6})"/g)].map((m) => m[1]!));

describe("colours", () => {
  test("seriesColors keeps a series' own colour, and gives a repeat or a series without one a free colour", () => {
    const [a, b, c] = SERIES_COLORS as [string, string, string];
    assert.deepEqual(seriesColors([{ color: c }, {}, { color: c }, { color: a }]), [
      c,
      b,
      SERIES_COLORS[3],
      a,
    ]);
    assert.deepEqual(seriesColors([{}, {}]), [a, b]);
  });

  test("every lab optimizer has a colour of its own, so a race with all of them enabled tells them apart", () => {
    const presets = OPTIMIZER_REGISTRY.flatMap((r) => r.lab);
    const colors = presets.map((p) => p.color.toLowerCase());
    assert.equal(new Set(colors).size, colors.length, colors.join(" "));
  });

  test("a named optimizer has its registry colour", () => {
    const adamw = OPTIMIZER_REGISTRY.find((r) => r.name === "AdamW")!.lab[0]!;
    assert.equal(labColor("adamw"), adamw.color);
    assert.equal(raceOptimizer("adamw", testFunction("booth")).color, adamw.color);
    assert.throws(() => labColor("nope"), /unknown optimizer "nope"/);
  });

  test("race figures draw each optimizer in its own colour, whatever its position", () => {
    const fn = testFunction("booth");
    for (const names of [
      ["sgd", "adamw"],
      ["adamw", "sgd", "adam"],
    ]) {
      const result = race(
        fn,
        names.map((n) => raceOptimizer(n, fn)),
        { steps: 20 },
      );
      assert.deepEqual(
        result.runs.map((r) => r.color),
        names.map(labColor),
      );
      for (const svg of [raceFigure(result), raceLossFigure(result)]) {
        const drawn = strokes(svg);
        for (const n of names)
          assert.ok(drawn.has(labColor(n)), `${n}'s ${labColor(n)} in ${names.join(",")}`);
      }
    }
  });

  test("runs of one optimizer (batch sizes) get distinct colours", () => {
    const fn = leastSquares({ seed: 1 });
    const result = race(
      fn,
      [48, 8, 1].map((b) => ({ ...raceOptimizer("sgd", fn, { label: `B=${b}` }), batchSize: b })),
      { steps: 10, seed: 1 },
    );
    const colors = seriesColors(result.runs);
    assert.equal(new Set(colors).size, 3);
    assert.equal(colors[0], labColor("sgd"));
  });

  test("the demo's training runs carry their optimizer's colour, all distinct", () => {
    const entries = demoEntries();
    assert.deepEqual(
      entries.map((e) => e.color),
      ["sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw"].map(labColor),
    );
    assert.equal(new Set(entries.map((e) => e.color)).size, entries.length);
    const svg = trainingFigure(
      entries.map((e) => ({ label: e.label, color: e.color!, values: [1, 0.5, 0.25] })),
    );
    for (const e of entries) assert.ok(strokes(svg).has(e.color!), e.label);
  });
});
