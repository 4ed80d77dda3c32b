// Reads one update rule with the TypeScript compiler API into the IR (ir.ts). The accepted subset is the
// update-rule convention in docs/ARCHITECTURE.md; anything else fails with the rule's name and the construct.

import ts from "typescript";
import type { Const, Expr, Group, Kind, MathFn, Member, Rule, Stmt } from "./ir.js";

function fail(rule: string, node: ts.Node | null, why: string): never {
  const where = node ? ` at \`${node.getText().slice(0, 80)}\`` : "";
  throw new Error(
    `build-kernels: ${rule}: ${why}${where} (see the update-rule convention in docs/ARCHITECTURE.md)`,
  );
}

const KIND_OF_TYPE: Record<string, Kind> = { Buffer: "buffer", boolean: "flag", number: "scalar" };

/** A helper the rules may call: `function h(a: number, …): number { return <expr>; }`, inlined at each call. */
interface Helper {
  readonly params: readonly string[];
  readonly body: ts.Expression;
}

function helpersIn(sf: ts.SourceFile, into: Map<string, Helper>): void {
  sf.forEachChild((node) => {
    if (!ts.isFunctionDeclaration(node) || !node.name || !node.body) return;
    const [only] = node.body.statements;
    if (node.body.statements.length !== 1 || !only || !ts.isReturnStatement(only) || !only.expression) return;
    if (!node.parameters.every((p) => ts.isIdentifier(p.name))) return;
    into.set(node.name.text, { params: node.parameters.map((p) => p.name.getText()), body: only.expression });
  });
}

function groupType(sf: ts.SourceFile, fn: string, p: ts.ParameterDeclaration): Group {
  const type = p.type && ts.isTypeReferenceNode(p.type) ? p.type.typeName.getText() : "";
  let members: ts.NodeArray<ts.TypeElement> | undefined;
  sf.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === type) members = node.members;
    if (ts.isTypeAliasDeclaration(node) && node.name.text === type && ts.isTypeLiteralNode(node.type))
      members = node.type.members;
  });
  if (!members) fail(fn, p, `a group parameter needs an interface declared in the rule's file, got ${type}`);
  const list: Member[] = members.map((m) => {
    if (!ts.isPropertySignature(m) || !m.type) fail(fn, m, `${type}: members must be plain properties`);
    const kind = KIND_OF_TYPE[m.type.getText()];
    if (!kind) fail(fn, m, `${type}: member type ${m.type.getText()} is not Buffer, boolean or number`);
    return { name: m.name.getText(), kind };
  });
  const kind = list[0]?.kind;
  if (!kind) fail(fn, p, `${type} has no members`);
  if (list.some((m) => m.kind !== kind))
    fail(fn, p, `${type} mixes buffers, flags and scalars: one group per kind`);
  if (!ts.isObjectBindingPattern(p.name)) fail(fn, p, `destructure ${type} in the parameter list`);
  const bound = p.name.elements.map((e) => {
    if (e.propertyName || e.initializer || e.dotDotDotToken || !ts.isIdentifier(e.name))
      fail(fn, e, "group members are destructured by their own names, without defaults");
    return e.name.text;
  });
  const names = list.map((m) => m.name);
  if (bound.length !== names.length || names.some((n) => !bound.includes(n)))
    fail(fn, p, `destructure every member of ${type} (${names.join(", ")})`);
  return { type, kind, members: list };
}

/**
 * Parses `fn` in `source` (src/optim/<file>.ts). `helperSources` are other files whose one-expression
 * functions the rule may call (src/optim/rule-helpers.ts); the rule's own file is searched first.
 */
export function parseRule(source: string, file: string, fn: string, helperSources: string[] = []): Rule {
  const sf = ts.createSourceFile(`${file}.ts`, source, ts.ScriptTarget.ES2022, true);
  let decl: ts.FunctionDeclaration | undefined;
  sf.forEachChild((node) => {
    if (ts.isFunctionDeclaration(node) && node.name?.text === fn) decl = node;
  });
  if (!decl?.body) fail(fn, null, `no function ${fn} in src/optim/${file}.ts`);
  const helpers = new Map<string, Helper>();
  for (const h of helperSources)
    helpersIn(ts.createSourceFile("helpers.ts", h, ts.ScriptTarget.ES2022, true), helpers);
  helpersIn(sf, helpers);
  helpers.delete(fn);

  const [first, ...rest] = decl.parameters;
  if (first?.name.getText() !== "n" || first.type?.getText() !== "number")
    fail(fn, first ?? decl, "the first parameter must be `n: number`");
  const groups = rest.map((p) => groupType(sf, fn, p));
  const params = groups.flatMap((g) => g.members);
  const kinds = new Map(params.map((p) => [p.name, p.kind]));

  const consts = new Set<string>(); // pre, reductions (after their loop), mid
  const scopes: Array<Map<string, string>> = [];
  let counter = 0;
  const local = (name: string): string | undefined => {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const hit = scopes[i]!.get(name);
      if (hit) return hit;
    }
    return undefined;
  };
  const inlining: string[] = [];

  const expr = (node: ts.Expression, env: Map<string, Expr> | null): Expr => {
    if (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node)) return expr(node.expression, env);
    if (ts.isNumericLiteral(node)) return { k: "num", value: Number(node.text) };
    if (node.kind === ts.SyntaxKind.TrueKeyword) return { k: "bool", value: true };
    if (node.kind === ts.SyntaxKind.FalseKeyword) return { k: "bool", value: false };
    if (ts.isIdentifier(node)) {
      const name = node.text;
      if (name === "Infinity") return { k: "num", value: Number.POSITIVE_INFINITY };
      if (env) {
        const bound = env.get(name);
        if (bound) return bound;
        return fail(fn, node, `helper ${inlining.at(-1)} may only use its own parameters, not ${name}`);
      }
      const l = local(name);
      if (l) return { k: "local", name: l };
      if (consts.has(name)) return { k: "id", name };
      const kind = kinds.get(name);
      if (kind === "scalar" || kind === "flag") return { k: "id", name };
      return fail(fn, node, `unknown or unusable identifier ${name}`);
    }
    if (ts.isElementAccessExpression(node)) {
      const buf = node.expression.getText();
      if (
        env ||
        scopes.length === 0 ||
        kinds.get(buf) !== "buffer" ||
        node.argumentExpression.getText() !== "i"
      )
        fail(fn, node, "element access must be buffer[i] inside the loop");
      return { k: "load", buf };
    }
    if (ts.isPrefixUnaryExpression(node)) {
      if (node.operator === ts.SyntaxKind.MinusToken) {
        if (ts.isNumericLiteral(node.operand)) return { k: "num", value: -Number(node.operand.text) };
        return { k: "neg", a: expr(node.operand, env) };
      }
      if (node.operator === ts.SyntaxKind.ExclamationToken) return { k: "not", a: expr(node.operand, env) };
      return fail(fn, node, "unsupported unary operator");
    }
    if (ts.isConditionalExpression(node)) {
      return {
        k: "cond",
        c: expr(node.condition, env),
        a: expr(node.whenTrue, env),
        b: expr(node.whenFalse, env),
      };
    }
    if (ts.isBinaryExpression(node)) {
      const a = expr(node.left, env);
      const b = expr(node.right, env);
      const op = node.operatorToken.getText();
      if (op === "+" || op === "-" || op === "*" || op === "/") return { k: "bin", op, a, b };
      if (op === "&&" || op === "||") return { k: "logic", op, a, b };
      const cmp = ({ "<": "<", "<=": "<=", ">": ">", ">=": ">=", "===": "==", "!==": "!=" } as const)[
        op as "<"
      ];
      if (cmp) return { k: "cmp", op: cmp, a, b };
      return fail(fn, node, `unsupported operator ${op}`);
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText();
      const args = node.arguments.map((x) => expr(x, env));
      const m = /^Math\.(sqrt|abs|max|min|sign)$|^Number\.(isNaN|isFinite)$/.exec(callee);
      if (m) {
        const name = (m[1] ?? m[2]) as MathFn;
        const want = name === "max" || name === "min" ? 2 : 1;
        if (args.length !== want) fail(fn, node, `${callee} takes ${want} argument(s) here`);
        return { k: "call", fn: name, args };
      }
      const helper = helpers.get(callee);
      if (!helper) return fail(fn, node, `unsupported call ${callee}`);
      if (inlining.includes(callee)) fail(fn, node, `helper ${callee} calls itself`);
      if (args.length !== helper.params.length)
        fail(fn, node, `${callee} takes ${helper.params.length} argument(s)`);
      inlining.push(callee);
      const inner = expr(helper.body, new Map(helper.params.map((p, i) => [p, args[i]!])));
      inlining.pop();
      return inner;
    }
    return fail(fn, node, "unsupported expression");
  };

  const blockOf = (s: ts.Statement): readonly ts.Statement[] => (ts.isBlock(s) ? s.statements : [s]);
  let accumulators = new Map<string, "sum" | "max" | null>();

  const block = (stmts: readonly ts.Statement[], reducing: boolean): Stmt[] => {
    scopes.push(new Map());
    const out: Stmt[] = [];
    for (const s of stmts) {
      if (ts.isVariableStatement(s)) {
        const mutable = (s.declarationList.flags & ts.NodeFlags.Let) !== 0;
        for (const d of s.declarationList.declarations) {
          if (!d.initializer || !ts.isIdentifier(d.name))
            fail(fn, d, "a local needs a name and an initializer");
          const e = expr(d.initializer, null);
          const unique = `${d.name.text}_${counter++}`;
          scopes.at(-1)!.set(d.name.text, unique);
          out.push({ k: "decl", name: unique, mutable, e });
        }
      } else if (ts.isExpressionStatement(s) && ts.isBinaryExpression(s.expression)) {
        const { left, right, operatorToken } = s.expression;
        const target = ts.isIdentifier(left) ? left.text : "";
        if (reducing && accumulators.has(target)) {
          const max =
            operatorToken.kind === ts.SyntaxKind.EqualsToken &&
            ts.isCallExpression(right) &&
            right.expression.getText() === "Math.max" &&
            right.arguments.length === 2 &&
            right.arguments[0]!.getText() === target;
          if (operatorToken.kind !== ts.SyntaxKind.PlusEqualsToken && !max)
            fail(fn, s, "an accumulator takes `acc += e` or `acc = Math.max(acc, e)`");
          const op = max ? "max" : "sum";
          if (accumulators.get(target) && accumulators.get(target) !== op)
            fail(fn, s, `${target} is both summed and maximised`);
          accumulators.set(target, op);
          const e = expr(max ? (right as ts.CallExpression).arguments[1]! : right, null);
          out.push({ k: "accum", name: target, op, e });
          continue;
        }
        if (operatorToken.kind !== ts.SyntaxKind.EqualsToken) fail(fn, s, "only plain `=` assignments");
        const e = expr(right, null);
        if (ts.isElementAccessExpression(left)) {
          const buf = left.expression.getText();
          if (kinds.get(buf) !== "buffer" || left.argumentExpression.getText() !== "i")
            fail(fn, s, "stores must be buffer[i] = …");
          if (reducing)
            fail(fn, s, "a reduction loop stores nothing (stores go in the element loop after it)");
          out.push({ k: "store", buf, e });
        } else if (ts.isIdentifier(left) && local(left.text)) {
          out.push({ k: "assign", name: local(left.text)!, e });
        } else fail(fn, s, "assignment to something that is not a loop local or buffer[i]");
      } else if (ts.isIfStatement(s)) {
        const c = expr(s.expression, null);
        const yes = block(blockOf(s.thenStatement), reducing);
        const no = s.elseStatement ? block(blockOf(s.elseStatement), reducing) : [];
        out.push({ k: "if", c, yes, no });
      } else fail(fn, s, "unsupported statement in the loop");
    }
    scopes.pop();
    return out;
  };

  const pre: Const[] = [];
  const mid: Const[] = [];
  let returned = false;
  const loops: Stmt[][] = [];
  for (const s of decl.body.statements) {
    if (ts.isForStatement(s)) {
      if (loops.length === 2) fail(fn, s, "at most two loops (a reduction loop, then the element loop)");
      const text = `${s.initializer?.getText()};${s.condition?.getText()};${s.incrementor?.getText()}`;
      if (text.replace(/\s+/g, "") !== "leti=0;i<n;i++")
        fail(fn, s, "the loop must be for (let i = 0; i < n; i++)");
      counter = 0;
      const reducing = loops.length === 0 && accumulators.size > 0;
      loops.push(block(blockOf(s.statement), reducing));
      if (reducing) {
        for (const [name, op] of accumulators) {
          if (!op) fail(fn, s, `accumulator ${name} is never accumulated`);
          consts.add(name);
        }
      }
    } else if (ts.isVariableStatement(s)) {
      const mutable = (s.declarationList.flags & ts.NodeFlags.Let) !== 0;
      for (const d of s.declarationList.declarations) {
        if (!d.initializer || !ts.isIdentifier(d.name)) fail(fn, d, "a per-call scalar needs a name");
        if (mutable) {
          if (loops.length > 0 || d.initializer.getText() !== "0")
            fail(fn, d, "a `let` outside the loops is an accumulator: `let acc = 0;` before the first loop");
          accumulators.set(d.name.text, null);
          continue;
        }
        const c = { name: d.name.text, e: expr(d.initializer, null) };
        (loops.length === 0 ? pre : mid).push(c);
        consts.add(d.name.text);
      }
    } else if (ts.isReturnStatement(s) && s.expression && loops.length === 1 && accumulators.size > 0) {
      // a reduction-only rule returns its result (the value a GPU finish pass writes)
      if (s !== decl.body.statements.at(-1)) fail(fn, s, "the return ends the rule");
      mid.push({ name: "result", e: expr(s.expression, null) });
      returned = true;
    } else fail(fn, s, "only per-call `const`s around the loops");
  }
  if (loops.length === 0) fail(fn, decl, "no element loop");
  const reduces = loops.length === 2 || returned;
  if (reduces !== accumulators.size > 0)
    fail(
      fn,
      decl,
      "two loops need accumulators (the first loop reduces), and accumulators need two loops (or one loop and a return)",
    );
  const reductions = [...accumulators].map(([name, op]) => ({ name, op: op! }));
  accumulators = new Map();
  return {
    file,
    fn,
    groups,
    params,
    pre,
    reductions,
    reduce: reduces ? loops[0]! : [],
    mid,
    body: returned ? [] : loops.at(-1)!,
  };
}
