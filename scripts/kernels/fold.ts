// Passes over the IR shared by every back end: flags folded to constants (one specialised body per flag
// combination, so no back end tests a flag per element), and which expressions are the same for every
// element (computed once per call).

import { BOOL_FNS, type Expr, type Stmt } from "./ir.js";

/** `e` with the flags in `known` replaced by their values and every decided condition resolved. */
export function foldExpr(e: Expr, known: ReadonlyMap<string, boolean>): Expr {
  const f = (x: Expr): Expr => foldExpr(x, known);
  switch (e.k) {
    case "id": {
      const v = known.get(e.name);
      return v === undefined ? e : { k: "bool", value: v };
    }
    case "not": {
      const a = f(e.a);
      return a.k === "bool" ? { k: "bool", value: !a.value } : { k: "not", a };
    }
    case "logic": {
      const a = f(e.a);
      const b = f(e.b);
      const absorbing = e.op === "||"; // true || x is true, false && x is false
      if (a.k === "bool") return a.value === absorbing ? a : b;
      if (b.k === "bool") return b.value === absorbing ? b : a;
      return { k: "logic", op: e.op, a, b };
    }
    case "cond": {
      const c = f(e.c);
      if (c.k === "bool") return f(c.value ? e.a : e.b);
      return { k: "cond", c, a: f(e.a), b: f(e.b) };
    }
    case "bin":
    case "cmp":
      return { ...e, a: f(e.a), b: f(e.b) };
    case "neg":
      return { k: "neg", a: f(e.a) };
    case "call":
      return { k: "call", fn: e.fn, args: e.args.map(f) };
    default:
      return e;
  }
}

/** The statements specialised to one flag combination: decided `if`s are replaced by their taken branch. */
export function foldStmts(list: readonly Stmt[], known: ReadonlyMap<string, boolean>): Stmt[] {
  const out: Stmt[] = [];
  for (const s of list) {
    switch (s.k) {
      case "if": {
        const c = foldExpr(s.c, known);
        if (c.k === "bool") out.push(...foldStmts(c.value ? s.yes : s.no, known));
        else out.push({ k: "if", c, yes: foldStmts(s.yes, known), no: foldStmts(s.no, known) });
        break;
      }
      case "decl":
      case "assign":
      case "store":
      case "accum":
        out.push({ ...s, e: foldExpr(s.e, known) });
        break;
    }
  }
  return out;
}

/** Whether an expression is the same for every element (so it can be computed once, before the loop). */
export function uniform(e: Expr): boolean {
  switch (e.k) {
    case "num":
    case "bool":
    case "id":
      return true;
    case "local":
    case "load":
      return false;
    case "bin":
    case "logic":
    case "cmp":
      return uniform(e.a) && uniform(e.b);
    case "neg":
    case "not":
      return uniform(e.a);
    case "call":
      return e.args.every(uniform);
    case "cond":
      return uniform(e.c) && uniform(e.a) && uniform(e.b);
  }
}

export function isBool(e: Expr, flags: ReadonlySet<string>): boolean {
  if (e.k === "cmp" || e.k === "logic" || e.k === "not" || e.k === "bool") return true;
  if (e.k === "call") return BOOL_FNS.has(e.fn);
  if (e.k === "id") return flags.has(e.name);
  return false;
}

/** Buffers read and written by a list of statements. */
export function bufferUse(list: readonly Stmt[]): { reads: Set<string>; writes: Set<string> } {
  const reads = new Set<string>();
  const writes = new Set<string>();
  const ex = (e: Expr): void => {
    switch (e.k) {
      case "load":
        reads.add(e.buf);
        break;
      case "bin":
      case "logic":
      case "cmp":
        ex(e.a);
        ex(e.b);
        break;
      case "neg":
      case "not":
        ex(e.a);
        break;
      case "call":
        e.args.forEach(ex);
        break;
      case "cond":
        ex(e.c);
        ex(e.a);
        ex(e.b);
        break;
      default:
    }
  };
  const st = (l: readonly Stmt[]): void => {
    for (const s of l) {
      if (s.k === "if") {
        ex(s.c);
        st(s.yes);
        st(s.no);
      } else {
        ex(s.e);
        if (s.k === "store") writes.add(s.buf);
      }
    }
  };
  st(list);
  return { reads, writes };
}

/** Identifiers (scalars, flags, constants) an expression or statement list reads. */
export function idsOf(x: Expr | readonly Stmt[], into = new Set<string>()): Set<string> {
  const ex = (e: Expr): void => {
    switch (e.k) {
      case "id":
        into.add(e.name);
        break;
      case "bin":
      case "logic":
      case "cmp":
        ex(e.a);
        ex(e.b);
        break;
      case "neg":
      case "not":
        ex(e.a);
        break;
      case "call":
        e.args.forEach(ex);
        break;
      case "cond":
        ex(e.c);
        ex(e.a);
        ex(e.b);
        break;
      default:
    }
  };
  const st = (l: readonly Stmt[]): void => {
    for (const s of l) {
      if (s.k === "if") {
        ex(s.c);
        st(s.yes);
        st(s.no);
      } else ex(s.e);
    }
  };
  if (Array.isArray(x)) st(x as readonly Stmt[]);
  else ex(x as Expr);
  return into;
}
