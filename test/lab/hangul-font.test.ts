import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { describe, test } from "node:test";
import { Resvg } from "@resvg/resvg-js";
import {
  FIGURE_TEXT,
  HANGUL_BOLD_FONT_FILE,
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

/** Dark pixels of `text` drawn by resvg with only the shipped fonts (no system fonts). */
function inkOf(text: string, weight = "normal", files = [HANGUL_FONT_FILE, HANGUL_BOLD_FONT_FILE]): number {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="4" y="30" font-family="Descent Hangul" font-size="24" font-weight="${weight}">${text}</text></svg>`;
  const image = new Resvg(svg, {
    background: "white",
    font: { loadSystemFonts: false, fontFiles: files, defaultFontFamily: "Descent Hangul" },
  }).render();
  let ink = 0;
  for (let i = 0; i < image.pixels.length; i += 4) if (image.pixels[i]! < 128) ink++;
  return ink;
}

describe("the shipped Hangul font", () => {
  test("is a small subset in two weights, shipped with its licence", () => {
    for (const file of [HANGUL_FONT_FILE, HANGUL_BOLD_FONT_FILE]) {
      assert.ok(existsSync(file), file);
      assert.ok(statSync(file).size < 1_000_000, file);
    }
    assert.ok(existsSync(new URL("../../fonts/OFL.txt", import.meta.url)));
  });

  test("draws Hangul in a PNG without any system font, and draws nothing for a syllable it lacks", () => {
    assert.ok(inkOf("가나다") > 50);
    // 똠 is not among KS X 1001's 2,350 syllables, so the subset has no glyph for it
    assert.equal(inkOf("똠"), 0);
  });

  test("bold text takes the bold weight: heavier strokes than the regular, the same glyphs", () => {
    const text = "지수 가중";
    const regular = inkOf(text);
    const bold = inkOf(text, "bold");
    assert.ok(bold > 1.15 * regular, `bold ${bold} vs regular ${regular} dark pixels`);
    // with only the Regular file, bold falls back to it (what figures got before the Bold weight)
    const synthesized = inkOf(text, "bold", [HANGUL_FONT_FILE]);
    assert.ok(bold > synthesized, `bold ${bold} vs bold from the Regular file ${synthesized}`);
    assert.equal(inkOf("똠", "bold"), 0);
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
