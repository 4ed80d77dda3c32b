// A custom surface from a typed formula f(x, y): parsed by mathjs into an expression tree, checked against
// a small allowed vocabulary (numbers, x, y, pi, e, + − × ÷ ^ and elementary functions), differentiated
// symbolically (mathjs `derivative`) and evaluated from compiled trees. Nothing is ever passed to
// eval/Function. `predictable: true` keeps results real: sqrt(−1) is NaN, not a complex number.

import { all, create, type MathNode } from "mathjs";
import type { Domain, TestFunction, Vec2 } from "../../src/lab/functions.js";

const math = create(all!, { predictable: true });

/** A formula that cannot become a surface; `message` says why, in words for the page. */
export class FormulaError extends Error {
  override name = "FormulaError";
}

const MAX_LENGTH = 500;
const VARIABLES = new Set(["x", "y"]);
const CONSTANTS = new Set(["pi", "e", "tau", "phi"]);
const FUNCTIONS = new Set([
  "sin",
  "cos",
  "tan",
  "sec",
  "csc",
  "cot",
  "asin",
  "acos",
  "atan",
  "sinh",
  "cosh",
  "tanh",
  "exp",
  "log",
  "log10",
  "sqrt",
  "cbrt",
  "abs",
  "pow",
]);
const OPERATORS = new Set(["add", "subtract", "multiply", "divide", "pow", "unaryMinus", "unaryPlus"]);

/** A custom surface: a TestFunction plus the gradient formulas, for display. */
export interface FormulaSurface extends TestFunction {
  readonly formula: string;
  readonly gradText: readonly [string, string];
}

function check(node: MathNode): void {
  node.traverse((n, path, parent) => {
    switch (n.type) {
      case "ConstantNode": {
        const value = (n as unknown as { value: unknown }).value;
        if (typeof value !== "number")
          throw new FormulaError(`only numbers are allowed, got ${n.toString()}`);
        return;
      }
      case "SymbolNode": {
        const name = (n as unknown as { name: string }).name;
        if (parent?.type === "FunctionNode" && path === "fn") {
          if (!FUNCTIONS.has(name)) {
            throw new FormulaError(`unknown function "${name}"; allowed: ${[...FUNCTIONS].join(", ")}`);
          }
          return;
        }
        if (!VARIABLES.has(name) && !CONSTANTS.has(name)) {
          throw new FormulaError(`unknown variable "${name}": use x and y (and the constants pi, e)`);
        }
        return;
      }
      case "OperatorNode": {
        const fn = (n as unknown as { fn: string; op: string }).fn;
        if (!OPERATORS.has(fn)) {
          throw new FormulaError(`operator "${(n as unknown as { op: string }).op}" is not allowed here`);
        }
        return;
      }
      case "FunctionNode":
      case "ParenthesisNode":
        return;
      default:
        throw new FormulaError(`"${n.toString()}" is not part of a formula in x and y`);
    }
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Parses `text` into a surface over `domain` with a symbolic gradient; throws a FormulaError with a
 * message for the page when the formula is empty, malformed, uses anything but x, y and the allowed
 * functions, cannot be differentiated, or is not finite anywhere on the domain.
 * @example
 * const s = parseFormula("x^2 + 3*y^2", { x: [-2, 2], y: [-2, 2] });
 * s.f(1, 1); // 4
 * s.grad(1, 1, [0, 0]); // [2, 6]
 */
export function parseFormula(text: string, domain: Domain): FormulaSurface {
  if (typeof text !== "string" || text.trim() === "") {
    throw new FormulaError("type a formula in x and y, e.g. x^2 + 3*y^2");
  }
  if (text.length > MAX_LENGTH) {
    throw new FormulaError(
      `the formula is ${text.length} characters long; at most ${MAX_LENGTH} are allowed`,
    );
  }
  checkDomain(domain);
  let node: MathNode;
  try {
    node = math.parse(text);
  } catch (error) {
    throw new FormulaError(`cannot read the formula: ${describe(error)}`);
  }
  check(node);
  let dx: MathNode;
  let dy: MathNode;
  try {
    dx = math.derivative(node, "x");
    dy = math.derivative(node, "y");
  } catch (error) {
    throw new FormulaError(`cannot differentiate: ${describe(error)}`);
  }
  const cf = node.compile();
  const cx = dx.compile();
  const cy = dy.compile();
  const scope = { x: 0, y: 0 };
  const [x0, x1] = domain.x;
  const [y0, y1] = domain.y;
  const center = { x: (x0 + x1) / 2, y: (y0 + y1) / 2 };
  // a call mathjs parses but cannot run (sin(), a wrong argument count) fails on every evaluation: say so now
  for (const code of [cf, cx, cy]) {
    try {
      code.evaluate({ ...center });
    } catch (error) {
      throw new FormulaError(`cannot evaluate: ${describe(error)}`);
    }
  }
  const run = (code: { evaluate(scope: object): unknown }, x: number, y: number): number => {
    scope.x = x;
    scope.y = y;
    try {
      const v = code.evaluate(scope);
      return typeof v === "number" ? v : Number.NaN;
    } catch {
      return Number.NaN; // the page must never break on a point where the formula cannot be evaluated
    }
  };
  const f = (x: number, y: number) => run(cf, x, y);
  const probe = anyFinite(f, x0, x1, y0, y1);
  if (probe === null) throw new FormulaError("the formula is not a finite number anywhere on the domain");
  const start = {
    x: x0 + 0.8 * (x1 - x0),
    y: y0 + 0.8 * (y1 - y0),
  };
  return {
    name: "custom",
    title: `f(x, y) = ${text}`,
    description: "a custom formula",
    formula: text,
    gradText: [dx.toString(), dy.toString()],
    f,
    grad<T extends Vec2>(x: number, y: number, out: T): T {
      out[0] = run(cx, x, y);
      out[1] = run(cy, x, y);
      return out;
    },
    minima: [],
    saddles: [],
    domain: { x: [x0, x1], y: [y0, y1] },
    defaultStart: Number.isFinite(f(start.x, start.y)) ? start : center,
    suggestedLr: { sgd: 0.01, adaptive: 0.05 },
    contourScale: "linear",
  };
}

/** Some finite value of f on a coarse grid over the domain, or null when there is none. */
function anyFinite(f: (x: number, y: number) => number, x0: number, x1: number, y0: number, y1: number) {
  for (let j = 0; j <= 8; j++) {
    for (let i = 0; i <= 8; i++) {
      const v = f(x0 + ((x1 - x0) * i) / 8, y0 + ((y1 - y0) * j) / 8);
      if (Number.isFinite(v)) return v;
    }
  }
  return null;
}

/** Throws a FormulaError unless the domain is two finite, increasing ranges. */
export function checkDomain(domain: Domain): void {
  const ok = (r: readonly [number, number]) =>
    Array.isArray(r) && Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[0] < r[1];
  if (!ok(domain.x))
    throw new FormulaError(`x range must be two finite numbers, low < high; got ${fmt(domain.x)}`);
  if (!ok(domain.y))
    throw new FormulaError(`y range must be two finite numbers, low < high; got ${fmt(domain.y)}`);
}

const fmt = (r: readonly [number, number]) => `[${r[0]}, ${r[1]}]`;
