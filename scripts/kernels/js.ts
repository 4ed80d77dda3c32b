// The TypeScript back end: per rule, the float64 JS executor (one loop per flag combination, the rule's
// operations in its order: bit-identical to it), the float32 reference (Math.fround after every operation:
// what the f32x4 kernel computes) and the dispatcher that picks the wasm kernel or the JS executor.

import { foldStmts } from "./fold.js";
import { flagCombinations, flagsOf, type Group, type Rule, type Stmt } from "./ir.js";
import { jsNumber, printExpr, type Syntax } from "./print.js";
import { kernelArgs } from "./wat.js";

const F64: Syntax = {
  lang: "ts",
  num: jsNumber,
  id: (name) => name,
  local: (name) => name,
  load: (buf) => `${buf}[i]!`,
};

/** The float32 reference's spelling: scalars rounded once (`f_lr`), every operation rounded. */
const f32Syntax = (flags: ReadonlySet<string>): Syntax => ({
  lang: "ts",
  num: (v) => jsNumber(Math.fround(v)),
  id: (name) => (flags.has(name) ? name : `f_${name}`),
  local: (name) => name,
  load: (buf) => `${buf}[i]!`,
  round: (inner) => `f(${inner})`,
});

function statements(list: readonly Stmt[], syntax: Syntax, indent: string): string[] {
  const out: string[] = [];
  const p = (e: Parameters<typeof printExpr>[0]) => printExpr(e, syntax);
  for (const s of list) {
    switch (s.k) {
      case "decl":
        out.push(`${indent}${s.mutable ? "let" : "const"} ${s.name} = ${p(s.e)};`);
        break;
      case "assign":
        out.push(`${indent}${s.name} = ${p(s.e)};`);
        break;
      case "store":
        out.push(`${indent}${s.buf}[i] = ${p(s.e)};`);
        break;
      case "accum":
        out.push(
          s.op === "sum"
            ? `${indent}${s.name} += ${p(s.e)};`
            : `${indent}${s.name} = Math.max(${s.name}, ${p(s.e)});`,
        );
        break;
      case "if":
        out.push(`${indent}if (${p(s.c)}) {`, ...statements(s.yes, syntax, `${indent}  `));
        if (s.no.length > 0) out.push(`${indent}} else {`, ...statements(s.no, syntax, `${indent}  `));
        out.push(`${indent}}`);
    }
  }
  return out;
}

/** `for` loops over `body`, one per flag combination, nested in `if`s on the flags (V8 does not unswitch). */
function unswitched(rule: Rule, body: readonly Stmt[], indent: string): string[] {
  const flags = flagsOf(rule);
  const loops = flagCombinations(flags).map((known) => foldStmts(body, known));
  const tree = (i: number, at: number, ind: string): string[] => {
    if (i === flags.length)
      return [`${ind}for (let i = 0; i < n; i++) {`, ...statements(loops[at]!, F64, `${ind}  `), `${ind}}`];
    const half = 1 << (flags.length - i - 1);
    return [
      `${ind}if (${flags[i]}) {`,
      ...tree(i + 1, at, `${ind}  `),
      `${ind}} else {`,
      ...tree(i + 1, at + half, `${ind}  `),
      `${ind}}`,
    ];
  };
  return tree(0, 0, indent);
}

const destructured = (g: Group, type = g.type): string =>
  `{ ${g.members.map((m) => m.name).join(", ")} }: ${type}`;

function signature(rule: Rule, f32 = false): string {
  const groups = rule.groups.map((g) =>
    destructured(g, f32 && g.kind === "buffer" ? `Float32Buffers<${g.type}>` : g.type),
  );
  return `\n  ${["n: number", ...groups].join(",\n  ")},\n`;
}

/** The reduction loop and the constants after it, in float64 as the rule (shared by every executor). */
function reductionCode(rule: Rule, indent: string): string[] {
  if (rule.reduce.length === 0) return [];
  return [
    ...rule.reductions.map((r) => `${indent}let ${r.name} = 0;`),
    ...unswitched(rule, rule.reduce, indent),
    ...rule.mid.map((c) => `${indent}const ${c.name} = ${printExpr(c.e, F64)};`),
  ];
}

const pascal = (fn: string): string => fn[0]!.toUpperCase() + fn.slice(1);

/** The float64 JS executor: the rule with its flags folded per loop. */
function executor(rule: Rule): string {
  return `/**
 * ${rule.fn} as JavaScript with each flag combination in its own loop: the same float64 operations in the
 * same order as the rule (bit-identical for either dtype), without per-element tests of the flags.
 */
export function ${rule.fn}Js(${signature(rule)}): void {
${[
  ...rule.pre.map((c) => `  const ${c.name} = ${printExpr(c.e, F64)};`),
  ...reductionCode(rule, "  "),
  ...unswitched(rule, rule.body, "  "),
].join("\n")}
}
`;
}

/** The float32 reference: every operation rounded to float32, flags tested in the loop (it is an oracle). */
export function reference(rule: Rule): string {
  const F32 = f32Syntax(new Set(flagsOf(rule)));
  const rounded = rule.params
    .filter((p) => p.kind === "scalar")
    .map((p) => `  const f_${p.name} = f(${p.name});`);
  const mids = rule.mid.map((c) => `  const f_${c.name} = f(${c.name});`);
  const note = rule.reduce.length
    ? " The reduction loop runs in float64 as the rule (as the dispatcher runs it before the kernel)."
    : "";
  return `/** ${rule.fn} over float32 buffers, rounded to float32 after every operation (the f32x4 kernel's arithmetic).${note} */
export function ${rule.fn}F32(${signature(rule, true)}): void {
${[
  ...rounded,
  ...reductionCode(rule, "  "),
  ...mids,
  ...rule.pre.map((c) => `  const f_${c.name} = ${printExpr(c.e, F32)};`),
  "  for (let i = 0; i < n; i++) {",
  ...statements(rule.body, F32, "    "),
  "  }",
].join("\n")}
}
`;
}

/** The dispatcher file of one rule: the JS executor and `run<Rule>`. */
export function dispatcher(rule: Rule, ids: { f32: number; f64: number }): string {
  const buffers = rule.groups.filter((g) => g.kind === "buffer").flatMap((g) => g.members.map((m) => m.name));
  const args = kernelArgs(rule);
  const value = (p: { name: string; kind: string }): string =>
    p.kind === "buffer" ? `${p.name}.byteOffset` : p.kind === "flag" ? `${p.name} ? 1 : 0` : p.name;
  const call = args.map(value).join(", ");
  const slots = args.map((p, j) => `a[${j}] = ${value(p)};`).join("\n        ");
  const groupNames = rule.groups.map((g) =>
    g.kind === "buffer" ? "buffers" : g.kind === "flag" ? "flags" : "scalars",
  );
  const used = new Set(args.map((p) => p.name));
  const unpack = rule.groups
    .filter((g) => g.kind !== "buffer")
    .map((g, j) => {
      const names = g.members.map((m) => m.name).filter((m) => used.has(m) || rule.reduce.length > 0);
      void j;
      return names.length
        ? `      const { ${names.join(", ")} } = ${g.kind === "flag" ? "flags" : "scalars"};`
        : "";
    })
    .filter(Boolean);
  const types = rule.groups.map((g) => g.type).join(", ");
  const sig = ["n: number", ...rule.groups.map((g, j) => `${groupNames[j]}: ${g.type}`)].join(", ");
  const reduction = rule.reduce.length
    ? [
        ...rule.pre.map((c) => `      const ${c.name} = ${printExpr(c.e, F64)};`),
        ...reductionCode(rule, "      "),
      ]
    : [];
  return `// Generated by scripts/build-kernels.ts from src/optim/${rule.file}.ts: do not edit.
import type { ${types} } from "../../optim/${rule.file}.js";
import { kernels, resident32, resident64 } from "../runtime.js";

${executor(rule)}
/**
 * Runs ${rule.fn} (src/optim/${rule.file}.ts) with the WebAssembly SIMD kernel when every buffer lives in
 * the arena (float32: f32x4 arithmetic; float64: f64x2, bit-identical to the rule), else with
 * ${rule.fn}Js above (bit-identical to the rule for either dtype).${rule.reduce.length ? "\n * The reduction loop runs in float64 JS either way (as the rule), then the kernel." : ""}
 */
export function run${pascal(rule.fn)}(${sig}): void {
  const k = kernels();
  if (k !== null) {
    const { ${buffers.join(", ")} } = buffers;
    const f32 = ${buffers.map((b) => `resident32(${b}, n)`).join(" && ")};
    if (f32 || (${buffers.map((b) => `resident64(${b}, n)`).join(" && ")})) {
${[...unpack, ...reduction].join("\n")}
      if (k.pool !== null && n >= k.pool.minElements) {
        const a = k.pool.args;
        ${slots}
        k.pool.run(f32 ? ${ids.f32} : ${ids.f64}, n);
      } else if (f32) k.exports.${rule.fn}_f32(n, ${call});
      else k.exports.${rule.fn}_f64(n, ${call});
      return;
    }
  }
  ${rule.fn}Js(n, ${groupNames.join(", ")});
}
`;
}
