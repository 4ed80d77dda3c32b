import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { describe, test } from "node:test";
import { Resvg } from "@resvg/resvg-js";
import {
  FIGURE_TEXT,
  HANGUL_FONT_FILE,
  outcomeText,
  REPORT_TEXT,
  surfaceText,
  testFunctions,
} from "../../src/lab/index.js";
import { leastSquares } from "../../src/lab/stochastic.js";

/** Every string a function table yields, calling each function with sample arguments. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "function") return strings((value as (...a: unknown[]) => unknown)(1, 2, 3));
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

const HANGUL = /[\uac00-\ud7a3]/g;

/** Dark pixels of `text` drawn by resvg with only the shipped font (no system fonts). */
function inkOf(text: string): number {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="4" y="30" font-family="Descent Hangul" font-size="24">${text}</text></svg>`;
  const image = new Resvg(svg, {
    background: "white",
    font: { loadSystemFonts: false, fontFiles: [HANGUL_FONT_FILE], defaultFontFamily: "Descent Hangul" },
  }).render();
  let ink = 0;
  for (let i = 0; i < image.pixels.length; i += 4) if (image.pixels[i]! < 128) ink++;
  return ink;
}

describe("the shipped Hangul font", () => {
  test("is a small subset, shipped with its licence", () => {
    assert.ok(existsSync(HANGUL_FONT_FILE));
    assert.ok(statSync(HANGUL_FONT_FILE).size < 1_000_000);
    assert.ok(existsSync(new URL("../../fonts/OFL.txt", import.meta.url)));
  });

  test("draws Hangul in a PNG without any system font, and draws nothing for a syllable it lacks", () => {
    assert.ok(inkOf("가나다") > 50);
    // 똠 is not among KS X 1001's 2,350 syllables, so the subset has no glyph for it
    assert.equal(inkOf("똠"), 0);
  });

  test("covers every Hangul syllable the figures and the report use (KS X 1001's 2,350)", () => {
    const ksx = new Set<string>();
    const decoder = new TextDecoder("euc-kr");
    for (let row = 0xb0; row <= 0xc8; row++) {
      for (let col = 0xa1; col <= 0xfe; col++) ksx.add(decoder.decode(new Uint8Array([row, col])));
    }
    assert.equal(ksx.size, 2350);
    const texts = [
      ...strings(FIGURE_TEXT.ko),
      ...strings(REPORT_TEXT.ko),
      ...(["converged", "diverged", "plateau", "local-minimum", "saddle", "moving"] as const).map((o) =>
        outcomeText(o, "ko"),
      ),
      ...[...testFunctions, leastSquares()].flatMap((fn) => strings(surfaceText(fn, "ko"))),
    ];
    const missing = new Set(
      texts
        .join("")
        .match(HANGUL)
        ?.filter((c) => !ksx.has(c)),
    );
    assert.deepEqual([...missing], []);
  });
});
