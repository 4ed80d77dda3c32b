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

test("parseFormula starts inside the domain", () => {
  const s = parseFormula("x^2 + y^2", { x: [0, 10], y: [-5, 5] });
  assert.deepEqual(s.defaultStart, { x: 8, y: 3 });
});

// each of these took 2.6 s to 39 s in mathjs's symbolic derivative + simplify, on the page's main thread
const slowBefore: Array<[string, string]> = [
  ["12 factors", Array(12).fill("x").join("*")],
  ["14 factors", Array(14).fill("x").join("*")],
  ["a sum of 27 x terms", Array(27).fill("x").join(" + ")],
  ["sin nested 20 deep", `${"sin(".repeat(20)}x${")".repeat(20)}`],
];
for (const [what, text] of slowBefore) {
  test(`parseFormula differentiates ${what} in linear time, exactly`, { timeout: 10_000 }, () => {
    const s = parseFormula(text, domain);
    const g = s.grad(0.9, 0.3, [0, 0]);
    if (what.includes("factors")) {
      const n = text.split("*").length;
      assert.ok(Math.abs(g[0]! - n * 0.9 ** (n - 1)) < 1e-12, `${g}`);
    } else if (what.includes("sum")) assert.equal(g[0], 27);
    else {
      let value = 0.9;
      let slope = 1;
      for (let k = 0; k < 20; k++) {
        slope *= Math.cos(value);
        value = Math.sin(value);
      }
      assert.ok(Math.abs(g[0]! - slope) < 1e-12 && Math.abs(s.f(0.9, 0) - value) < 1e-15);
    }
    assert.equal(g[1], 0);
  });
}

test("parseFormula's gradient matches finite differences for every allowed function", () => {
  const s = parseFormula(
    "sin(x)*cos(y) + tan(x/3) + sec(y/3) + csc(x+3) + cot(y+2) + asin(x/3) + acos(y/3) + atan(x*y) + " +
      "sinh(x/2) + cosh(y/2) + tanh(x) + exp(y/2) + log(x+3) + log10(y+3) + sqrt(x+3) + cbrt(y+5) + " +
      "abs(x-5) + pow(x+3, y) + (x+3)^(y/2) + log(x+4, y+4) + e^x * pi",
    domain,
  );
  const h = 1e-6;
  for (const [x, y] of [
    [0.3, -0.4],
    [-1.1, 0.7],
  ] as const) {
    const g = s.grad(x, y, [0, 0]);
    const fx = (s.f(x + h, y) - s.f(x - h, y)) / (2 * h);
    const fy = (s.f(x, y + h) - s.f(x, y - h)) / (2 * h);
    assert.ok(Math.abs(g[0]! - fx) < 1e-6 * (1 + Math.abs(fx)), `∂x ${g[0]} vs ${fx}`);
    assert.ok(Math.abs(g[1]! - fy) < 1e-6 * (1 + Math.abs(fy)), `∂y ${g[1]} vs ${fy}`);
  }
});

test("parseFormula answers an over-limit formula with a clear message", () => {
  assert.throws(
    () => parseFormula(Array(200).fill("x").join("+"), domain),
    (e: unknown) => e instanceof FormulaError && /399 terms and operations; at most 300/.test(e.message),
  );
  assert.throws(
    () => parseFormula("sin(x, y)", domain),
    (e: unknown) => e instanceof FormulaError && /sin takes 1 argument, got 2/.test(e.message),
  );
});
