// What the commands write: text tables, numbers, JSON, and figures as .svg or .png files.

import { writeFileSync } from "node:fs";
import { extname } from "node:path";
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

export async function writeFigure(path: string, svg: string): Promise<void> {
  if (figureFormat(path) === "svg") writeFileSync(path, svg);
  else writeFileSync(path, await svgToPng(svg));
}

/** Fixed-width text table: the first column left-aligned, the rest right-aligned. */
export function formatTable(columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(columns), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export const num = (v: number) =>
  !Number.isFinite(v)
    ? String(v)
    : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)
      ? v.toExponential(3)
      : v.toFixed(4);

export const json = (value: unknown) =>
  `${JSON.stringify(value, (_k, v) => (v instanceof Float64Array ? Array.from(v) : typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 2)}\n`;
