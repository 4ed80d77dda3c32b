import assert from "node:assert/strict";
import { test } from "node:test";
import { FormulaError, parseFormula } from "../../web/src/formula.js";

const domain = { x: [-2, 2], y: [-2, 2] } as const;

test("parseFormula evaluates f and its symbolic gradient", () => {
  const s = parseFormula("x^2 + 3*y^2 + x*y", domain);
  assert.equal(s.f(1, 2), 1 + 12 + 2);
  assert.deepEqual(s.grad(1, 2, [0, 0]), [2 + 2, 12 + 1]);
  assert.deepEqual(s.grad(-0.5, 0.25, new Float64Array(2)), new Float64Array([-1 + 0.25, 1.5 - 0.5]));
});

test("parseFormula differentiates elementary functions and constants", () => {
  const s = parseFormula("sin(x) * exp(y) + pi", domain);
  const g = s.grad(0.3, -0.4, [0, 0]);
  assert.ok(Math.abs(g[0]! - Math.cos(0.3) * Math.exp(-0.4)) < 1e-12);
  assert.ok(Math.abs(g[1]! - Math.sin(0.3) * Math.exp(-0.4)) < 1e-12);
  assert.ok(Math.abs(s.f(0, 0) - Math.PI) < 1e-12);
});

test("parseFormula keeps results real: sqrt of a negative number is NaN, not complex", () => {
  const s = parseFormula("sqrt(x)", domain);
  assert.ok(Number.isNaN(s.f(-1, 0)));
  assert.equal(s.f(4, 0), 2);
});

test("parseFormula rejects malformed formulas, unknown names and non-formula syntax with a FormulaError", () => {
  const cases: [string, RegExp][] = [
    ["", /type a formula/],
    ["x^2 + (", /cannot read the formula/],
    ["x + z", /unknown variable "z"/],
    ["foo(x)", /unknown function "foo"/],
    ["max(x, y)", /unknown function "max"/],
    ["a = 3", /not part of a formula/],
    ["[x, y]", /not part of a formula/],
    ["x == y", /operator "==" is not allowed/],
    ['"text"', /only numbers are allowed/],
    ["x".repeat(501), /at most 500/],
    ["log(-1 - x^2 - y^2)", /not a finite number anywhere/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseFormula(text, domain),
      (e: unknown) => e instanceof FormulaError && message.test(e.message),
      text,
    );
  }
});

test("parseFormula rejects an empty or reversed domain, naming it", () => {
  assert.throws(() => parseFormula("x", { x: [1, -1], y: [0, 1] }), /x range must be .* got \[1, -1\]/);
  assert.throws(() => parseFormula("x", { x: [0, 1], y: [Number.NaN, 1] }), /y range/);
});

test("parseFormula starts inside the domain and exposes the gradient formulas", () => {
  const s = parseFormula("x^2 + y^2", { x: [0, 10], y: [-5, 5] });
  assert.deepEqual(s.defaultStart, { x: 8, y: 3 });
  assert.deepEqual(s.gradText, ["2 * x", "2 * y"]);
});
