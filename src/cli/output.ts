// What the commands write: text tables, numbers, JSON, and figures as .svg or .png files.

import { extname } from "node:path";
import { bareNumber } from "../core/json-number.js";
import { checkOutputFile, writeOutputFile } from "../lab/output-path.js";
import { svgToPng } from "../lab/render.js";
import { UsageError } from "./args.js";

export interface CliIO {
  stdout: { write(s: string): boolean; isTTY?: boolean };
  stderr: { write(s: string): boolean; isTTY?: boolean; columns?: number };
}

export function figureFormat(path: string): "svg" | "png" {
  const ext = extname(path).toLowerCase();
  if (ext === ".svg") return "svg";
  if (ext === ".png") return "png";
  throw new UsageError(`--out must end in .svg or .png, got ${JSON.stringify(path)}`);
}

/** Checks, before any work, that a figure can be written at `path` (.svg or .png, a writable place). */
export function checkFigurePath(path: string, flag = "--out"): void {
  figureFormat(path);
  checkOutputFile(path, flag);
}

/** `race.svg` with suffix `-bias` → `race-bias.svg`. */
export function withSuffix(path: string, suffix: string): string {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}${suffix}${ext}`;
}

export async function writeFigure(path: string, svg: string, flag = "--out"): Promise<void> {
  writeOutputFile(path, figureFormat(path) === "svg" ? svg : await svgToPng(svg), flag);
}

/** East Asian wide characters (Hangul, CJK, full-width forms) take two terminal columns. */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

/**
 * How many terminal columns `text` takes: two per wide character, one per other code point.
 * @example
 * displayWidth("loss"); // → 4
 * displayWidth("결과"); // → 4
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += WIDE.test(ch) ? 2 : 1;
  return width;
}

const padEnd = (text: string, width: number) => text + " ".repeat(Math.max(0, width - displayWidth(text)));
const padStart = (text: string, width: number) => " ".repeat(Math.max(0, width - displayWidth(text))) + text;

/** Fixed-width text table: the first column left-aligned, the rest right-aligned (Hangul counts double). */
export function formatTable(columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths = columns.map((c, i) =>
    Math.max(displayWidth(c), ...rows.map((r) => displayWidth(r[i] ?? ""))),
  );
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? padEnd(c, widths[i]!) : padStart(c, widths[i]!))).join("  ");
  return [line(columns), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export const num = (v: number) =>
  !Number.isFinite(v)
    ? String(v)
    : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)
      ? v.toExponential(3)
      : v.toFixed(4);

export const json = (value: unknown) =>
  `${JSON.stringify(value, (_k, v) => (v instanceof Float64Array ? Array.from(v) : typeof v === "number" ? bareNumber(v) : v), 2)}\n`;
