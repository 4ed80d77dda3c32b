// Two-dimensional test surfaces for optimizer races: each with its value, its analytic gradient, its known
// minima, a domain to draw and a start point that shows something (a valley, a plateau, a local minimum).
// Definitions and minima follow Surjanovic & Bingham's Virtual Library of Simulation Experiments
// (https://www.sfu.ca/~ssurjano/optimization.html) where the function is a classic one.

/** A point of the plane. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A known minimum: where it is and its value. `global` marks the lowest value of the surface. */
export interface Minimum extends Point {
  readonly f: number;
  readonly global: boolean;
}

/** The rectangle a surface is drawn on. */
export interface Domain {
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
}

/** Anything `grad` can write two numbers into. */
export type Vec2 = Float64Array | Float32Array | number[];

/** A 2-D test surface for races: f, its exact gradient, its known minima and saddles, and where to look. */
export interface TestFunction {
  /** Lower-case id, as the CLI takes it ("rosenbrock", "plateau"). */
  readonly name: string;
  /** Display name. */
  readonly title: string;
  /** One line: what the surface shows about optimizers. */
  readonly description: string;
  /** The surface's value at (x, y). */
  f(x: number, y: number): number;
  /** Writes ∂f/∂x into out[0] and ∂f/∂y into out[1]; returns out. */
  grad<T extends Vec2>(x: number, y: number, out: T): T;
  /** Known minima (every global one, and local ones worth naming); empty when f is unbounded below. */
  readonly minima: readonly Minimum[];
  /** Stationary points that are saddles, where known. */
  readonly saddles: readonly Point[];
  readonly domain: Domain;
  readonly defaultStart: Point;
  /** Learning rates that make a readable race from `defaultStart`: for SGD-like and for adaptive optimizers. */
  readonly suggestedLr: { readonly sgd: number; readonly adaptive: number };
  /**
   * Learning rates by lab preset id for the presets neither suggestion suits here, measured from
   * `defaultStart` (RAdam's first steps are un-adapted momentum steps at the raw lr, so the adaptive rate
   * throws it off the steep surfaces).
   */
  readonly lrFor?: Readonly<Record<string, number>>;
  /**
   * How contours are best spaced: "log" for surfaces whose values span decades (Rosenbrock, Beale),
   * "quantile" (levels at evenly spaced shares of the domain's area) for one whose structure lives in tiny
   * differences (the plateau: 1 − 3e-8 at its default start).
   */
  readonly contourScale: "linear" | "log" | "quantile";
}

const TAU = 2 * Math.PI;

/**
 * Rosenbrock's banana valley, f = (1 − x)² + 100·(y − x²)²: easy to reach the valley, slow to follow it.
 * @example
 * rosenbrock.f(1, 1); // → 0
 */
export const rosenbrock: TestFunction = {
  name: "rosenbrock",
  title: "Rosenbrock",
  description: "a curved narrow valley: finding it is easy, following it to (1, 1) is slow",
  f: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  grad(x, y, out) {
    const r = y - x * x;
    out[0] = -2 * (1 - x) - 400 * x * r;
    out[1] = 200 * r;
    return out;
  },
  minima: [{ x: 1, y: 1, f: 0, global: true }],
  saddles: [],
  domain: { x: [-2, 2], y: [-1, 3] },
  defaultStart: { x: -1.5, y: 2.5 },
  suggestedLr: { sgd: 1e-3, adaptive: 0.05 },
  // RAdam: 0.003 converges in 398 steps; 0.0025 and 0.0035 end still moving, 0.004 and up diverge
  lrFor: { radam: 0.003 },
  contourScale: "log",
};

/**
 * Beale's function: flat arms and sharp ridges around the minimum at (3, 0.5).
 * @example
 * beale.f(3, 0.5); // → 0
 */
export const beale: TestFunction = {
  name: "beale",
  title: "Beale",
  description: "flat arms and sharp ridges: gradient scales differ by orders of magnitude",
  f(x, y) {
    const a = 1.5 - x + x * y;
    const b = 2.25 - x + x * y * y;
    const c = 2.625 - x + x * y * y * y;
    return a * a + b * b + c * c;
  },
  grad(x, y, out) {
    const y2 = y * y;
    const y3 = y2 * y;
    const a = 1.5 - x + x * y;
    const b = 2.25 - x + x * y2;
    const c = 2.625 - x + x * y3;
    out[0] = 2 * a * (y - 1) + 2 * b * (y2 - 1) + 2 * c * (y3 - 1);
    out[1] = 2 * a * x + 4 * b * x * y + 6 * c * x * y2;
    return out;
  },
  minima: [{ x: 3, y: 0.5, f: 0, global: true }],
  saddles: [{ x: 0, y: 1 }],
  domain: { x: [-4.5, 4.5], y: [-4.5, 4.5] },
  defaultStart: { x: 1, y: 1.5 },
  suggestedLr: { sgd: 1e-3, adaptive: 0.05 },
  // RAdam: 0.015 is the lowest loss after 500 steps (1.45) and converges by step 1493; 0.03 and up diverge
  lrFor: { radam: 0.015 },
  contourScale: "log",
};

/**
 * Himmelblau's function: four global minima, all with f = 0; which one you reach depends on the path.
 * @example
 * himmelblau.f(3, 2); // → 0
 */
export const himmelblau: TestFunction = {
  name: "himmelblau",
  title: "Himmelblau",
  description: "four equal minima: the optimizer's path decides which one it lands in",
  f: (x, y) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
  grad(x, y, out) {
    const a = x * x + y - 11;
    const b = x + y * y - 7;
    out[0] = 4 * x * a + 2 * b;
    out[1] = 2 * a + 4 * y * b;
    return out;
  },
  minima: [
    { x: 3, y: 2, f: 0, global: true },
    { x: -2.805118086952745, y: 3.131312518250573, f: 0, global: true },
    { x: -3.779310253377747, y: -3.28318599128617, f: 0, global: true },
    { x: 3.584428340330492, y: -1.848126526964404, f: 0, global: true },
  ],
  saddles: [
    { x: 0.08667750455539634, y: 2.884254701174776 },
    { x: -3.0730257507643897, y: -0.08135304428796751 },
    { x: 3.385154183607021, y: 0.07385187983774928 },
    { x: -0.12796134673068005, y: -1.9537149802445766 },
  ],
  domain: { x: [-5, 5], y: [-5, 5] },
  defaultStart: { x: -0.3, y: -0.9 }, // beside the local maximum at (−0.2708, −0.9230)
  suggestedLr: { sgd: 5e-3, adaptive: 0.1 },
  contourScale: "log",
};

/**
 * Booth's function, a plain convex quadratic with its minimum at (1, 3).
 * @example
 * booth.f(1, 3); // → 0
 */
export const booth: TestFunction = {
  name: "booth",
  title: "Booth",
  description: "a convex quadratic bowl: every reasonable optimizer converges",
  f: (x, y) => (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
  grad(x, y, out) {
    const a = x + 2 * y - 7;
    const b = 2 * x + y - 5;
    out[0] = 2 * a + 4 * b;
    out[1] = 4 * a + 2 * b;
    return out;
  },
  minima: [{ x: 1, y: 3, f: 0, global: true }],
  saddles: [],
  domain: { x: [-10, 10], y: [-10, 10] },
  defaultStart: { x: -8, y: -6 },
  suggestedLr: { sgd: 0.02, adaptive: 0.5 },
  // RAdam's warm-up steps are SGD steps, stable only below 2/18 (the curvature is 18 across the valley): 0.08
  // converges in 291 steps, 0.5 diverges
  lrFor: { radam: 0.08 },
  contourScale: "linear",
};

/**
 * Rastrigin's function, 20 + Σ (v² − 10·cos 2πv): a bowl covered in regularly spaced local minima.
 * @example
 * rastrigin.f(0, 0); // → 0
 */
export const rastrigin: TestFunction = {
  name: "rastrigin",
  title: "Rastrigin",
  description: "a bowl covered in local minima: gradient methods stop in the nearest one",
  f: (x, y) => 20 + x * x - 10 * Math.cos(TAU * x) + y * y - 10 * Math.cos(TAU * y),
  grad(x, y, out) {
    out[0] = 2 * x + 10 * TAU * Math.sin(TAU * x);
    out[1] = 2 * y + 10 * TAU * Math.sin(TAU * y);
    return out;
  },
  minima: [{ x: 0, y: 0, f: 0, global: true }],
  saddles: [],
  domain: { x: [-5.12, 5.12], y: [-5.12, 5.12] },
  defaultStart: { x: 2.3, y: -1.8 },
  suggestedLr: { sgd: 1e-3, adaptive: 0.05 },
  // RAdam at 0.05 is flung 11 units out by its warm-up; at 0.01 it settles where every other optimizer does
  lrFor: { radam: 0.01 },
  contourScale: "linear",
};

/**
 * Ackley's function: a nearly flat, rippled outer region around a deep funnel at the origin.
 * The gradient is undefined at the origin itself (a cone tip); there it is taken as 0.
 * @example
 * ackley.f(0, 0); // → 0.000000000 (to rounding)
 */
export const ackley: TestFunction = {
  name: "ackley",
  title: "Ackley",
  description: "ripples over a funnel: many shallow local minima around one deep global minimum",
  f(x, y) {
    const r = Math.sqrt(0.5 * (x * x + y * y));
    const s = 0.5 * (Math.cos(TAU * x) + Math.cos(TAU * y));
    return -20 * Math.exp(-0.2 * r) - Math.exp(s) + Math.E + 20;
  },
  grad(x, y, out) {
    const r = Math.sqrt(0.5 * (x * x + y * y));
    const es = Math.exp(0.5 * (Math.cos(TAU * x) + Math.cos(TAU * y)));
    // d/dv of −20·exp(−0.2 r) = 2·exp(−0.2 r)·v / r
    const cone = r === 0 ? 0 : (2 * Math.exp(-0.2 * r)) / r;
    out[0] = cone * x + Math.PI * Math.sin(TAU * x) * es;
    out[1] = cone * y + Math.PI * Math.sin(TAU * y) * es;
    return out;
  },
  minima: [{ x: 0, y: 0, f: 0, global: true }],
  saddles: [],
  domain: { x: [-5, 5], y: [-5, 5] },
  defaultStart: { x: 2.7, y: -3.2 },
  suggestedLr: { sgd: 0.01, adaptive: 0.05 },
  contourScale: "linear",
};

/**
 * The saddle x² − y²: a minimum along x, a maximum along y, unbounded below.
 * @example
 * saddle.f(1, 2); // → -3
 */
export const saddle: TestFunction = {
  name: "saddle",
  title: "Saddle x² − y²",
  description: "a saddle point at the origin: starting near the x axis, the gradient almost vanishes there",
  f: (x, y) => x * x - y * y,
  grad(x, y, out) {
    out[0] = 2 * x;
    out[1] = -2 * y;
    return out;
  },
  minima: [],
  saddles: [{ x: 0, y: 0 }],
  domain: { x: [-2, 2], y: [-2, 2] },
  defaultStart: { x: 1.8, y: 1e-3 },
  suggestedLr: { sgd: 0.05, adaptive: 0.05 },
  contourScale: "linear",
};

/** Curvatures of the elongated bowl along x and y (condition number 40). */
const ELONGATED_HX = 0.1;
const ELONGATED_HY = 4;

/**
 * An ill-conditioned quadratic, f = (0.1·x² + 4·y²) / 2: curvature 40 times larger across the valley
 * than along it. Gradient descent is stable only for lr < 2/4 = 0.5, and then crawls along x.
 * @example
 * elongated.f(0, 0); // → 0
 */
export const elongated: TestFunction = {
  name: "elongated",
  title: "Elongated bowl",
  description:
    "an ill-conditioned quadratic (condition number 40): GD zig-zags across or diverges, momentum helps",
  f: (x, y) => 0.5 * (ELONGATED_HX * x * x + ELONGATED_HY * y * y),
  grad(x, y, out) {
    out[0] = ELONGATED_HX * x;
    out[1] = ELONGATED_HY * y;
    return out;
  },
  minima: [{ x: 0, y: 0, f: 0, global: true }],
  saddles: [],
  domain: { x: [-10, 10], y: [-4, 4] },
  defaultStart: { x: -9, y: 3 },
  suggestedLr: { sgd: 0.4, adaptive: 0.3 },
  // Nesterov momentum 0.9 is stable only for lr·4 < 2(1 + μ)/(1 + 2μ) ≈ 1.36: 0.4 diverges, 0.2 converges in 14
  lrFor: { nesterov: 0.2 },
  contourScale: "linear",
};

/** The plateau's well: center and radius of its cliff. */
const WELL_X = 0.5;
const WELL_Y = 0;

/**
 * A plateau with a cliff: f = 1 − exp(−u²) / (1 + u) with u = squared distance to (0.5, 0). Outside
 * radius ≈ 1.3 the surface is flat (gradient below 1e-3, falling like exp(−u²)); at radius ≈ 1 it drops
 * steeply into a bowl with its minimum f = 0 at the center. f rises monotonically with the distance.
 * @example
 * plateau.f(0.5, 0); // → 0
 */
export const plateau: TestFunction = {
  name: "plateau",
  title: "Plateau and cliff",
  description:
    "a flat plateau ending in a cliff: small gradients stall plain GD, adaptive steps cross to the well",
  f(x, y) {
    const dx = x - WELL_X;
    const dy = y - WELL_Y;
    const u = dx * dx + dy * dy;
    return 1 - Math.exp(-u * u) / (1 + u);
  },
  grad(x, y, out) {
    const dx = x - WELL_X;
    const dy = y - WELL_Y;
    const u = dx * dx + dy * dy;
    const w = Math.exp(-u * u);
    // df/du = w·(2u/(1 + u) + 1/(1 + u)²), and du/dx = 2·dx
    const dfdu = w * ((2 * u) / (1 + u) + 1 / ((1 + u) * (1 + u)));
    out[0] = 2 * dx * dfdu;
    out[1] = 2 * dy * dfdu;
    return out;
  },
  minima: [{ x: WELL_X, y: WELL_Y, f: 0, global: true }],
  saddles: [],
  domain: { x: [-2.5, 2.5], y: [-2.5, 2.5] },
  defaultStart: { x: -1.4, y: 0.6 },
  suggestedLr: { sgd: 0.1, adaptive: 0.05 },
  contourScale: "quantile",
};

/** Where Styblinski–Tang's 1-D term v⁴ − 16v² + 5v has its minima (roots of 4v³ − 32v + 5). */
const ST_GLOBAL = -2.903534027771177;
const ST_LOCAL = 2.746802732493911;
const stTerm = (v: number) => 0.5 * (v ** 4 - 16 * v * v + 5 * v);

/**
 * Styblinski–Tang, f = ½·Σ (v⁴ − 16v² + 5v): four minima; only (−2.9035, −2.9035) is global.
 * @example
 * styblinskiTang.f(-2.903534, -2.903534); // → -78.332
 */
export const styblinskiTang: TestFunction = {
  name: "styblinski-tang",
  title: "Styblinski–Tang",
  description: "four minima of different depths: the start decides whether you reach the global one",
  f: (x, y) => stTerm(x) + stTerm(y),
  grad(x, y, out) {
    out[0] = 2 * x * x * x - 16 * x + 2.5;
    out[1] = 2 * y * y * y - 16 * y + 2.5;
    return out;
  },
  minima: [
    { x: ST_GLOBAL, y: ST_GLOBAL, f: 2 * stTerm(ST_GLOBAL), global: true },
    { x: ST_LOCAL, y: ST_GLOBAL, f: stTerm(ST_LOCAL) + stTerm(ST_GLOBAL), global: false },
    { x: ST_GLOBAL, y: ST_LOCAL, f: stTerm(ST_GLOBAL) + stTerm(ST_LOCAL), global: false },
    { x: ST_LOCAL, y: ST_LOCAL, f: 2 * stTerm(ST_LOCAL), global: false },
  ],
  saddles: [],
  domain: { x: [-5, 5], y: [-5, 5] },
  defaultStart: { x: 0.6, y: 0.4 },
  suggestedLr: { sgd: 0.01, adaptive: 0.1 },
  contourScale: "linear",
};

/** Every test surface, in the order the CLI lists them. */
export const testFunctions: readonly TestFunction[] = Object.freeze([
  rosenbrock,
  beale,
  himmelblau,
  booth,
  rastrigin,
  ackley,
  saddle,
  elongated,
  plateau,
  styblinskiTang,
]);

/**
 * The test surface named `name` (case-insensitive); throws a RangeError listing the valid names.
 * @example
 * const [min] = testFunction("rosenbrock").minima; // { x: 1, y: 1, f: 0, global: true }
 * min?.x; // → 1
 * min?.global; // → true
 */
export function testFunction(name: string): TestFunction {
  const key = typeof name === "string" ? name.toLowerCase() : name;
  const found = testFunctions.find((fn) => fn.name === key);
  if (found === undefined) {
    throw new RangeError(
      `unknown test function ${JSON.stringify(name)}; valid names: ${testFunctions.map((f) => f.name).join(", ")}`,
    );
  }
  return found;
}

/** The value of the lowest known minimum, or -Infinity when the surface is unbounded below. */
export function globalMinimum(fn: TestFunction): number {
  return fn.minima.length === 0 ? Number.NEGATIVE_INFINITY : Math.min(...fn.minima.map((m) => m.f));
}
