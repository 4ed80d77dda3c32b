import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseRule } from "../../scripts/build-kernels.js";
import { foldStmts } from "../../scripts/kernels/fold.js";
import type { Expr, Stmt } from "../../scripts/kernels/ir.js";
import { jsNumber, printExpr, type Syntax } from "../../scripts/kernels/print.js";
import { WGSL_KERNELS } from "../../src/kernels/generated/wgsl.js";

const GROUPS = `
interface TBuffers { param: Buffer; grad: Buffer; state: Buffer }
interface TFlags { maximize: boolean; flip: boolean }
interface TScalars { lr: number; beta: number }
`;
const rule = (body: string, groups = GROUPS) =>
  parseRule(
    `${groups}export function tUpdate(n: number, { param, grad, state }: TBuffers, { maximize, flip }: TFlags, { lr, beta }: TScalars): void {\n${body}\n}`,
    "t",
    "tUpdate",
  );

/** Every flag read by an expression tree (after folding there must be none). */
function flagReads(list: readonly Stmt[], flags: Set<string>): string[] {
  const out: string[] = [];
  const ex = (e: Expr): void => {
    if (e.k === "id" && flags.has(e.name)) out.push(e.name);
    for (const v of Object.values(e)) if (v && typeof v === "object" && "k" in v) ex(v as Expr);
    if (e.k === "call") e.args.forEach(ex);
  };
  for (const s of list) {
    if (s.k === "if") {
      ex(s.c);
      out.push(...flagReads(s.yes, flags), ...flagReads(s.no, flags));
    } else ex(s.e);
  }
  return out;
}

describe("the rule language", () => {
  it("reads named groups in declaration order, whatever the destructuring order", () => {
    const r = parseRule(
      `${GROUPS}export function tUpdate(n: number, { state, grad, param }: TBuffers, { flip, maximize }: TFlags, { beta, lr }: TScalars): void {
        for (let i = 0; i < n; i++) { param[i] = param[i]! - lr * grad[i]! * beta; state[i] = maximize && flip ? 1 : 0; }
      }`,
      "t",
      "tUpdate",
    );
    assert.deepEqual(
      r.params.map((p) => `${p.kind}:${p.name}`),
      [
        "buffer:param",
        "buffer:grad",
        "buffer:state",
        "flag:maximize",
        "flag:flip",
        "scalar:lr",
        "scalar:beta",
      ],
    );
    assert.deepEqual(
      r.groups.map((g) => g.type),
      ["TBuffers", "TFlags", "TScalars"],
    );
  });

  it("refuses groups that mix kinds, leave members out or are not declared", () => {
    const body = "for (let i = 0; i < n; i++) { param[i] = lr; }";
    assert.throws(
      () => rule(body, GROUPS.replace("state: Buffer", "state: number")),
      /tUpdate: TBuffers mixes buffers, flags and scalars/,
    );
    assert.throws(
      () =>
        parseRule(
          `${GROUPS}export function tUpdate(n: number, { param, grad }: TBuffers, { lr, beta }: TScalars): void { ${body} }`,
          "t",
          "tUpdate",
        ),
      /destructure every member of TBuffers \(param, grad, state\)/,
    );
    assert.throws(
      () => rule(body, GROUPS.replace("interface TFlags", "interface Other")),
      /a group parameter needs an interface declared in the rule's file, got TFlags/,
    );
    assert.throws(
      () => rule(body, GROUPS.replace("lr: number", "lr: string")),
      /TScalars: member type string is not Buffer, boolean or number/,
    );
  });

  it("inlines helpers to exactly the expression they return (the same IR as writing it out)", () => {
    const helper = rule(
      "for (let i = 0; i < n; i++) { const g = withL2(maximized(grad[i]!, maximize), beta, param[i]!); state[i] = lerp(state[i]!, g, lr); param[i] = emaSq(param[i]!, g, beta); }",
    );
    const written = rule(
      "for (let i = 0; i < n; i++) { const g = (maximize ? -grad[i]! : grad[i]!) + beta * param[i]!; state[i] = state[i]! + lr * (g - state[i]!); param[i] = beta * param[i]! + (1 - beta) * g * g; }",
    );
    assert.deepEqual(helper.body, written.body);
    assert.throws(
      () => rule("for (let i = 0; i < n; i++) { param[i] = ownHelper(grad[i]!); }"),
      /unsupported call ownHelper/,
    );
  });

  it("a helper sees only its own parameters", () => {
    const src = `${GROUPS}function leaky(x: number): number { return x * lr; }
export function tUpdate(n: number, { param, grad, state }: TBuffers, { maximize, flip }: TFlags, { lr, beta }: TScalars): void {
  for (let i = 0; i < n; i++) { param[i] = leaky(grad[i]!); }
}`;
    assert.throws(
      () => parseRule(src, "t", "tUpdate"),
      /helper leaky may only use its own parameters, not lr/,
    );
  });

  it("reads a reduction loop, the constants after it and the element loop", () => {
    const r = rule(`
      let sq = 0;
      let top = 0;
      for (let i = 0; i < n; i++) {
        const g = grad[i]!;
        sq += g * g;
        top = Math.max(top, Math.abs(g));
      }
      const scale = lr / (Math.sqrt(sq) + top);
      for (let i = 0; i < n; i++) { param[i] = param[i]! - scale * grad[i]!; }`);
    assert.deepEqual(r.reductions, [
      { name: "sq", op: "sum" },
      { name: "top", op: "max" },
    ]);
    assert.deepEqual(
      r.mid.map((c) => c.name),
      ["scale"],
    );
    assert.equal(r.reduce.length, 3);
    assert.throws(
      () =>
        rule(
          "let sq = 0; for (let i = 0; i < n; i++) { sq += grad[i]!; state[i] = 0; } for (let i = 0; i < n; i++) { param[i] = sq; }",
        ),
      /a reduction loop stores nothing/,
    );
    assert.throws(
      () =>
        rule("for (let i = 0; i < n; i++) { param[i] = 1; } for (let i = 0; i < n; i++) { param[i] = 2; }"),
      /two loops need accumulators/,
    );
    assert.throws(
      () =>
        rule(
          "let sq = 1; for (let i = 0; i < n; i++) { sq += 1; } for (let i = 0; i < n; i++) { param[i] = sq; }",
        ),
      /`let acc = 0;` before the first loop/,
    );
  });

  it("folds flags once on the IR: no flag is left in any combination's body", () => {
    const r = rule(`
      for (let i = 0; i < n; i++) {
        let g = maximize ? -grad[i]! : grad[i]!;
        if (flip && !maximize) { g = -g; }
        state[i] = maximize || flip ? g : 0;
        param[i] = param[i]! - lr * g;
      }`);
    const flags = new Set(["maximize", "flip"]);
    assert.ok(flagReads(r.body, flags).length > 0);
    for (const maximize of [true, false]) {
      for (const flip of [true, false]) {
        const folded = foldStmts(
          r.body,
          new Map([
            ["maximize", maximize],
            ["flip", flip],
          ]),
        );
        assert.deepEqual(flagReads(folded, flags), []);
        assert.equal(
          folded.some((s) => s.k === "if"),
          false,
        );
      }
    }
  });
});

describe("precedence-aware printing", () => {
  const ts: Syntax = { lang: "ts", num: jsNumber, id: (x) => x, local: (x) => x, load: (b) => `${b}[i]` };
  const id = (name: string): Expr => ({ k: "id", name });
  const bin = (op: "+" | "-" | "*" | "/", a: Expr, b: Expr): Expr => ({ k: "bin", op, a, b });

  it("keeps the parentheses a float tree needs and drops the others", () => {
    const [a, b, c] = [id("a"), id("b"), id("c")];
    assert.equal(printExpr(bin("-", a, bin("-", b, c)), ts), "a - (b - c)");
    assert.equal(printExpr(bin("-", bin("-", a, b), c), ts), "a - b - c");
    assert.equal(printExpr(bin("+", a, bin("+", b, c)), ts), "a + (b + c)");
    assert.equal(printExpr(bin("*", bin("+", a, b), c), ts), "(a + b) * c");
    assert.equal(printExpr(bin("+", a, bin("*", b, c)), ts), "a + b * c");
    assert.equal(printExpr({ k: "neg", a: bin("*", a, b) }, ts), "-(a * b)");
    assert.equal(printExpr({ k: "neg", a: { k: "neg", a } }, ts), "-(-a)");
    assert.equal(printExpr(bin("-", a, { k: "num", value: -1 }), ts), "a - -1");
    assert.equal(
      printExpr(bin("*", { k: "cond", c: { k: "cmp", op: ">", a, b }, a: b, b: c }, a), ts),
      "(a > b ? b : c) * a",
    );
  });

  it("prints any arithmetic tree so that JavaScript evaluates it to the same bits", () => {
    const leaf = fc.oneof(
      fc.constantFrom<Expr>(id("a"), id("b"), id("c")),
      fc.double({ min: -4, max: 4, noNaN: true }).map((value): Expr => ({ k: "num", value })),
    );
    const tree = fc.letrec<{ e: Expr }>((tie) => ({
      e: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc
          .tuple(fc.constantFrom("+", "-", "*", "/") as fc.Arbitrary<"+">, tie("e"), tie("e"))
          .map(([op, a, b]): Expr => ({ k: "bin", op, a, b })),
        tie("e").map((a): Expr => ({ k: "neg", a })),
        tie("e").map((a): Expr => ({ k: "call", fn: "sqrt", args: [a] })),
      ),
    })).e;
    const env = { a: 0.3, b: -1.7, c: 2.9 };
    const evaluate = (e: Expr): number => {
      switch (e.k) {
        case "num":
          return e.value;
        case "id":
          return env[e.name as "a"];
        case "bin": {
          const x = evaluate(e.a);
          const y = evaluate(e.b);
          return e.op === "+" ? x + y : e.op === "-" ? x - y : e.op === "*" ? x * y : x / y;
        }
        case "neg":
          return -evaluate(e.a);
        case "call":
          return Math.sqrt(evaluate(e.args[0]!));
        default:
          throw new Error("not generated");
      }
    };
    fc.assert(
      fc.property(tree, (e) => {
        const text = printExpr(e, ts);
        const got = new Function("a", "b", "c", `return ${text};`)(env.a, env.b, env.c) as number;
        return Object.is(got, evaluate(e)) || (Number.isNaN(got) && Number.isNaN(evaluate(e)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("the WGSL back end's layout", () => {
  it("one shader per flag combination, binding only the buffers that combination uses", () => {
    const adam = WGSL_KERNELS.adamUpdate!;
    assert.deepEqual(adam.flags, ["amsgrad", "maximize", "flushSubnormals"]);
    const [update] = adam.passes;
    assert.equal(update!.variants.length, 8);
    const names = (bits: number) => update!.variants[bits]!.bindings.map((b) => `${b.name}:${b.access}`);
    // bit 0 = amsgrad
    assert.ok(names(1).includes("maxExpAvgSq:read_write"));
    assert.ok(!names(0).some((b) => b.startsWith("maxExpAvgSq")));
    assert.ok(names(0).includes("grad:read"));
    // the gate, then clipGradNorm's [total, coef] (clippedStep), then the uniform
    assert.deepEqual(names(0).slice(-2), ["gate:read", "clip:read"]);
    assert.match(update!.variants[0]!.code, /@group\(0\) @binding\(6\) var<uniform> u: Params;/);
    assert.match(update!.variants[0]!.code, /clipped\(grad\[i\]\)/);
    const code = update!.variants[0]!.code.replace(/^\/\/.*$/gm, ""); // the header comment names the flags
    assert.doesNotMatch(code, /maxExpAvgSq|amsgrad|maximize|flushSubnormals/);
  });

  it("lays the uniform out as (n, base, scalars in the rule's order), padded to 16 bytes", () => {
    for (const k of Object.values(WGSL_KERNELS)) {
      assert.equal(k.uniformSize % 16, 0);
      assert.ok(k.uniformSize >= 8 + 4 * k.scalars.length);
      const fields = /struct Params \{([^}]*)\}/.exec(k.passes[0]!.variants[0]!.code)![1]!;
      const names = [...fields.matchAll(/(\w+): (u32|f32)/g)].map((m) => m[1]);
      assert.deepEqual(names, ["n", "base", ...k.scalars], k.rule);
    }
  });

  it("compiles a rule with a reduction loop to partials, finish and update passes", () => {
    const lamb = WGSL_KERNELS.lambUpdate!;
    assert.deepEqual(
      lamb.passes.map((p) => `${p.name}/${p.dispatch}`),
      ["partials/blocks", "finish/single", "update/elements"],
    );
    assert.equal(lamb.reductions, 2);
    assert.equal(lamb.results, 1);
    const update = lamb.passes[2]!.variants[0]!;
    assert.match(update.code, /let stepSize = results\[0\];/);
    assert.ok(update.bindings.some((b) => b.name === "results" && b.access === "read"));
  });
});
