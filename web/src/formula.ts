// A custom surface from a typed formula f(x, y): parsed by mathjs into an expression tree, checked against
// a small allowed vocabulary (numbers, x, y, pi, e, + − × ÷ ^ and elementary functions), and compiled into
// closures that evaluate f with its gradient in forward mode (dual numbers: value, ∂/∂x, ∂/∂y), so the cost is
// linear in the formula's size. (mathjs's symbolic derivative with simplify took exponential time: 12
// factors x*x*…*x 2.6 s, 14 factors 39 s, on the page's main thread, for every keystroke and for a shared
// #fn=custom link.) Nothing is ever passed to eval/Function; results stay real: sqrt(−1) is NaN.

import { all, create, type MathNode } from "mathjs";
import type { Domain, TestFunction, Vec2 } from "../../src/lab/functions.js";

const math = create(all!, { predictable: true });

/** A formula that cannot become a surface; `message` says why, in words for the page. */
export class FormulaError extends Error {
  override name = "FormulaError";
}

const MAX_LENGTH = 500;
/** Numbers, names, operators and calls in the tree; the gradient costs a few times this per point. */
const MAX_NODES = 300;
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

/** A custom surface: a TestFunction plus the formula it was typed as. */
export interface FormulaSurface extends TestFunction {
  readonly formula: string;
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
 * Parses `text` into a surface over `domain` with an exact (forward-mode) gradient; throws a FormulaError with a
 * message for the page when the formula is empty, malformed, uses anything but x, y and the allowed
 * functions, is longer than the limits, or is not finite anywhere on the domain.
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
  const size = countNodes(node);
  if (size > MAX_NODES) {
    throw new FormulaError(`the formula has ${size} terms and operations; at most ${MAX_NODES} are allowed`);
  }
  const gradient = compileDual(node);
  const [x0, x1] = domain.x;
  const [y0, y1] = domain.y;
  const center = { x: (x0 + x1) / 2, y: (y0 + y1) / 2 };
  const run = (x: number, y: number): Dual => {
    try {
      return gradient(x, y);
    } catch {
      return [Number.NaN, Number.NaN, Number.NaN]; // the page must never break on a point
    }
  };
  const f = (x: number, y: number) => run(x, y)[0];
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
    f,
    grad<T extends Vec2>(x: number, y: number, out: T): T {
      const [, dfdx, dfdy] = run(x, y);
      out[0] = dfdx;
      out[1] = dfdy;
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

/** f, ∂f/∂x, ∂f/∂y at a point. */
type Dual = readonly [number, number, number];
type DualFn = (x: number, y: number) => Dual;

function countNodes(node: MathNode): number {
  let count = 0;
  node.traverse(() => {
    count++;
  });
  return count;
}

const CONSTANT_VALUES: Record<string, number> = {
  pi: Math.PI,
  e: Math.E,
  tau: 2 * Math.PI,
  phi: (1 + Math.sqrt(5)) / 2,
};

/** g(u) with g′(u), applied by the chain rule. */
const UNARY: Record<string, [(u: number) => number, (u: number) => number]> = {
  sin: [Math.sin, Math.cos],
  cos: [Math.cos, (u) => -Math.sin(u)],
  tan: [Math.tan, (u) => 1 / Math.cos(u) ** 2],
  sec: [(u) => 1 / Math.cos(u), (u) => Math.sin(u) / Math.cos(u) ** 2],
  csc: [(u) => 1 / Math.sin(u), (u) => -Math.cos(u) / Math.sin(u) ** 2],
  cot: [(u) => 1 / Math.tan(u), (u) => -1 / Math.sin(u) ** 2],
  asin: [Math.asin, (u) => 1 / Math.sqrt(1 - u * u)],
  acos: [Math.acos, (u) => -1 / Math.sqrt(1 - u * u)],
  atan: [Math.atan, (u) => 1 / (1 + u * u)],
  sinh: [Math.sinh, Math.cosh],
  cosh: [Math.cosh, Math.sinh],
  tanh: [Math.tanh, (u) => 1 - Math.tanh(u) ** 2],
  exp: [Math.exp, Math.exp],
  log: [Math.log, (u) => 1 / u],
  log10: [Math.log10, (u) => 1 / (u * Math.LN10)],
  sqrt: [Math.sqrt, (u) => 0.5 / Math.sqrt(u)],
  cbrt: [Math.cbrt, (u) => 1 / (3 * Math.cbrt(u) ** 2)],
  abs: [Math.abs, Math.sign],
};

const chain = (u: Dual, [g, dg]: [(u: number) => number, (u: number) => number]): Dual => {
  const slope = dg(u[0]);
  return [g(u[0]), slope * u[1], slope * u[2]];
};

const times = (a: Dual, b: Dual): Dual => [a[0] * b[0], a[1] * b[0] + a[0] * b[1], a[2] * b[0] + a[0] * b[2]];

function quotient(a: Dual, b: Dual): Dual {
  const q = a[0] / b[0];
  return [q, (a[1] - q * b[1]) / b[0], (a[2] - q * b[2]) / b[0]];
}

function power(a: Dual, b: Dual): Dual {
  const value = a[0] ** b[0];
  if (b[1] === 0 && b[2] === 0) {
    // a constant exponent: b·a^(b−1)·a′ (defined for negative a too)
    const slope = b[0] === 0 ? 0 : b[0] * a[0] ** (b[0] - 1);
    return [value, slope * a[1], slope * a[2]];
  }
  const lnA = Math.log(a[0]);
  return [value, value * (b[1] * lnA + (b[0] * a[1]) / a[0]), value * (b[2] * lnA + (b[0] * a[2]) / a[0])];
}

/** The checked tree as closures over dual numbers: one pass per point, linear in the tree's size. */
function compileDual(node: MathNode): DualFn {
  const n = node as unknown as {
    type: string;
    value?: number;
    name?: string;
    fn?: string | { name: string };
    args?: MathNode[];
    content?: MathNode;
  };
  switch (n.type) {
    case "ConstantNode": {
      const c: Dual = [n.value as number, 0, 0];
      return () => c;
    }
    case "SymbolNode": {
      if (n.name === "x") return (x) => [x, 1, 0];
      if (n.name === "y") return (_x, y) => [y, 0, 1];
      const c: Dual = [CONSTANT_VALUES[n.name!]!, 0, 0];
      return () => c;
    }
    case "ParenthesisNode":
      return compileDual(n.content!);
    case "OperatorNode": {
      const args = n.args!.map(compileDual);
      const [a, b] = args as [DualFn, DualFn];
      switch (n.fn as string) {
        case "add":
          return (x, y) => {
            const u = a(x, y);
            const v = b(x, y);
            return [u[0] + v[0], u[1] + v[1], u[2] + v[2]];
          };
        case "subtract":
          return (x, y) => {
            const u = a(x, y);
            const v = b(x, y);
            return [u[0] - v[0], u[1] - v[1], u[2] - v[2]];
          };
        case "multiply":
          return (x, y) => times(a(x, y), b(x, y));
        case "divide":
          return (x, y) => quotient(a(x, y), b(x, y));
        case "pow":
          return (x, y) => power(a(x, y), b(x, y));
        case "unaryMinus":
          return (x, y) => {
            const u = a(x, y);
            return [-u[0], -u[1], -u[2]];
          };
        default:
          return a; // unaryPlus
      }
    }
    case "FunctionNode": {
      const name = (n.fn as { name: string }).name;
      const args = n.args!.map(compileDual);
      const arity = name === "pow" ? [2] : name === "log" ? [1, 2] : [1];
      if (!arity.includes(args.length)) {
        throw new FormulaError(
          `cannot evaluate: ${name} takes ${arity.join(" or ")} argument${arity.at(-1) === 1 ? "" : "s"}, got ${args.length}`,
        );
      }
      const [a, b] = args as [DualFn, DualFn | undefined];
      if (name === "pow") return (x, y) => power(a(x, y), b!(x, y));
      if (name === "log" && b !== undefined) {
        return (x, y) => quotient(chain(a(x, y), UNARY.log!), chain(b(x, y), UNARY.log!));
      }
      const rule = UNARY[name]!;
      return (x, y) => chain(a(x, y), rule);
    }
    default:
      throw new FormulaError(`"${node.toString()}" is not part of a formula in x and y`);
  }
}
