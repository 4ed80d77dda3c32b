// The kernel compiler's intermediate representation: what an update rule (src/optim/*.ts, the convention in
// docs/ARCHITECTURE.md) means, independent of any back end. parse.ts builds it, fold.ts specialises it per
// flag combination, and wat.ts, js.ts and wgsl.ts print it.

export type Kind = "buffer" | "flag" | "scalar";

/** One named argument of a rule: a member of one of its groups. */
export interface Member {
  readonly name: string;
  readonly kind: Kind;
}

/** One object parameter of a rule, e.g. `{ param, grad, expAvg }: AdamBuffers`: all of one kind. */
export interface Group {
  /** The group's type name in the rule's file (e.g. "AdamBuffers"). */
  readonly type: string;
  readonly kind: Kind;
  readonly members: readonly Member[];
}

export type BinOp = "+" | "-" | "*" | "/";
export type CmpOp = "<" | "<=" | ">" | ">=" | "==" | "!=";
export type MathFn = "sqrt" | "abs" | "max" | "min" | "sign" | "isNaN" | "isFinite";

/** The calls whose value is a boolean (`Number.isNaN`, `Number.isFinite`). */
export const BOOL_FNS: ReadonlySet<MathFn> = new Set<MathFn>(["isNaN", "isFinite"]);

export type Expr =
  | { readonly k: "num"; readonly value: number }
  | { readonly k: "bool"; readonly value: boolean }
  /** A rule argument (scalar or flag), a per-call constant or a reduction result. */
  | { readonly k: "id"; readonly name: string }
  /** A local of the element loop, by its unique name (`theta_0`). */
  | { readonly k: "local"; readonly name: string }
  | { readonly k: "load"; readonly buf: string }
  | { readonly k: "bin"; readonly op: BinOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: "neg"; readonly a: Expr }
  | { readonly k: "not"; readonly a: Expr }
  | { readonly k: "logic"; readonly op: "&&" | "||"; readonly a: Expr; readonly b: Expr }
  | { readonly k: "cmp"; readonly op: CmpOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: "call"; readonly fn: MathFn; readonly args: readonly Expr[] }
  | { readonly k: "cond"; readonly c: Expr; readonly a: Expr; readonly b: Expr };

export type Stmt =
  | { readonly k: "decl"; readonly name: string; readonly mutable: boolean; readonly e: Expr }
  | { readonly k: "assign"; readonly name: string; readonly e: Expr }
  | { readonly k: "store"; readonly buf: string; readonly e: Expr }
  /** `acc += e` (sum) or `acc = Math.max(acc, e)` (max) in a reduction loop. */
  | { readonly k: "accum"; readonly name: string; readonly op: "sum" | "max"; readonly e: Expr }
  | { readonly k: "if"; readonly c: Expr; readonly yes: readonly Stmt[]; readonly no: readonly Stmt[] };

/** A per-call scalar: `const name = e;` outside the loops. */
export interface Const {
  readonly name: string;
  readonly e: Expr;
}

export interface Rule {
  readonly file: string;
  readonly fn: string;
  /** The object parameters after `n`, in order. */
  readonly groups: readonly Group[];
  /** Every member of every group, flattened in order: the positional ABI of the wasm exports. */
  readonly params: readonly Member[];
  /** Constants before the first loop (computed in each back end's arithmetic). */
  readonly pre: readonly Const[];
  /** Accumulators (`let acc = 0;` before the first loop), when the rule has a reduction loop. */
  readonly reductions: ReadonlyArray<{ readonly name: string; readonly op: "sum" | "max" }>;
  /** The reduction loop: reads buffers, accumulates, stores nothing. Empty when there is none. */
  readonly reduce: readonly Stmt[];
  /** Constants between the reduction loop and the element loop (may read the reductions). */
  readonly mid: readonly Const[];
  /** The element loop. */
  readonly body: readonly Stmt[];
}

export const flagsOf = (rule: Rule): string[] =>
  rule.params.filter((p) => p.kind === "flag").map((p) => p.name);
export const buffersOf = (rule: Rule): string[] =>
  rule.params.filter((p) => p.kind === "buffer").map((p) => p.name);
export const scalarsOf = (rule: Rule): string[] =>
  rule.params.filter((p) => p.kind === "scalar").map((p) => p.name);

/** Every flag combination, in the order the back ends nest them (first flag outermost, true before false). */
export function flagCombinations(flags: readonly string[]): Array<Map<string, boolean>> {
  const out: Array<Map<string, boolean>> = [];
  const walk = (i: number, known: Map<string, boolean>): void => {
    if (i === flags.length) {
      out.push(known);
      return;
    }
    walk(i + 1, new Map([...known, [flags[i]!, true]]));
    walk(i + 1, new Map([...known, [flags[i]!, false]]));
  };
  walk(0, new Map());
  return out;
}
