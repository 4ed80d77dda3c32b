// The kernel generator: reads each optimizer's update rule (src/optim/*.ts, the restricted subset in
// docs/ARCHITECTURE.md) with the TypeScript compiler API and emits, from that one definition,
//   - WAT for an f32x4 kernel (float32 buffers) and an f64x2 kernel (float64 buffers), each a SIMD loop
//     followed by a scalar tail doing the same operations, assembled by wabt into one wasm module;
//   - a float32 JS reference of the rule with Math.fround after every operation (what the f32x4 kernel
//     computes, op for op), the oracle the float32 kernel is tested against bit for bit;
//   - one dispatcher per rule, with the rule's own signature, that calls the wasm export when every buffer
//     lives in the arena and the TypeScript rule otherwise.
// `npx tsx scripts/build-kernels.ts` writes src/kernels/generated/; `--check` fails if they are stale.

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import wabtInit from "wabt";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The rules compiled to kernels: source file (under src/optim) and function name. */
export const KERNEL_RULES: ReadonlyArray<{ file: string; fn: string }> = [
  { file: "adam", fn: "adamUpdate" },
  { file: "sgd", fn: "sgdUpdate" },
  { file: "rmsprop", fn: "rmspropUpdate" },
  { file: "adagrad", fn: "adagradUpdate" },
  { file: "adadelta", fn: "adadeltaUpdate" },
  { file: "adamax", fn: "adamaxUpdate" },
  { file: "asgd", fn: "asgdUpdate" },
  { file: "nadam", fn: "nadamUpdate" },
  { file: "radam", fn: "radamUpdate" },
  { file: "rprop", fn: "rpropUpdate" },
  { file: "lion", fn: "lionUpdate" },
  { file: "lamb", fn: "lambUpdate" },
  { file: "schedule-free-adamw", fn: "scheduleFreeAdamWUpdate" },
  { file: "schedule-free-sgd", fn: "scheduleFreeSgdUpdate" },
];

// ---------------------------------------------------------------- IR

type ParamKind = "n" | "buffer" | "flag" | "scalar";
interface RuleParam {
  name: string;
  kind: ParamKind;
}
type Expr =
  | { k: "num"; value: number }
  | { k: "id"; name: string }
  | { k: "load"; buf: string }
  | { k: "bin"; op: "+" | "-" | "*" | "/"; a: Expr; b: Expr }
  | { k: "neg"; a: Expr }
  | { k: "not"; a: Expr }
  | { k: "logic"; op: "&&" | "||"; a: Expr; b: Expr }
  | { k: "cmp"; op: "<" | "<=" | ">" | ">=" | "==" | "!="; a: Expr; b: Expr }
  | { k: "call"; fn: "sqrt" | "abs" | "max" | "min" | "sign"; args: Expr[] }
  | { k: "cond"; c: Expr; a: Expr; b: Expr };
type Stmt =
  | { k: "decl"; name: string; e: Expr }
  | { k: "assign"; name: string; e: Expr }
  | { k: "store"; buf: string; e: Expr }
  | { k: "if"; c: Expr; yes: Stmt[]; no: Stmt[] };
export interface Rule {
  file: string;
  fn: string;
  params: RuleParam[];
  pre: Array<{ name: string; e: Expr }>;
  body: Stmt[];
}

// ---------------------------------------------------------------- parsing

function fail(rule: string, node: ts.Node | null, why: string): never {
  const where = node ? ` at \`${node.getText().slice(0, 80)}\`` : "";
  throw new Error(
    `build-kernels: ${rule}: ${why}${where} (see the update-rule convention in docs/ARCHITECTURE.md)`,
  );
}

export function parseRule(source: string, file: string, fn: string): Rule {
  const sf = ts.createSourceFile(`${file}.ts`, source, ts.ScriptTarget.ES2022, true);
  let decl: ts.FunctionDeclaration | undefined;
  sf.forEachChild((node) => {
    if (ts.isFunctionDeclaration(node) && node.name?.text === fn) decl = node;
  });
  if (!decl?.body) fail(fn, null, `no function ${fn} in src/optim/${file}.ts`);
  const params: RuleParam[] = decl.parameters.map((p, i) => {
    const name = p.name.getText();
    const type = p.type?.getText() ?? "";
    if (i === 0) {
      if (name !== "n" || type !== "number") fail(fn, p, "the first parameter must be `n: number`");
      return { name, kind: "n" };
    }
    if (type === "Buffer") return { name, kind: "buffer" };
    if (type === "boolean") return { name, kind: "flag" };
    if (type === "number") return { name, kind: "scalar" };
    return fail(fn, p, `parameter type ${type} is not Buffer, boolean or number`);
  });
  const kinds = new Map(params.map((p) => [p.name, p.kind]));
  const rule: Rule = { file, fn, params, pre: [], body: [] };
  const scopes: Array<Set<string>> = [];
  const pre = new Set<string>();
  let sawLoop = false;

  const expr = (node: ts.Expression, inLoop: boolean): Expr => {
    if (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node))
      return expr(node.expression, inLoop);
    if (ts.isNumericLiteral(node)) return { k: "num", value: Number(node.text) };
    if (ts.isIdentifier(node)) {
      const name = node.text;
      if (name === "Infinity") return { k: "num", value: Number.POSITIVE_INFINITY };
      const kind = kinds.get(name);
      if (kind === "scalar" || kind === "flag") return { k: "id", name };
      if (pre.has(name) || (inLoop && scopes.some((s) => s.has(name)))) return { k: "id", name };
      return fail(fn, node, `unknown or unusable identifier ${name}`);
    }
    if (ts.isElementAccessExpression(node)) {
      const buf = node.expression.getText();
      if (!inLoop || kinds.get(buf) !== "buffer" || node.argumentExpression.getText() !== "i") {
        fail(fn, node, "element access must be buffer[i] inside the loop");
      }
      return { k: "load", buf };
    }
    if (ts.isPrefixUnaryExpression(node)) {
      if (node.operator === ts.SyntaxKind.MinusToken) {
        if (ts.isNumericLiteral(node.operand)) return { k: "num", value: -Number(node.operand.text) };
        return { k: "neg", a: expr(node.operand, inLoop) };
      }
      if (node.operator === ts.SyntaxKind.ExclamationToken)
        return { k: "not", a: expr(node.operand, inLoop) };
      return fail(fn, node, "unsupported unary operator");
    }
    if (ts.isConditionalExpression(node)) {
      return {
        k: "cond",
        c: expr(node.condition, inLoop),
        a: expr(node.whenTrue, inLoop),
        b: expr(node.whenFalse, inLoop),
      };
    }
    if (ts.isBinaryExpression(node)) {
      const a = expr(node.left, inLoop);
      const b = expr(node.right, inLoop);
      const op = node.operatorToken.getText();
      if (op === "+" || op === "-" || op === "*" || op === "/") return { k: "bin", op, a, b };
      if (op === "&&" || op === "||") return { k: "logic", op, a, b };
      const cmp: Record<string, "<" | "<=" | ">" | ">=" | "==" | "!="> = {
        "<": "<",
        "<=": "<=",
        ">": ">",
        ">=": ">=",
        "===": "==",
        "!==": "!=",
      };
      const c = cmp[op];
      if (c) return { k: "cmp", op: c, a, b };
      return fail(fn, node, `unsupported operator ${op}`);
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText();
      const m = /^Math\.(sqrt|abs|max|min|sign)$/.exec(callee);
      if (!m) return fail(fn, node, `unsupported call ${callee}`);
      const name = m[1] as "sqrt" | "abs" | "max" | "min" | "sign";
      const args = node.arguments.map((x) => expr(x, inLoop));
      const want = name === "max" || name === "min" ? 2 : 1;
      if (args.length !== want) fail(fn, node, `Math.${name} takes ${want} argument(s) here`);
      return { k: "call", fn: name, args };
    }
    return fail(fn, node, "unsupported expression");
  };

  const block = (stmts: readonly ts.Statement[]): Stmt[] => {
    scopes.push(new Set());
    const out: Stmt[] = [];
    for (const s of stmts) {
      if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations) {
          if (!d.initializer || !ts.isIdentifier(d.name))
            fail(fn, d, "a local needs a name and an initializer");
          const e = expr(d.initializer, true);
          scopes[scopes.length - 1]!.add(d.name.text);
          out.push({ k: "decl", name: d.name.text, e });
        }
      } else if (ts.isExpressionStatement(s) && ts.isBinaryExpression(s.expression)) {
        const { left, right, operatorToken } = s.expression;
        if (operatorToken.kind !== ts.SyntaxKind.EqualsToken) fail(fn, s, "only plain `=` assignments");
        const e = expr(right, true);
        if (ts.isElementAccessExpression(left)) {
          const buf = left.expression.getText();
          if (kinds.get(buf) !== "buffer" || left.argumentExpression.getText() !== "i") {
            fail(fn, s, "stores must be buffer[i] = …");
          }
          out.push({ k: "store", buf, e });
        } else if (ts.isIdentifier(left) && scopes.some((sc) => sc.has(left.text))) {
          out.push({ k: "assign", name: left.text, e });
        } else fail(fn, s, "assignment to something that is not a loop local or buffer[i]");
      } else if (ts.isIfStatement(s)) {
        const c = expr(s.expression, true);
        const then = block(ts.isBlock(s.thenStatement) ? s.thenStatement.statements : [s.thenStatement]);
        const el = s.elseStatement
          ? block(ts.isBlock(s.elseStatement) ? s.elseStatement.statements : [s.elseStatement])
          : [];
        out.push({ k: "if", c, yes: then, no: el });
      } else fail(fn, s, "unsupported statement in the loop");
    }
    scopes.pop();
    return out;
  };

  for (const s of decl.body.statements) {
    if (ts.isForStatement(s)) {
      if (sawLoop) fail(fn, s, "only one loop");
      const text = `${s.initializer?.getText()};${s.condition?.getText()};${s.incrementor?.getText()}`;
      if (text.replace(/\s+/g, "") !== "leti=0;i<n;i++")
        fail(fn, s, "the loop must be for (let i = 0; i < n; i++)");
      sawLoop = true;
      rule.body = block(ts.isBlock(s.statement) ? s.statement.statements : [s.statement]);
    } else if (ts.isVariableStatement(s) && !sawLoop) {
      for (const d of s.declarationList.declarations) {
        if (!d.initializer || !ts.isIdentifier(d.name)) fail(fn, d, "a per-call scalar needs a name");
        rule.pre.push({ name: d.name.text, e: expr(d.initializer, false) });
        pre.add(d.name.text);
      }
    } else fail(fn, s, "only per-call `const`s before one loop");
  }
  if (!sawLoop) fail(fn, decl, "no element loop");
  return rule;
}

// ---------------------------------------------------------------- type analysis

/** Whether an expression is the same for every element (so it can be computed once, before the loop). */
function uniform(e: Expr): boolean {
  switch (e.k) {
    case "num":
      return true;
    case "id":
      return !e.name.startsWith("$local:");
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

function isBool(e: Expr, flags: Set<string>): boolean {
  if (e.k === "cmp" || e.k === "logic" || e.k === "not") return true;
  if (e.k === "id") return flags.has(e.name);
  return false;
}

/** Marks loop locals (so `uniform` can tell them from scalars) with unique names per declaration. */
function resolveLocals(rule: Rule): Stmt[] {
  let counter = 0;
  const scopes: Array<Map<string, string>> = [];
  const lookup = (name: string): string | undefined => {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const hit = scopes[i]!.get(name);
      if (hit) return hit;
    }
    return undefined;
  };
  const re = (e: Expr): Expr => {
    switch (e.k) {
      case "id": {
        const local = lookup(e.name);
        return local ? { k: "id", name: local } : e;
      }
      case "bin":
      case "logic":
      case "cmp":
        return { ...e, a: re(e.a), b: re(e.b) };
      case "neg":
      case "not":
        return { ...e, a: re(e.a) };
      case "call":
        return { ...e, args: e.args.map(re) };
      case "cond":
        return { k: "cond", c: re(e.c), a: re(e.a), b: re(e.b) };
      default:
        return e;
    }
  };
  const block = (stmts: Stmt[]): Stmt[] => {
    scopes.push(new Map());
    const out = stmts.map((s): Stmt => {
      switch (s.k) {
        case "decl": {
          const e = re(s.e);
          const unique = `$local:${s.name}_${counter++}`;
          scopes[scopes.length - 1]!.set(s.name, unique);
          return { k: "decl", name: unique, e };
        }
        case "assign":
          return { k: "assign", name: lookup(s.name)!, e: re(s.e) };
        case "store":
          return { k: "store", buf: s.buf, e: re(s.e) };
        case "if":
          return { k: "if", c: re(s.c), yes: block(s.yes), no: block(s.no) };
        default:
          throw new Error("unreachable");
      }
    });
    scopes.pop();
    return out;
  };
  return block(rule.body);
}

// ---------------------------------------------------------------- WAT

type F = "f32" | "f64";

function fconst(t: F, x: number): string {
  const v = t === "f32" ? Math.fround(x) : x;
  if (Number.isNaN(v)) return `(${t}.const nan)`;
  if (v === Number.POSITIVE_INFINITY) return `(${t}.const inf)`;
  if (v === Number.NEGATIVE_INFINITY) return `(${t}.const -inf)`;
  if (Object.is(v, -0)) return `(${t}.const -0)`;
  return `(${t}.const ${v})`;
}

const watName = (name: string): string => `$${name.replace(/[^A-Za-z0-9_]/g, "_")}`;

function ruleWat(rule: Rule, t: F): string {
  const vt = t === "f32" ? "f32x4" : "f64x2";
  const width = t === "f32" ? 4 : 8;
  const flags = new Set(rule.params.filter((p) => p.kind === "flag").map((p) => p.name));
  const body = resolveLocals(rule);
  const locals: string[] = [];
  const declared = new Set<string>();
  const local = (name: string, type: string): string => {
    if (!declared.has(name)) {
      declared.add(name);
      locals.push(`(local ${name} ${type})`);
    }
    return name;
  };
  let temp = 0;
  // uniform subexpressions, computed once before the loop: scalar and splat forms
  const hoisted = new Map<string, { s: string; v: string }>();
  const preCode: string[] = [];
  const scalarOf = (name: string): string =>
    rule.params.some((p) => p.name === name) ? `$s_${name}` : `$c_${name}`;

  // scalar (uniform) expression in type t, or i32 for booleans
  const uni = (e: Expr): string => {
    switch (e.k) {
      case "num":
        return fconst(t, e.value);
      case "id":
        return `(local.get ${flags.has(e.name) ? `$flag_${e.name}` : scalarOf(e.name)})`;
      case "bin": {
        const op = { "+": "add", "-": "sub", "*": "mul", "/": "div" }[e.op];
        return `(${t}.${op} ${uni(e.a)} ${uni(e.b)})`;
      }
      case "neg":
        return `(${t}.neg ${uni(e.a)})`;
      case "not":
        return `(i32.eqz ${uni(e.a)})`;
      case "logic":
        return `(i32.${e.op === "&&" ? "and" : "or"} ${uni(e.a)} ${uni(e.b)})`;
      case "cmp":
        return `(${t}.${cmpOp(e.op, false)} ${uni(e.a)} ${uni(e.b)})`;
      case "call":
        return scalarCall(e.fn, e.args.map(uni));
      case "cond":
        return `(select ${uni(e.a)} ${uni(e.b)} ${uni(e.c)})`;
      case "load":
        throw new Error("unreachable: a load is not uniform");
    }
  };
  const scalarCall = (fn: string, args: string[]): string => {
    if (fn === "sign") {
      const tmp = local(`$t${temp++}`, t);
      // NaN and ±0 stay themselves, as Math.sign
      return `(select ${fconst(t, 1)} (select ${fconst(t, -1)} (local.tee ${tmp} ${args[0]}) (${t}.lt (local.get ${tmp}) ${fconst(t, 0)})) (${t}.gt (local.get ${tmp}) ${fconst(t, 0)}))`;
    }
    return `(${t}.${fn} ${args.join(" ")})`;
  };
  const hoist = (e: Expr): { s: string; v: string } => {
    const key = JSON.stringify(e);
    let h = hoisted.get(key);
    if (!h) {
      const i = hoisted.size;
      h = { s: local(`$u${i}`, t), v: local(`$uv${i}`, "v128") };
      preCode.push(`(local.set ${h.s} ${uni(e)})`, `(local.set ${h.v} (${vt}.splat (local.get ${h.s})))`);
      hoisted.set(key, h);
    }
    return h;
  };

  // Each combination of flags gets its own loops, with the flags folded to constants (no select or branch
  // per element); `known` holds the combination being emitted. `memOff` is the unrolled copy's byte offset.
  let known = new Map<string, boolean>();
  let memOff = 0;
  const constBool = (e: Expr): boolean | undefined => {
    if (e.k === "id" && flags.has(e.name)) return known.get(e.name);
    if (e.k === "not") {
      const a = constBool(e.a);
      return a === undefined ? undefined : !a;
    }
    if (e.k === "logic") {
      const a = constBool(e.a);
      const b = constBool(e.b);
      if (e.op === "&&") {
        if (a === false || b === false) return false;
        if (a === true && b === true) return true;
      } else {
        if (a === true || b === true) return true;
        if (a === false && b === false) return false;
      }
    }
    return undefined;
  };
  const mem = (buf: string): string =>
    `${memOff > 0 ? ` offset=${memOff}` : ""} (i32.add (local.get $p_${buf}) (local.get $o))`;

  // element expression: vec = true emits v128 code, false the scalar tail's code
  const el = (e: Expr, vec: boolean, cache: Map<string, string>): string => {
    if (e.k === "cond") {
      const c = constBool(e.c);
      if (c !== undefined) return el(c ? e.a : e.b, vec, cache);
    }
    if (uniform(e)) {
      if (isBool(e, flags)) return uni(e); // i32, used only as a select/if condition
      const h = hoist(e);
      return `(local.get ${vec ? h.v : h.s})`;
    }
    switch (e.k) {
      case "id":
        return `(local.get ${watName(e.name)}_${vec ? "v" : "s"})`;
      case "load": {
        const cached = cache.get(`${e.buf}:${vec}`);
        if (cached) return `(local.get ${cached})`;
        const l = local(`$ld_${e.buf}_${vec ? "v" : "s"}_${temp++}`, vec ? "v128" : t);
        cache.set(`${e.buf}:${vec}`, l);
        return `(local.tee ${l} (${vec ? "v128" : t}.load${mem(e.buf)}))`;
      }
      case "bin": {
        const op = { "+": "add", "-": "sub", "*": "mul", "/": "div" }[e.op];
        return `(${vec ? vt : t}.${op} ${el(e.a, vec, cache)} ${el(e.b, vec, cache)})`;
      }
      case "neg":
        return `(${vec ? vt : t}.neg ${el(e.a, vec, cache)})`;
      case "not":
        return vec ? `(v128.not ${el(e.a, vec, cache)})` : `(i32.eqz ${el(e.a, vec, cache)})`;
      case "logic": {
        if (uniform(e.a) !== uniform(e.b))
          throw new Error(`${rule.fn}: mixing flags and element tests in ${e.op}`);
        return `(${vec ? "v128" : "i32"}.${e.op === "&&" ? "and" : "or"} ${el(e.a, vec, cache)} ${el(e.b, vec, cache)})`;
      }
      case "cmp":
        return `(${vec ? vt : t}.${cmpOp(e.op, vec)} ${el(e.a, vec, cache)} ${el(e.b, vec, cache)})`;
      case "call": {
        const args = e.args.map((a) => el(a, vec, cache));
        if (!vec) return scalarCall(e.fn, args);
        if (e.fn === "sign") {
          const tmp = local(`$tv${temp++}`, "v128");
          const one = hoist({ k: "num", value: 1 }).v;
          const minus = hoist({ k: "num", value: -1 }).v;
          const zero = hoist({ k: "num", value: 0 }).v;
          return `(v128.bitselect (local.get ${one}) (v128.bitselect (local.get ${minus}) (local.tee ${tmp} ${args[0]}) (${vt}.lt (local.get ${tmp}) (local.get ${zero}))) (${vt}.gt (local.get ${tmp}) (local.get ${zero})))`;
        }
        return `(${vt}.${e.fn} ${args.join(" ")})`;
      }
      case "cond": {
        const a = el(e.a, vec, cache);
        const b = el(e.b, vec, cache);
        if (uniform(e.c)) return `(select ${a} ${b} ${uni(e.c)})`;
        return vec
          ? `(v128.bitselect ${a} ${b} ${el(e.c, vec, cache)})`
          : `(select ${a} ${b} ${el(e.c, vec, cache)})`;
      }
      case "num":
        throw new Error("unreachable: a number is uniform");
    }
  };

  const stmts = (list: Stmt[], vec: boolean, cache: Map<string, string>): string[] => {
    const out: string[] = [];
    for (const s of list) {
      if (s.k === "decl" || s.k === "assign") {
        const l = local(`${watName(s.name)}_${vec ? "v" : "s"}`, vec ? "v128" : t);
        out.push(`(local.set ${l} ${el(s.e, vec, cache)})`);
      } else if (s.k === "store") {
        const l = local(`$st_${s.buf}_${vec ? "v" : "s"}_${temp++}`, vec ? "v128" : t);
        out.push(`(local.set ${l} ${el(s.e, vec, cache)})`);
        out.push(`(${vec ? "v128" : t}.store${mem(s.buf)} (local.get ${l}))`);
        cache.set(`${s.buf}:${vec}`, l); // a later read of buf[i] is exactly what was stored
      } else {
        const known = constBool(s.c);
        if (known !== undefined) {
          out.push(...stmts(known ? s.yes : s.no, vec, cache));
          continue;
        }
        if (!uniform(s.c))
          throw new Error(`${rule.fn}: an if on an element value cannot be vectorised; use ?:`);
        const a = new Map(cache);
        const b = new Map(cache);
        const thenCode = stmts(s.yes, vec, a);
        const elseCode = stmts(s.no, vec, b);
        out.push(`(if ${uni(s.c)} (then ${thenCode.join(" ")}) (else ${elseCode.join(" ")}))`);
        // what a branch loaded or stored is not known to hold on the other path
        for (const [key, value] of cache) if (a.get(key) !== value || b.get(key) !== value) cache.delete(key);
        for (const key of [...a.keys(), ...b.keys()]) if (a.get(key) !== cache.get(key)) cache.delete(key);
      }
    }
    return out;
  };

  const flagList = [...flags];
  const unroll = 2;
  let variantCount = 0;
  const loops = (): string => {
    const v = variantCount++;
    const copies: string[] = [];
    for (let u = 0; u < unroll; u++) {
      memOff = 16 * u;
      copies.push(...stmts(body, true, new Map()));
    }
    memOff = 0;
    const vecBody = stmts(body, true, new Map());
    const scalarBody = stmts(body, false, new Map());
    return `(block $wdone${v} (loop $wloop${v}
      (br_if $wdone${v} (i32.ge_u (local.get $o) (local.get $vend2)))
      ${copies.join("\n      ")}
      (local.set $o (i32.add (local.get $o) (i32.const ${16 * unroll})))
      (br $wloop${v})))
    (block $vdone${v} (loop $vloop${v}
      (br_if $vdone${v} (i32.ge_u (local.get $o) (local.get $vend)))
      ${vecBody.join("\n      ")}
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br $vloop${v})))
    (block $sdone${v} (loop $sloop${v}
      (br_if $sdone${v} (i32.ge_u (local.get $o) (local.get $end)))
      ${scalarBody.join("\n      ")}
      (local.set $o (i32.add (local.get $o) (i32.const ${width})))
      (br $sloop${v})))`;
  };
  const variants = (i: number, assigned: Map<string, boolean>): string => {
    if (i === flagList.length) {
      known = assigned;
      return loops();
    }
    const f = flagList[i]!;
    const yes = variants(i + 1, new Map([...assigned, [f, true]]));
    const no = variants(i + 1, new Map([...assigned, [f, false]]));
    return `(if (local.get $flag_${f}) (then ${yes}) (else ${no}))`;
  };
  const loopCode = variants(0, new Map());
  const params = rule.params.map((p) => {
    if (p.kind === "n") return "(param $n i32)";
    if (p.kind === "buffer") return `(param $p_${p.name} i32)`;
    if (p.kind === "flag") return `(param $flag_${p.name} i32)`;
    return `(param $arg_${p.name} f64)`;
  });
  const setup: string[] = [];
  for (const p of rule.params) {
    if (p.kind !== "scalar") continue;
    local(`$s_${p.name}`, t);
    setup.push(
      `(local.set $s_${p.name} ${t === "f32" ? `(f32.demote_f64 (local.get $arg_${p.name}))` : `(local.get $arg_${p.name})`})`,
    );
  }
  for (const c of rule.pre) {
    local(`$c_${c.name}`, t);
    setup.push(`(local.set $c_${c.name} ${uni(c.e)})`);
  }
  local("$o", "i32");
  local("$end", "i32");
  local("$vend", "i32");
  local("$vend2", "i32");
  const name = `${rule.fn}_${t}`;
  return `  (func $${name} (export "${name}") ${params.join(" ")}
    ${locals.join(" ")}
    ${setup.join("\n    ")}
    ${preCode.join("\n    ")}
    (local.set $end (i32.shl (local.get $n) (i32.const ${width === 4 ? 2 : 3})))
    (local.set $vend (i32.and (local.get $end) (i32.const -16)))
    (local.set $vend2 (i32.and (local.get $end) (i32.const ${-16 * unroll})))
    ${loopCode})`;
}

function cmpOp(op: string, _vec: boolean): string {
  return { "<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne" }[op]!;
}

// ---------------------------------------------------------------- the float32 JS reference

interface JsMode {
  /** true: Math.fround after every operation (the float32 kernels' arithmetic); false: float64, as the rule. */
  round: boolean;
  /** flags folded to constants (the float64 JS executor's one-loop-per-combination specialisation) */
  known: Map<string, boolean>;
}

function knownBool(e: Expr, known: Map<string, boolean>): boolean | undefined {
  if (e.k === "id") return known.get(e.name);
  if (e.k === "not") {
    const a = knownBool(e.a, known);
    return a === undefined ? undefined : !a;
  }
  if (e.k === "logic") {
    const a = knownBool(e.a, known);
    const b = knownBool(e.b, known);
    if (e.op === "&&") {
      if (a === false || b === false) return false;
      if (a === true && b === true) return true;
    } else {
      if (a === true || b === true) return true;
      if (a === false && b === false) return false;
    }
  }
  return undefined;
}

function refExpr(e: Expr, flags: Set<string>, mode: JsMode = { round: true, known: new Map() }): string {
  const r = (x: Expr): string => refExpr(x, flags, mode);
  const f = (x: string): string => (mode.round ? `f(${x})` : `(${x})`);
  switch (e.k) {
    case "num": {
      const v = mode.round ? Math.fround(e.value) : e.value;
      if (v === Number.POSITIVE_INFINITY) return "Infinity";
      if (v === Number.NEGATIVE_INFINITY) return "-Infinity";
      return Object.is(v, -0) ? "-0" : `${v}`;
    }
    case "id": {
      if (e.name.startsWith("$local:")) return e.name.slice(7);
      const k = mode.known.get(e.name);
      if (k !== undefined) return `${k}`;
      return flags.has(e.name) ? e.name : `f_${e.name}`;
    }
    case "load":
      return `${e.buf}[i]!`;
    case "bin":
      return f(`${wrap(r(e.a))} ${e.op} ${wrap(r(e.b))}`);
    case "neg":
      return `-${wrap(r(e.a))}`;
    case "not":
      return `!${wrap(r(e.a))}`;
    case "logic":
      return `(${r(e.a)} ${e.op} ${r(e.b)})`;
    case "cmp":
      return `${wrap(r(e.a))} ${e.op === "==" ? "===" : e.op === "!=" ? "!==" : e.op} ${wrap(r(e.b))}`;
    case "call":
      return e.fn === "sqrt" ? f(`Math.sqrt(${r(e.args[0]!)})`) : `Math.${e.fn}(${e.args.map(r).join(", ")})`;
    case "cond": {
      const c = knownBool(e.c, mode.known);
      if (c !== undefined) return r(c ? e.a : e.b);
      return `(${r(e.c)} ? ${r(e.a)} : ${r(e.b)})`;
    }
  }
}

const wrap = (s: string): string =>
  /^[\w.$!]+(\[i\]!)?$|^-?\d/.test(s) || (/^f?\(.*\)$/.test(s) && !s.includes(" ")) ? s : `(${s})`;

function refRule(rule: Rule, round = true): string {
  const flags = new Set(rule.params.filter((p) => p.kind === "flag").map((p) => p.name));
  const body = resolveLocals(rule);
  const declared = new Set<string>();
  const assigned = new Set<string>();
  const scanAssign = (list: Stmt[]): void => {
    for (const s of list) {
      if (s.k === "assign") assigned.add(s.name.slice(7));
      if (s.k === "if") {
        scanAssign(s.yes);
        scanAssign(s.no);
      }
    }
  };
  scanAssign(body);
  let mode: JsMode = { round, known: new Map() };
  const lines = (list: Stmt[], indent: string): string[] => {
    const out: string[] = [];
    for (const s of list) {
      if (s.k === "decl") {
        const n = s.name.slice(7);
        declared.add(n);
        out.push(`${indent}${assigned.has(n) ? "let" : "const"} ${n} = ${refExpr(s.e, flags, mode)};`);
      } else if (s.k === "assign") out.push(`${indent}${s.name.slice(7)} = ${refExpr(s.e, flags, mode)};`);
      else if (s.k === "store") out.push(`${indent}${s.buf}[i] = ${refExpr(s.e, flags, mode)};`);
      else {
        const c = knownBool(s.c, mode.known);
        if (c !== undefined) {
          out.push(...lines(c ? s.yes : s.no, indent));
          continue;
        }
        out.push(`${indent}if (${refExpr(s.c, flags, mode)}) {`, ...lines(s.yes, `${indent}  `));
        if (s.no.length > 0) out.push(`${indent}} else {`, ...lines(s.no, `${indent}  `));
        out.push(`${indent}}`);
      }
    }
    return out;
  };
  const sig = rule.params
    .map((p) =>
      p.kind === "buffer"
        ? `${p.name}: ${round ? "Float32Array" : "Buffer"}`
        : `${p.name}: ${p.kind === "flag" ? "boolean" : "number"}`,
    )
    .join(", ");
  const setup = rule.params
    .filter((p) => p.kind === "scalar")
    .map((p) => `  const f_${p.name} = ${round ? `f(${p.name})` : p.name};`);
  const pre = rule.pre.map((c) => `  const f_${c.name} = ${refExpr(c.e, flags, mode)};`);
  if (!round) {
    // the float64 executor: one loop per flag combination (V8 does not unswitch loops)
    const flagList = [...flags];
    const variants = (i: number, known: Map<string, boolean>, indent: string): string[] => {
      if (i === flagList.length) {
        mode = { round, known };
        return [`${indent}for (let i = 0; i < n; i++) {`, ...lines(body, `${indent}  `), `${indent}}`];
      }
      const fl = flagList[i]!;
      return [
        `${indent}if (${fl}) {`,
        ...variants(i + 1, new Map([...known, [fl, true]]), `${indent}  `),
        `${indent}} else {`,
        ...variants(i + 1, new Map([...known, [fl, false]]), `${indent}  `),
        `${indent}}`,
      ];
    };
    return `/**
 * ${rule.fn} as JavaScript with each flag combination in its own loop: the same float64 operations in the
 * same order as the rule (bit-identical for either dtype), without per-element tests of the flags.
 */
export function ${rule.fn}Js(${sig}): void {
${[...setup, ...pre].join("\n")}
${variants(0, new Map(), "  ").join("\n")}
}
`;
  }
  return `/** ${rule.fn} over float32 buffers, rounded to float32 after every operation (the f32x4 kernel's arithmetic). */
export function ${rule.fn}F32(${sig}): void {
${[...setup, ...pre].join("\n")}
  for (let i = 0; i < n; i++) {
${lines(body, "    ").join("\n")}
  }
}
`;
}

// ---------------------------------------------------------------- dispatchers

function dispatcher(rule: Rule, ids: { f32: number; f64: number }): string {
  const bufs = rule.params.filter((p) => p.kind === "buffer").map((p) => p.name);
  const sig = rule.params
    .map((p) => `${p.name}: ${p.kind === "buffer" ? "Buffer" : p.kind === "flag" ? "boolean" : "number"}`)
    .join(",\n  ");
  const names = rule.params.map((p) => p.name).join(", ");
  const wasmArgs = (cast: boolean): string =>
    rule.params
      .map((p) =>
        p.kind === "buffer"
          ? `${p.name}.byteOffset`
          : p.kind === "flag" && cast
            ? `${p.name} ? 1 : 0`
            : p.name,
      )
      .join(", ");
  const resident = (fn: string): string => bufs.map((b) => `${fn}(${b}, n)`).join(" && ");
  const threaded = (id: number): string => {
    const lines = [`const a = k.pool.args;`];
    let slot = 0;
    for (const p of rule.params) {
      if (p.kind === "n") continue;
      const v =
        p.kind === "buffer" ? `${p.name}.byteOffset` : p.kind === "flag" ? `${p.name} ? 1 : 0` : p.name;
      lines.push(`a[${slot++}] = ${v};`);
    }
    lines.push(`k.pool.run(${id}, n);`);
    return lines.join("\n        ");
  };
  const cap = rule.fn[0]!.toUpperCase() + rule.fn.slice(1);
  return `// Generated by scripts/build-kernels.ts from src/optim/${rule.file}.ts: do not edit.
import type { Buffer } from "../../core/arena.js";
import { kernels, resident32, resident64 } from "../runtime.js";

${refRule(rule, false)}
/**
 * Runs ${rule.fn} (src/optim/${rule.file}.ts) with the WebAssembly SIMD kernel when every buffer lives in
 * the arena (float32: f32x4 arithmetic; float64: f64x2, bit-identical to the rule), else with
 * ${rule.fn}Js above (bit-identical to the rule for either dtype).
 */
export function run${cap}(
  ${sig},
): void {
  const k = kernels();
  if (k !== null) {
    if (${resident("resident32")}) {
      if (k.pool !== null && n >= k.pool.minElements) {
        ${threaded(ids.f32)}
      } else k.exports.${rule.fn}_f32(${wasmArgs(true)});
      return;
    }
    if (${resident("resident64")}) {
      if (k.pool !== null && n >= k.pool.minElements) {
        ${threaded(ids.f64)}
      } else k.exports.${rule.fn}_f64(${wasmArgs(true)});
      return;
    }
  }
  ${rule.fn}Js(${names});
}
`;
}

// ---------------------------------------------------------------- assembly

export interface Generated {
  /** path relative to the repository root → contents */
  files: Map<string, string>;
  wat: string;
}

const HEADER = "// Generated by scripts/build-kernels.ts from the update rules in src/optim: do not edit.\n";

export async function generate(
  readSource = (file: string) => readFileSync(join(ROOT, "src/optim", `${file}.ts`), "utf8"),
): Promise<Generated> {
  const rules = KERNEL_RULES.map(({ file, fn }) => parseRule(readSource(file), file, fn));
  const funcs: string[] = [];
  const table: string[] = [];
  rules.forEach((rule, i) => {
    funcs.push(ruleWat(rule, "f32"), ruleWat(rule, "f64"));
    const kinds = rule.params.map((p) => p.kind[0]).join("");
    table.push(
      `  { rule: "${rule.fn}", file: "${rule.file}", dtype: "float32", name: "${rule.fn}_f32", kinds: "${kinds}" },`,
      `  { rule: "${rule.fn}", file: "${rule.file}", dtype: "float64", name: "${rule.fn}_f64", kinds: "${kinds}" },`,
    );
    void i;
  });
  const wat = `(module\n  (import "env" "memory" (memory 1 65536 shared))\n${funcs.join("\n")}\n)\n`;
  const wabt = await wabtInit();
  const mod = wabt.parseWat("kernels.wat", wat, { simd: true, threads: true });
  // wabt.js's own validator rejects shared memories whatever the features, so V8 validates instead
  const bytes = mod.toBinary({ log: false, write_debug_names: false }).buffer;
  mod.destroy();
  if (!WebAssembly.validate(new Uint8Array(bytes))) {
    await WebAssembly.compile(new Uint8Array(bytes)); // throws with V8's reason
  }
  const b64 = Buffer.from(new Uint8Array(bytes)).toString("base64");
  const exportsType = rules
    .flatMap((r) => {
      const sig = r.params.map((p) => `${p.name}: number`).join(", ");
      return [`  ${r.fn}_f32(${sig}): void;`, `  ${r.fn}_f64(${sig}): void;`];
    })
    .join("\n");
  const files = new Map<string, string>();
  files.set(
    "src/kernels/generated/kernels-wasm.ts",
    `${HEADER}
/** The kernels module (${bytes.length} bytes): an f32x4 and an f64x2 export per rule; imports env.memory (shared). */
export const KERNELS_WASM_BASE64 =
  "${b64}";

/** The exports, in the order of KERNEL_TABLE; buffers are byte offsets in the arena, flags 0/1. */
export interface KernelExports {
${exportsType}
}

/** One kernel: its rule, the rule's file in src/optim, dtype, export, and argument kinds (n, buffer, flag, scalar). */
export interface KernelEntry {
  readonly rule: string;
  readonly file: string;
  readonly dtype: "float32" | "float64";
  readonly name: keyof KernelExports;
  readonly kinds: string;
}

/** Kernel index → entry; the thread pool calls kernels by index. */
export const KERNEL_TABLE: ReadonlyArray<KernelEntry> = [
${table.join("\n")}
];
`,
  );
  files.set(
    "src/kernels/generated/reference-f32.ts",
    `${HEADER}\nconst f = Math.fround;\n\n${rules.map((r) => refRule(r)).join("\n")}`,
  );
  rules.forEach((rule, i) => {
    files.set(`src/kernels/generated/${rule.file}.ts`, dispatcher(rule, { f32: 2 * i, f64: 2 * i + 1 }));
  });
  return { files, wat };
}

async function main(): Promise<void> {
  const check = process.argv.includes("--check");
  const { files, wat } = await generate();
  let stale = 0;
  for (const [path, text] of files) {
    const full = join(ROOT, path);
    let old = "";
    try {
      old = readFileSync(full, "utf8");
    } catch {}
    if (old === text) continue;
    stale++;
    if (check) console.error(`stale: ${path}`);
    else writeFileSync(full, text);
  }
  if (process.argv.includes("--wat")) writeFileSync(join(ROOT, "bench-results/kernels.wat"), wat);
  if (check && stale > 0) {
    console.error("generated kernels are out of date: run npm run kernels");
    process.exit(1);
  }
  console.log(check ? "generated kernels are up to date" : `wrote ${stale} changed file(s) of ${files.size}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
