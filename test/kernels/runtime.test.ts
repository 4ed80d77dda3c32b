import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allocBuffer, type Buffer, currentBuffer } from "../../src/core/arena.js";
import { KERNEL_TABLE } from "../../src/kernels/generated/kernels-wasm.js";
import * as reference from "../../src/kernels/generated/reference-f32.js";
import { kernels, kernelsAvailable, setKernelMode } from "../../src/kernels/runtime.js";

type AnyFn = (...args: unknown[]) => void;

/** Deterministic uniform numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Equal bit for bit, except that any NaN equals any NaN (wasm leaves a NaN's sign unspecified). */
function assertSameBits(actual: Buffer, expected: Buffer, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    if (!Object.is(a, e)) assert.fail(`${what}: element ${i} is ${a}, expected ${e}`);
  }
}

const bufferNames = (kinds: string): number => [...kinds].filter((k) => k === "b").length;

const entryOf = (rule: string) => KERNEL_TABLE.find((e) => e.rule === rule)!;

/** The rule's argument kinds in order (n, then each group's members): what makeCase fills. */
const ruleKinds = (rule: string): string =>
  `n${entryOf(rule)
    .groups.map((g) => g.kind[0]!.repeat(g.names.length))
    .join("")}`;

/** Positional arguments [n, a, b, …] as the rule's grouped call [n, { a, b }, { … }, …]. */
function grouped(rule: string, args: readonly unknown[]): unknown[] {
  const out: unknown[] = [args[0]];
  let j = 1;
  for (const g of entryOf(rule).groups) {
    out.push(Object.fromEntries(g.names.map((name) => [name, args[j++]])));
  }
  return out;
}

/** Arguments for one call: arena buffers (kernel path) and plain copies (reference path). */
function makeCase(kinds: string, n: number, dtype: "float32" | "float64", flagBits: number, seed: number) {
  const random = rng(seed);
  const inArena: unknown[] = [n];
  const plain: unknown[] = [n];
  let b = 0;
  let f = 0;
  for (const kind of kinds.slice(1)) {
    if (kind === "b") {
      const a = allocBuffer(n, dtype);
      // the param and grad are signed; state buffers are non-negative (second moments, sums, step sizes)
      for (let i = 0; i < n; i++) a[i] = b < 2 ? random() * 2 - 1 : random();
      if (b === 0 && n > 3) a[3] = 0; // exercise ±0 and exact zeros (Math.sign, s === 0 in Rprop)
      inArena.push(a);
      plain.push(a.slice());
      b++;
    } else if (kind === "f") {
      const flag = ((flagBits >> f++) & 1) === 1;
      inArena.push(flag);
      plain.push(flag);
    } else {
      const x = 0.05 + random() * 0.9;
      inArena.push(x);
      plain.push(x);
    }
  }
  // a later allocation may have grown the memory, detaching the views made before it
  for (let i = 0; i < inArena.length; i++) {
    const a = inArena[i];
    if (a instanceof Float32Array || a instanceof Float64Array) inArena[i] = currentBuffer(a);
  }
  return { inArena, plain };
}

describe("the WebAssembly SIMD kernels", () => {
  it("load in Node (WebAssembly memory and wasm SIMD are available)", () => {
    assert.equal(kernelsAvailable(), true);
    assert.notEqual(kernels(), null);
  });

  for (const entry of KERNEL_TABLE) {
    const flags = [...entry.kinds].filter((k) => k === "f").length;
    const oracle =
      entry.dtype === "float32"
        ? `the float32 reference with Math.fround at every operation (${entry.rule}F32)`
        : `the TypeScript rule ${entry.rule}`;
    it(`${entry.name} matches ${oracle} bit for bit, and the JS fallback matches the rule, for every flag combination and lengths with SIMD tails`, async () => {
      const dispatch = (await import(`../../src/kernels/generated/${entry.file}.js`)) as Record<
        string,
        AnyFn
      >;
      const run = dispatch[`run${entry.rule[0]!.toUpperCase()}${entry.rule.slice(1)}`]!;
      const rule =
        entry.dtype === "float32"
          ? (reference as unknown as Record<string, AnyFn>)[`${entry.rule}F32`]!
          : ((await import(`../../src/optim/${entry.file}.js`)) as Record<string, AnyFn>)[entry.rule]!;
      const tsRule = ((await import(`../../src/optim/${entry.file}.js`)) as Record<string, AnyFn>)[
        entry.rule
      ]!;
      const copy = (args: unknown[]) => args.map((x) => (ArrayBuffer.isView(x) ? (x as Buffer).slice() : x));
      for (let bits = 0; bits < 1 << flags; bits++) {
        for (const n of [0, 1, 3, 5, 8, 17, 1031]) {
          const { inArena, plain } = makeCase(ruleKinds(entry.rule), n, entry.dtype, bits, 1000 * bits + n);
          // the fallback: plain arrays (not in the arena) through the dispatcher, against the rule itself
          const fallback = copy(plain);
          const ruleArgs = copy(plain);
          // three steps, so state written by one step is read by the next
          for (let step = 0; step < 3; step++) {
            run(...grouped(entry.rule, inArena));
            rule(...grouped(entry.rule, plain));
            run(...grouped(entry.rule, fallback));
            tsRule(...grouped(entry.rule, ruleArgs));
          }
          for (let j = 1; j < inArena.length; j++) {
            if (ArrayBuffer.isView(inArena[j])) {
              const what = `${entry.name} flags=${bits} n=${n} arg ${j}`;
              assertSameBits(inArena[j] as Buffer, plain[j] as Buffer, what);
              assertSameBits(fallback[j] as Buffer, ruleArgs[j] as Buffer, `${what} (JS fallback)`);
            }
          }
        }
      }
      assert.ok(bufferNames(entry.kinds) >= 2);
    });
  }

  it("a float32 kernel step differs from the float64-math TypeScript rule only by float32 rounding", async () => {
    const { runAdamUpdate } = await import("../../src/kernels/generated/adam.js");
    const { adamUpdate } = await import("../../src/optim/adam.js");
    const { inArena, plain } = makeCase(ruleKinds("adamUpdate"), 4099, "float32", 0, 7);
    (runAdamUpdate as AnyFn)(...grouped("adamUpdate", inArena));
    (adamUpdate as AnyFn)(...grouped("adamUpdate", plain));
    const k = inArena[1] as Float32Array;
    const t = plain[1] as Float32Array;
    let differ = 0;
    for (let i = 0; i < k.length; i++) {
      if (k[i] !== t[i]) differ++;
      assert.ok(Math.abs(k[i]! - t[i]!) <= 1e-6 * Math.max(1, Math.abs(t[i]!)), `element ${i}`);
    }
    // the two executors really are different arithmetic, so the bit-for-bit tests above compare the right things
    assert.ok(differ > 0);
  });

  it("falls back to the TypeScript rule when a buffer is outside the arena, of another dtype, or too short", async () => {
    const { runSgdUpdate } = await import("../../src/kernels/generated/sgd.js");
    const { sgdUpdate } = await import("../../src/optim/sgd.js");
    const n = 37;
    const cases: Array<(p: Buffer, g: Buffer, m: Buffer) => [Buffer, Buffer, Buffer]> = [
      (p, g, m) => [p, new Float32Array(g), m], // grad not in the arena
      (p, g, m) => [p, g, new Float32Array(m.length + 5).subarray(0, m.length)], // a plain view
      (p, g, _m) => [p, g, allocBuffer(n - 1, "float32")], // shorter than n: never handed to wasm
    ];
    for (const make of cases) {
      const { inArena } = makeCase(ruleKinds("sgdUpdate"), n, "float32", 0, 3);
      const [p, g, m] = make(inArena[1] as Buffer, inArena[2] as Buffer, inArena[3] as Buffer);
      const expected = [p.slice(), g.slice(), m.slice()] as const;
      const args = [n, p, g, m, true, false, false, false, 0.1, 0.9, 0, 0.01];
      (runSgdUpdate as AnyFn)(...grouped("sgdUpdate", args));
      (sgdUpdate as AnyFn)(...grouped("sgdUpdate", [n, ...expected, ...args.slice(4)]));
      assertSameBits(p, expected[0], "param");
      assertSameBits(m, expected[2], "momentum buffer");
    }
  });

  it("setKernelMode('typescript') makes arena buffers take the TypeScript rule, and rejects unknown modes", async () => {
    const { runAdagradUpdate } = await import("../../src/kernels/generated/adagrad.js");
    const { adagradUpdate } = await import("../../src/optim/adagrad.js");
    const { inArena, plain } = makeCase(ruleKinds("adagradUpdate"), 1000, "float32", 0, 11);
    setKernelMode("typescript");
    try {
      assert.equal(kernels(), null);
      (runAdagradUpdate as AnyFn)(...grouped("adagradUpdate", inArena));
    } finally {
      setKernelMode("auto");
    }
    (adagradUpdate as AnyFn)(...grouped("adagradUpdate", plain));
    assertSameBits(inArena[1] as Buffer, plain[1] as Buffer, "param");
    assert.throws(() => setKernelMode("fast" as never), /expected "auto" or "typescript", got fast/);
  });
});
