// Fuzzing the web lab's formula parser: random text and random formulas built from its own vocabulary
// (x, y, numbers, constants, + − × ÷ ^, the allowed functions with any number of arguments, stray tokens)
// must end in a FormulaError or a surface whose f and gradient return numbers (NaN allowed) everywhere,
// never another exception: a user typing into the page must never break it.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { FormulaError, parseFormula } from "../../web/src/formula.js";

const seed = Number(process.env.FC_SEED ?? 20261124);
const DOMAIN = { x: [-2, 2], y: [-1.5, 3] } as const;

const FUNCTIONS = ["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "pow", "atan", "cosh", "log10", "cbrt"];
const leaf = fc.oneof(
  fc.constantFrom("x", "y", "pi", "e", "0", "1", "2.5", "1e308", "1e-320"),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => String(Math.abs(v))),
  fc.constantFrom(
    "z",
    "t",
    "xy",
    "Infinity",
    "NaN",
    "i",
    "true",
    "'a'",
    "[1,2]",
    "{}",
    "f(x)=x",
    "x=1",
    "x!",
    "x'",
  ),
);
const formula = fc.letrec((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc
      .tuple(tie("expr"), fc.constantFrom("+", "-", "*", "/", "^", " ", "%", "==", "&"), tie("expr"))
      .map(([a, op, b]) => `${a}${op}${b}`),
    tie("expr").map((a) => `(${a})`),
    tie("expr").map((a) => `-${a}`),
    fc
      .tuple(fc.constantFrom(...FUNCTIONS), fc.array(tie("expr") as fc.Arbitrary<string>, { maxLength: 3 }))
      .map(([f, args]) => `${f}(${args.join(", ")})`),
  ),
})).expr as fc.Arbitrary<string>;

function exercise(text: string): "error" | "surface" {
  let surface: ReturnType<typeof parseFormula>;
  try {
    surface = parseFormula(text, DOMAIN);
  } catch (e) {
    if (!(e instanceof FormulaError)) throw new Error(`${JSON.stringify(text)}: ${e}`, { cause: e });
    assert.ok(e.message.length > 0);
    return "error";
  }
  for (const [x, y] of [
    [0, 0],
    [-2, 3],
    [1.3, -0.7],
    [1e-300, 2],
  ] as const) {
    const v = surface.f(x, y);
    assert.equal(typeof v, "number", `f(${x}, ${y}) of ${JSON.stringify(text)} is ${typeof v}`);
    const g = surface.grad(x, y, [0, 0]);
    assert.ok(typeof g[0] === "number" && typeof g[1] === "number", `grad of ${JSON.stringify(text)}`);
  }
  return "surface";
}

describe("parseFormula under fuzzing", () => {
  it("answers random text with a FormulaError or a surface, never another exception", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        exercise(text);
      }),
      { numRuns: 400, seed },
    );
  });

  it("answers random formulas from its own vocabulary with a FormulaError or a working surface", () => {
    const outcomes = { error: 0, surface: 0 };
    fc.assert(
      fc.property(formula, (text) => {
        outcomes[exercise(text)]++;
      }),
      { numRuns: 400, seed },
    );
    assert.ok(outcomes.error > 0 && outcomes.surface > 0, JSON.stringify(outcomes));
  });
});
