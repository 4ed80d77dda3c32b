// The WebAssembly back end: one function per rule and dtype, an f32x4 (or f64x2) loop, 2× unrolled, then a
// one-vector loop and a scalar tail doing the same operations, for each flag combination (the IR folded
// per combination, chosen by one branch tree at entry).

import { foldStmts, isBool, uniform } from "./fold.js";
import { type Expr, flagCombinations, flagsOf, type Member, type Rule, type Stmt } from "./ir.js";

export type F = "f32" | "f64";

function fconst(t: F, x: number): string {
  const v = t === "f32" ? Math.fround(x) : x;
  if (Number.isNaN(v)) return `(${t}.const nan)`;
  if (v === Number.POSITIVE_INFINITY) return `(${t}.const inf)`;
  if (v === Number.NEGATIVE_INFINITY) return `(${t}.const -inf)`;
  if (Object.is(v, -0)) return `(${t}.const -0)`;
  return `(${t}.const ${v})`;
}

const CMP = { "<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne" } as const;
const BIN = { "+": "add", "-": "sub", "*": "mul", "/": "div" } as const;
const UNROLL = 2;

/**
 * The positional arguments of a rule's element kernel: its buffers, flags and the scalars the element loop
 * reads, then the constants computed after a reduction loop (passed in, computed by the caller).
 */
export function kernelArgs(rule: Rule): Member[] {
  if (rule.reduce.length === 0) return [...rule.params];
  const used = new Set<string>();
  const visit = (e: Expr): void => {
    if (e.k === "id") {
      if (used.has(e.name)) return;
      used.add(e.name);
      const c = rule.pre.find((p) => p.name === e.name);
      if (c) visit(c.e);
    } else if (e.k === "bin" || e.k === "logic" || e.k === "cmp") {
      visit(e.a);
      visit(e.b);
    } else if (e.k === "neg" || e.k === "not") visit(e.a);
    else if (e.k === "call") e.args.forEach(visit);
    else if (e.k === "cond") [e.c, e.a, e.b].forEach(visit);
  };
  const walk = (list: readonly Stmt[]): void => {
    for (const s of list) {
      if (s.k === "if") {
        visit(s.c);
        walk(s.yes);
        walk(s.no);
      } else visit(s.e);
    }
  };
  walk(rule.body);
  return [
    ...rule.params.filter((p) => p.kind !== "scalar" || used.has(p.name)),
    ...rule.mid.filter((c) => used.has(c.name)).map((c) => ({ name: c.name, kind: "scalar" as const })),
  ];
}

/** Emits one rule's function for one dtype; the state of one emission lives in the instance. */
class WatEmitter {
  readonly vt: string;
  readonly width: number;
  readonly args: Member[];
  readonly flags: Set<string>;
  readonly locals: string[] = [];
  readonly declared = new Set<string>();
  /** Uniform subexpressions computed once before the loops, as a scalar and a splat. */
  readonly hoisted = new Map<string, { s: string; v: string }>();
  readonly preCode: string[] = [];
  temp = 0;
  /** The byte offset of the unrolled copy being emitted. */
  memOff = 0;
  variantCount = 0;

  constructor(
    readonly rule: Rule,
    readonly t: F,
  ) {
    this.vt = t === "f32" ? "f32x4" : "f64x2";
    this.width = t === "f32" ? 4 : 8;
    this.args = kernelArgs(rule);
    this.flags = new Set(flagsOf(rule));
  }

  local(name: string, type: string): string {
    if (!this.declared.has(name)) {
      this.declared.add(name);
      this.locals.push(`(local ${name} ${type})`);
    }
    return name;
  }

  /** A uniform expression in type t (i32 for booleans). */
  uni(e: Expr): string {
    const t = this.t;
    switch (e.k) {
      case "num":
        return fconst(t, e.value);
      case "bool":
        return `(i32.const ${e.value ? 1 : 0})`;
      case "id": {
        if (this.flags.has(e.name)) return `(local.get $flag_${e.name})`;
        return `(local.get ${this.args.some((p) => p.name === e.name) ? `$s_${e.name}` : `$c_${e.name}`})`;
      }
      case "bin":
        return `(${t}.${BIN[e.op]} ${this.uni(e.a)} ${this.uni(e.b)})`;
      case "neg":
        return `(${t}.neg ${this.uni(e.a)})`;
      case "not":
        return `(i32.eqz ${this.uni(e.a)})`;
      case "logic":
        return `(i32.${e.op === "&&" ? "and" : "or"} ${this.uni(e.a)} ${this.uni(e.b)})`;
      case "cmp":
        return `(${t}.${CMP[e.op]} ${this.uni(e.a)} ${this.uni(e.b)})`;
      case "call":
        return this.scalarCall(
          e.fn,
          e.args.map((a) => this.uni(a)),
        );
      case "cond":
        return `(select ${this.uni(e.a)} ${this.uni(e.b)} ${this.uni(e.c)})`;
      case "local":
      case "load":
        throw new Error("unreachable: not uniform");
    }
  }

  scalarCall(fn: string, args: string[]): string {
    const t = this.t;
    if (fn === "sign") {
      const tmp = this.local(`$t${this.temp++}`, t);
      // NaN and ±0 stay themselves, as Math.sign
      return `(select ${fconst(t, 1)} (select ${fconst(t, -1)} (local.tee ${tmp} ${args[0]}) (${t}.lt (local.get ${tmp}) ${fconst(t, 0)})) (${t}.gt (local.get ${tmp}) ${fconst(t, 0)}))`;
    }
    if (fn === "isNaN") {
      const tmp = this.local(`$t${this.temp++}`, t);
      return `(${t}.ne (local.tee ${tmp} ${args[0]}) (local.get ${tmp}))`;
    }
    if (fn === "isFinite") return `(${t}.lt (${t}.abs ${args[0]}) ${fconst(t, Number.POSITIVE_INFINITY)})`;
    return `(${t}.${fn} ${args.join(" ")})`;
  }

  hoist(e: Expr): { s: string; v: string } {
    const key = JSON.stringify(e);
    let h = this.hoisted.get(key);
    if (!h) {
      const i = this.hoisted.size;
      h = { s: this.local(`$u${i}`, this.t), v: this.local(`$uv${i}`, "v128") };
      this.preCode.push(
        `(local.set ${h.s} ${this.uni(e)})`,
        `(local.set ${h.v} (${this.vt}.splat (local.get ${h.s})))`,
      );
      this.hoisted.set(key, h);
    }
    return h;
  }

  mem(buf: string): string {
    return `${this.memOff > 0 ? ` offset=${this.memOff}` : ""} (i32.add (local.get $p_${buf}) (local.get $o))`;
  }

  /** An element expression: vec emits v128 code, else the scalar tail's code. */
  el(e: Expr, vec: boolean, cache: Map<string, string>): string {
    const { t, vt } = this;
    if (uniform(e)) {
      if (isBool(e, this.flags)) return this.uni(e); // i32, used only as a select/if condition
      const h = this.hoist(e);
      return `(local.get ${vec ? h.v : h.s})`;
    }
    switch (e.k) {
      case "local":
        return `(local.get $${e.name}_${vec ? "v" : "s"})`;
      case "load": {
        const cached = cache.get(`${e.buf}:${vec}`);
        if (cached) return `(local.get ${cached})`;
        const l = this.local(`$ld_${e.buf}_${vec ? "v" : "s"}_${this.temp++}`, vec ? "v128" : t);
        cache.set(`${e.buf}:${vec}`, l);
        return `(local.tee ${l} (${vec ? "v128" : t}.load${this.mem(e.buf)}))`;
      }
      case "bin":
        return `(${vec ? vt : t}.${BIN[e.op]} ${this.el(e.a, vec, cache)} ${this.el(e.b, vec, cache)})`;
      case "neg":
        return `(${vec ? vt : t}.neg ${this.el(e.a, vec, cache)})`;
      case "not":
        return vec ? `(v128.not ${this.el(e.a, vec, cache)})` : `(i32.eqz ${this.el(e.a, vec, cache)})`;
      case "logic": {
        if (uniform(e.a) !== uniform(e.b))
          throw new Error(`${this.rule.fn}: mixing flags and element tests in ${e.op}`);
        return `(${vec ? "v128" : "i32"}.${e.op === "&&" ? "and" : "or"} ${this.el(e.a, vec, cache)} ${this.el(e.b, vec, cache)})`;
      }
      case "cmp":
        return `(${vec ? vt : t}.${CMP[e.op]} ${this.el(e.a, vec, cache)} ${this.el(e.b, vec, cache)})`;
      case "call": {
        const args = e.args.map((a) => this.el(a, vec, cache));
        if (!vec) return this.scalarCall(e.fn, args);
        if (e.fn === "sign") {
          const tmp = this.local(`$tv${this.temp++}`, "v128");
          const one = this.hoist({ k: "num", value: 1 }).v;
          const minus = this.hoist({ k: "num", value: -1 }).v;
          const zero = this.hoist({ k: "num", value: 0 }).v;
          return `(v128.bitselect (local.get ${one}) (v128.bitselect (local.get ${minus}) (local.tee ${tmp} ${args[0]}) (${vt}.lt (local.get ${tmp}) (local.get ${zero}))) (${vt}.gt (local.get ${tmp}) (local.get ${zero})))`;
        }
        if (e.fn === "isNaN") {
          const tmp = this.local(`$tv${this.temp++}`, "v128");
          return `(${vt}.ne (local.tee ${tmp} ${args[0]}) (local.get ${tmp}))`;
        }
        if (e.fn === "isFinite") {
          const inf = this.hoist({ k: "num", value: Number.POSITIVE_INFINITY }).v;
          return `(${vt}.lt (${vt}.abs ${args[0]}) (local.get ${inf}))`;
        }
        return `(${vt}.${e.fn} ${args.join(" ")})`;
      }
      case "cond": {
        const a = this.el(e.a, vec, cache);
        const b = this.el(e.b, vec, cache);
        if (uniform(e.c)) return `(select ${a} ${b} ${this.uni(e.c)})`;
        if (!vec) return `(select ${a} ${b} ${this.el(e.c, vec, cache)})`;
        // a mask with a literal 0 on one side is one instruction, where bitselect is three on SSE
        // (+0 is all zero bits, so the result is bit for bit the select's)
        if (isZero(e.a)) return `(v128.andnot ${b} ${this.el(e.c, vec, cache)})`;
        if (isZero(e.b)) return `(v128.and ${a} ${this.el(e.c, vec, cache)})`;
        return `(v128.bitselect ${a} ${b} ${this.el(e.c, vec, cache)})`;
      }
      default:
        throw new Error("unreachable: uniform");
    }
  }

  stmts(list: readonly Stmt[], vec: boolean, cache: Map<string, string>): string[] {
    const out: string[] = [];
    for (const s of list) {
      if (s.k === "decl" || s.k === "assign") {
        const l = this.local(`$${s.name}_${vec ? "v" : "s"}`, vec ? "v128" : this.t);
        out.push(`(local.set ${l} ${this.el(s.e, vec, cache)})`);
      } else if (s.k === "store") {
        const l = this.local(`$st_${s.buf}_${vec ? "v" : "s"}_${this.temp++}`, vec ? "v128" : this.t);
        out.push(`(local.set ${l} ${this.el(s.e, vec, cache)})`);
        out.push(`(${vec ? "v128" : this.t}.store${this.mem(s.buf)} (local.get ${l}))`);
        cache.set(`${s.buf}:${vec}`, l); // a later read of buf[i] is exactly what was stored
      } else if (s.k === "if") {
        if (!uniform(s.c))
          throw new Error(`${this.rule.fn}: an if on an element value cannot be vectorised; use ?:`);
        const a = new Map(cache);
        const b = new Map(cache);
        const thenCode = this.stmts(s.yes, vec, a);
        const elseCode = this.stmts(s.no, vec, b);
        out.push(`(if ${this.uni(s.c)} (then ${thenCode.join(" ")}) (else ${elseCode.join(" ")}))`);
        // what a branch loaded or stored is not known to hold on the other path
        for (const [key, value] of cache) if (a.get(key) !== value || b.get(key) !== value) cache.delete(key);
        for (const key of [...a.keys(), ...b.keys()]) if (a.get(key) !== cache.get(key)) cache.delete(key);
      } else throw new Error(`${this.rule.fn}: an accumulator in the element loop`);
    }
    return out;
  }

  loops(body: readonly Stmt[]): string {
    const v = this.variantCount++;
    const copies: string[] = [];
    for (let u = 0; u < UNROLL; u++) {
      this.memOff = 16 * u;
      copies.push(...this.stmts(body, true, new Map()));
    }
    this.memOff = 0;
    const vecBody = this.stmts(body, true, new Map());
    const scalarBody = this.stmts(body, false, new Map());
    return `(block $wdone${v} (loop $wloop${v}
      (br_if $wdone${v} (i32.ge_u (local.get $o) (local.get $vend2)))
      ${copies.join("\n      ")}
      (local.set $o (i32.add (local.get $o) (i32.const ${16 * UNROLL})))
      (br $wloop${v})))
    (block $vdone${v} (loop $vloop${v}
      (br_if $vdone${v} (i32.ge_u (local.get $o) (local.get $vend)))
      ${vecBody.join("\n      ")}
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br $vloop${v})))
    (block $sdone${v} (loop $sloop${v}
      (br_if $sdone${v} (i32.ge_u (local.get $o) (local.get $end)))
      ${scalarBody.join("\n      ")}
      (local.set $o (i32.add (local.get $o) (i32.const ${this.width})))
      (br $sloop${v})))`;
  }

  emit(): string {
    const { rule, t } = this;
    const flagList = flagsOf(rule);
    // one loop nest per flag combination, the first flag outermost
    const bodies = flagCombinations(flagList).map((known) => this.loops(foldStmts(rule.body, known)));
    const tree = (i: number, at: number): string => {
      if (i === flagList.length) return bodies[at]!;
      const half = 1 << (flagList.length - i - 1);
      return `(if (local.get $flag_${flagList[i]}) (then ${tree(i + 1, at)}) (else ${tree(i + 1, at + half)}))`;
    };
    const loopCode = tree(0, 0);
    const params = [
      "(param $n i32)",
      ...this.args.map((p) =>
        p.kind === "buffer"
          ? `(param $p_${p.name} i32)`
          : p.kind === "flag"
            ? `(param $flag_${p.name} i32)`
            : `(param $arg_${p.name} f64)`,
      ),
    ];
    const setup: string[] = [];
    for (const p of this.args) {
      if (p.kind !== "scalar") continue;
      this.local(`$s_${p.name}`, t);
      setup.push(
        `(local.set $s_${p.name} ${t === "f32" ? `(f32.demote_f64 (local.get $arg_${p.name}))` : `(local.get $arg_${p.name})`})`,
      );
    }
    for (const c of rule.pre) {
      this.local(`$c_${c.name}`, t);
      setup.push(`(local.set $c_${c.name} ${this.uni(c.e)})`);
    }
    this.local("$o", "i32");
    this.local("$end", "i32");
    this.local("$vend", "i32");
    this.local("$vend2", "i32");
    const name = `${rule.fn}_${t}`;
    return `  (func $${name} (export "${name}") ${params.join(" ")}
    ${this.locals.join(" ")}
    ${setup.join("\n    ")}
    ${this.preCode.join("\n    ")}
    (local.set $end (i32.shl (local.get $n) (i32.const ${this.width === 4 ? 2 : 3})))
    (local.set $vend (i32.and (local.get $end) (i32.const -16)))
    (local.set $vend2 (i32.and (local.get $end) (i32.const ${-16 * UNROLL})))
    ${loopCode})`;
  }
}

export function ruleWat(rule: Rule, t: F): string {
  return new WatEmitter(rule, t).emit();
}

/** True for the literal +0 (`0`, not `-0`). */
function isZero(e: Expr): boolean {
  return e.k === "num" && e.value === 0 && !Object.is(e.value, -0);
}
