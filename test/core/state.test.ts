// Optimizer state across a growth of the arena (which detaches every view made before it): a record put
// into a StateMap, and the template a loaded state is checked against, are live views however many
// allocations (and growths) it took to make them.

import assert from "node:assert/strict";
import { test } from "node:test";
import { allocBuffer, arena, releaseBuffer } from "../../src/core/arena.js";
import type { ParamGroup } from "../../src/core/optimizer.js";
import { type Param, param } from "../../src/core/param.js";
import { StateMap } from "../../src/core/state.js";
import { RMSprop, type RMSpropOptions } from "../../src/optim/rmsprop.js";

/** Grows the arena's memory (so every view made before is detached), keeping nothing of it. */
function growArena(): void {
  const bytes = arena()!.memory.buffer.byteLength;
  releaseBuffer(allocBuffer(bytes / 8 + 1024, "float64"));
}

test("a record made before a growth is a live view once it is in a StateMap", () => {
  const made = allocBuffer(4, "float32") as Float32Array;
  made.set([1, 2, 3, 4]);
  growArena();
  assert.equal(made.length, 0, "the view made before the growth is detached");
  const map = new StateMap<string, { buffer: Float32Array }>();
  map.set("p", { buffer: made });
  assert.deepEqual(Array.from(map.get("p")!.buffer), [1, 2, 3, 4]);
});

/** RMSprop whose state template is detached by a growth before the load compares against it. */
class GrowingRMSprop extends RMSprop {
  protected override stateTemplate(p: Param, group: ParamGroup<RMSpropOptions>) {
    const template = super.stateTemplate(p, group);
    growArena();
    return template;
  }
}

test("loadStateDict checks against a template that a growth detached midway, and loads", () => {
  const a = param([1, -2, 3]);
  const saved = new RMSprop([a], { centered: true, momentum: 0.5 });
  a.grad = new Float32Array([0.5, -0.25, 1]);
  saved.step();
  const sd = saved.stateDict();
  const b = param([1, -2, 3]);
  const loading = new GrowingRMSprop([b], { centered: true, momentum: 0.5 });
  loading.loadStateDict(sd);
  assert.deepEqual(loading.stateDict(), sd);
});
