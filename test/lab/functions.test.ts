import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { globalMinimum, mulberry32, testFunction, testFunctions } from "../../src/lab/index.js";

describe("test functions", () => {
  for (const fn of testFunctions) {
    test(`${fn.name}: the analytic gradient matches central finite differences across the domain`, () => {
      const rng = mulberry32(11);
      const g = new Float64Array(2);
      for (let k = 0; k < 100; k++) {
        const x = fn.domain.x[0] + rng() * (fn.domain.x[1] - fn.domain.x[0]);
        const y = fn.domain.y[0] + rng() * (fn.domain.y[1] - fn.domain.y[0]);
        fn.grad(x, y, g);
        const h = 1e-6;
        const gx = (fn.f(x + h, y) - fn.f(x - h, y)) / (2 * h);
        const gy = (fn.f(x, y + h) - fn.f(x, y - h)) / (2 * h);
        assert.ok(
          Math.abs(gx - g[0]!) <= 1e-5 * (1 + Math.abs(gx)),
          `∂f/∂x at (${x}, ${y}): ${g[0]} vs ${gx}`,
        );
        assert.ok(
          Math.abs(gy - g[1]!) <= 1e-5 * (1 + Math.abs(gy)),
          `∂f/∂y at (${x}, ${y}): ${g[1]} vs ${gy}`,
        );
      }
    });

    test(`${fn.name}: every listed minimum and saddle is stationary, and minima have the listed value`, () => {
      for (const m of fn.minima) {
        const g = fn.grad(m.x, m.y, [0, 0]);
        assert.ok(Math.hypot(g[0]!, g[1]!) < 1e-5, `gradient at minimum (${m.x}, ${m.y}) is ${g}`);
        assert.ok(Math.abs(fn.f(m.x, m.y) - m.f) < 1e-9, `f at (${m.x}, ${m.y})`);
        // a minimum: nothing lower in a small ring around it
        for (let a = 0; a < 8; a++) {
          const r = 1e-3;
          const v = fn.f(m.x + r * Math.cos(a), m.y + r * Math.sin(a));
          assert.ok(v >= m.f - 1e-12, `${fn.name} is lower next to its listed minimum (${m.x}, ${m.y})`);
        }
      }
      for (const s of fn.saddles) {
        const g = fn.grad(s.x, s.y, [0, 0]);
        assert.ok(Math.hypot(g[0]!, g[1]!) < 1e-5, `gradient at saddle (${s.x}, ${s.y}) is ${g}`);
      }
    });

    test(`${fn.name}: the default start lies in the domain and the global minimum is the lowest listed`, () => {
      const { x, y } = fn.defaultStart;
      assert.ok(x >= fn.domain.x[0] && x <= fn.domain.x[1] && y >= fn.domain.y[0] && y <= fn.domain.y[1]);
      const globals = fn.minima.filter((m) => m.global);
      if (fn.minima.length > 0) {
        assert.ok(globals.length > 0);
        for (const m of globals) assert.equal(m.f, globalMinimum(fn));
        for (const m of fn.minima) assert.ok(m.f >= globalMinimum(fn));
      }
    });
  }

  test("grad writes into the given array and returns it", () => {
    const out = new Float32Array(2);
    assert.equal(testFunction("booth").grad(0, 0, out), out);
    assert.deepEqual(Array.from(out), [2 * -7 + 4 * -5, 4 * -7 + 2 * -5]);
  });

  test("testFunction finds surfaces case-insensitively and names the valid ones for an unknown name", () => {
    assert.equal(testFunction("Rosenbrock").name, "rosenbrock");
    assert.throws(
      () => testFunction("rosenbock"),
      /unknown test function "rosenbock"; valid names: rosenbrock, beale/,
    );
  });

  test("known values: Rosenbrock, Himmelblau, Styblinski–Tang and the unbounded saddle", () => {
    assert.equal(testFunction("rosenbrock").f(0, 0), 1);
    assert.equal(testFunction("himmelblau").f(0, 0), 170);
    assert.ok(Math.abs(globalMinimum(testFunction("styblinski-tang")) - -78.33233140754282) < 1e-9);
    assert.equal(globalMinimum(testFunction("saddle")), Number.NEGATIVE_INFINITY);
    assert.ok(Math.abs(testFunction("ackley").f(0, 0)) < 1e-12);
  });

  test("the plateau is flat far from its well: |∇f| < 1e-5 at the default start, f within 1e-6 of 1", () => {
    const fn = testFunction("plateau");
    const { x, y } = fn.defaultStart;
    const g = fn.grad(x, y, [0, 0]);
    assert.ok(Math.hypot(g[0]!, g[1]!) < 1e-5);
    assert.ok(Math.abs(fn.f(x, y) - 1) < 1e-6);
  });
});
