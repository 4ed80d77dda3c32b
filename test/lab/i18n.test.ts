import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkLang,
  LANGS,
  outcomeText,
  race,
  raceOptimizer,
  testFunctions,
  type Verdict,
  verdictText,
} from "../../src/lab/index.js";

/** The numbers a sentence prints, sorted (the same run must print the same ones in every language). */
const numbersOf = (text: string) => (text.match(/-?\d+(?:\.\d+)?(?:e[+-]\d+)?|NaN|-?Infinity/g) ?? []).sort();

/** One verdict of every kind, with numbers that differ so a swapped field shows. */
const EVERY_KIND: readonly Verdict[] = [
  { kind: "non-finite", loss: Number.NaN, step: 17 },
  { kind: "unbounded", at: { x: 1e5, y: -3.25 }, loss: -4e9, steps: 300 },
  { kind: "blew-up", at: { x: 2e6, y: 7 }, loss: 5.5e12, step: 41 },
  { kind: "global-minimum", minimum: { x: 1, y: 1, f: 0, global: true }, tolerance: 0.001 },
  { kind: "local-minimum", minimum: { x: -0.995, y: 0, f: 0.995, global: false }, aboveGlobal: 0.995 },
  { kind: "left-domain", by: 12.5, startLoss: 3, loss: 88 },
  { kind: "flat", at: { x: -2.5, y: 0.25 }, gradNorm: 2e-7, path: 3e-6, window: 30 },
  { kind: "saddle", at: { x: 0.0001, y: 0 }, gradNorm: 3e-5, curvatures: [-2, 2.5] },
  { kind: "stopped-minimum", at: { x: 3, y: 2.5 }, loss: 0.125, aboveGlobal: 0.0625, gradNorm: 4e-6 },
  { kind: "stopped-minimum", at: { x: 3, y: 2.5 }, loss: 0.125, aboveGlobal: null, gradNorm: 4e-6 },
  { kind: "stalled", at: { x: 0.5, y: -0.75 }, path: 2e-5, window: 20, gradNorm: 0.0125 },
  { kind: "oscillating", at: { x: 1.5, y: 2 }, path: 3.25, net: 0.125, window: 40, loss: 0.75 },
  { kind: "moving", steps: 200, drop: 0.375, window: 20, loss: 1.25 },
  { kind: "moving", steps: 200, drop: -0.375, window: 20, loss: 1.25 },
];

describe("i18n", () => {
  test("checkLang accepts en and ko and names a bad value", () => {
    assert.deepEqual(LANGS.map(checkLang), ["en", "ko"]);
    assert.throws(() => checkLang("fr"), /unknown language "fr"; valid languages: en, ko/);
  });

  test("verdictText words every case in both languages with the verdict's own numbers", () => {
    for (const verdict of EVERY_KIND) {
      const en = verdictText(verdict, "en");
      const ko = verdictText(verdict, "ko");
      assert.equal(verdictText(verdict), en);
      assert.deepEqual(numbersOf(ko), numbersOf(en), `${en} / ${ko}`);
      assert.ok(numbersOf(en).length >= 1, en);
      assert.match(ko, /[\uac00-\ud7a3]/, ko);
      assert.doesNotMatch(en, /[\uac00-\ud7a3]/, en);
    }
    // the direction of a loss change is said, not only its size
    const [fell, rose] = EVERY_KIND.slice(-2).map((v) => verdictText(v, "ko"));
    assert.match(fell!, /줄었고/);
    assert.match(rose!, /늘었고/);
    // different verdicts never read the same
    for (const lang of LANGS) {
      assert.equal(new Set(EVERY_KIND.map((v) => verdictText(v, lang))).size, EVERY_KIND.length, lang);
    }
  });

  test("a race's reason is its verdict in English, and its Korean carries the same numbers", () => {
    const kinds = new Set<string>();
    for (const fn of testFunctions) {
      const result = race(
        fn,
        ["sgd", "momentum", "adam"].map((n) => raceOptimizer(n, fn)),
        { steps: 150 },
      );
      for (const run of result.runs) {
        const { verdict, reason, outcome } = run.summary;
        kinds.add(verdict.kind);
        assert.equal(reason, verdictText(verdict, "en"));
        const ko = verdictText(verdict, "ko");
        assert.deepEqual(numbersOf(ko), numbersOf(reason), `${fn.name} ${run.label}: ${reason} / ${ko}`);
        assert.ok(outcomeText(outcome, "ko").length > 0);
      }
    }
    // the surfaces between them reach several of the judge's cases
    assert.ok(kinds.size >= 3, [...kinds].join(", "));
  });
});
