// Precedence-aware printing of IR expressions as TypeScript or WGSL: parentheses only where the language
// needs them to keep the tree's shape (a floating-point tree is not re-associated, so a right operand of
// the same precedence keeps its parentheses: a - (b - c), a * (b * c)).

import type { Expr } from "./ir.js";

/** How one target language spells the leaves and a few forms. */
export interface Syntax {
  readonly lang: "ts" | "wgsl";
  num(value: number): string;
  /** A scalar, flag, per-call constant or reduction result. */
  id(name: string): string;
  local(name: string): string;
  load(buf: string): string;
  /** When set, every rounding operation (+ − × ÷ and sqrt) is wrapped: the float32 reference's `f(…)`. */
  readonly round?: (inner: string) => string;
}

// binding strength, as in JavaScript's grammar (WGSL's is the same for what the rules use)
const COND = 2;
const OR = 3;
const AND = 4;
const EQUALITY = 8;
const RELATIONAL = 9;
const ADDITIVE = 11;
const MULTIPLICATIVE = 12;
const UNARY = 14;
const CALL = 17;
const ATOM = 18;

const BIN_PREC = { "+": ADDITIVE, "-": ADDITIVE, "*": MULTIPLICATIVE, "/": MULTIPLICATIVE } as const;

interface Printed {
  readonly text: string;
  readonly prec: number;
  /** The outermost operator, for WGSL's rules on mixing && and || and on chained comparisons. */
  readonly op?: string;
}

const paren = (p: Printed): string => `(${p.text})`;

export function printExpr(e: Expr, syntax: Syntax): string {
  return print(e, syntax).text;
}

function print(e: Expr, s: Syntax): Printed {
  const wgsl = s.lang === "wgsl";
  switch (e.k) {
    case "num": {
      const text = s.num(e.value);
      return { text, prec: text.startsWith("-") ? UNARY : ATOM };
    }
    case "bool":
      return { text: `${e.value}`, prec: ATOM };
    case "id":
      return { text: s.id(e.name), prec: ATOM };
    case "local":
      return { text: s.local(e.name), prec: ATOM };
    case "load":
      return { text: s.load(e.buf), prec: CALL };
    case "bin": {
      const p = BIN_PREC[e.op];
      const a = print(e.a, s);
      const b = print(e.b, s);
      const text = `${a.prec < p ? paren(a) : a.text} ${e.op} ${b.prec <= p ? paren(b) : b.text}`;
      return s.round ? { text: s.round(text), prec: CALL } : { text, prec: p };
    }
    case "neg": {
      const a = print(e.a, s);
      // `- -x` would read as a decrement; a unary operand that is itself unary gets parentheses
      return { text: `-${a.prec <= UNARY ? paren(a) : a.text}`, prec: UNARY };
    }
    case "not": {
      const a = print(e.a, s);
      return { text: `!${a.prec < UNARY ? paren(a) : a.text}`, prec: UNARY };
    }
    case "logic": {
      const p = e.op === "&&" ? AND : OR;
      const side = (x: Printed): string =>
        x.prec < p || (wgsl && x.op !== undefined && x.op !== e.op && x.prec <= AND) ? paren(x) : x.text;
      const a = print(e.a, s);
      const b = print(e.b, s);
      return { text: `${side(a)} ${e.op} ${b.prec <= p ? paren(b) : side(b)}`, prec: p, op: e.op };
    }
    case "cmp": {
      const p = e.op === "==" || e.op === "!=" ? EQUALITY : RELATIONAL;
      const op = s.lang === "ts" && (e.op === "==" || e.op === "!=") ? `${e.op}=` : e.op;
      const a = print(e.a, s);
      const b = print(e.b, s);
      const left = a.prec < p || (wgsl && a.prec <= RELATIONAL) ? paren(a) : a.text;
      return { text: `${left} ${op} ${b.prec <= p ? paren(b) : b.text}`, prec: p, op: e.op };
    }
    case "call": {
      const args = e.args.map((x) => print(x, s).text).join(", ");
      const bool = e.fn === "isNaN" || e.fn === "isFinite";
      // WGSL may assume no NaN or ∞ in float arithmetic, so these two are bit tests (functions in the shader)
      const text = wgsl
        ? `${bool ? WGSL_BOOL_FNS[e.fn] : e.fn}(${args})`
        : `${bool ? "Number" : "Math"}.${e.fn}(${args})`;
      return s.round && e.fn === "sqrt" ? { text: s.round(text), prec: CALL } : { text, prec: CALL };
    }
    case "cond": {
      const c = print(e.c, s);
      const a = print(e.a, s);
      const b = print(e.b, s);
      if (wgsl) return { text: `select(${b.text}, ${a.text}, ${c.text})`, prec: CALL };
      return {
        text: `${c.prec <= COND ? paren(c) : c.text} ? ${a.prec < COND ? paren(a) : a.text} : ${b.prec < COND ? paren(b) : b.text}`,
        prec: COND,
      };
    }
  }
}

/** The WGSL names of the boolean calls, and their definitions (put in a shader that uses them). */
export const WGSL_BOOL_FNS = { isNaN: "is_nan", isFinite: "is_finite" } as const;
export const WGSL_BOOL_FN_DEFS = {
  is_nan: "fn is_nan(x: f32) -> bool {\n  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;\n}\n",
  is_finite: "fn is_finite(x: f32) -> bool {\n  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;\n}\n",
  // WGSL's max may drop a NaN operand; Math.max (and torch's max norm) propagate it
  max_nan:
    "fn max_nan(a: f32, b: f32) -> f32 {\n  return select(max(a, b), a + b, is_nan(a) || is_nan(b));\n}\n",
} as const;

/** A JavaScript number literal that reads back as exactly `v`. */
export function jsNumber(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return "Infinity";
  if (v === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (Number.isNaN(v)) return "NaN";
  return Object.is(v, -0) ? "-0" : `${v}`;
}

/** A WGSL f32 literal for `v`. WGSL constants cannot be ∞ or NaN (shader creation rejects them). */
export function wgslNumber(v: number): string {
  const x = Math.fround(v);
  if (!Number.isFinite(x))
    throw new Error(`build-kernels: WGSL has no constant for ${v}; pass it as a scalar`);
  if (Object.is(x, -0)) return "-0.0";
  const text = `${v}`; // the rule's own spelling: WGSL rounds it to the same float32
  return /[.e]/.test(text) ? text : `${text}.0`;
}
