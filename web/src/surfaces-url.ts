// The surfaces panel's state in the URL: the surface (or formula and range), the enabled optimizers with
// their lr and non-default options, the start, steps and speed, and whether they step on the GPU. Anything
// missing or invalid reads as its default.

import { testFunctions } from "../../src/lab/functions.js";
import { defaultLr, defaultValues, optimizerSpec } from "./optimizer-catalog.js";
import {
  DEFAULT_DOMAIN,
  DEFAULT_FORMULA,
  DEFAULT_OPTIMIZERS,
  SPEEDS,
  type SurfacesControls,
} from "./surfaces-controls.js";
import { decodeItems, encodeItems, formatNumber, type Item, readNumber, readPair } from "./url-state.js";

/** Writes the controls' state into the URL parameters. */
export function writeSurfacesState(c: SurfacesControls, params: URLSearchParams): void {
  const name = c.fnSelect.value;
  params.set("fn", name);
  if (name === "custom") {
    params.set("f", c.formula.value);
    params.set("xr", `${c.range.x0.value},${c.range.x1.value}`);
    params.set("yr", `${c.range.y0.value},${c.range.y1.value}`);
  }
  const items = c.rows
    .filter((row) => row.enabled.checked)
    .map((row) => {
      const values: Record<string, string> = { lr: row.lr.value };
      for (const o of row.spec.options) {
        const input = row.inputs.get(o.key)!;
        const value = o.kind === "boolean" ? (input.checked ? "1" : "0") : input.value;
        const isDefault = o.kind === "boolean" ? input.checked === o.default : Number(value) === o.default;
        if (!isDefault) values[o.key] = value;
      }
      return { id: row.spec.id, values };
    });
  params.set("opt", encodeItems(items));
  params.set("start", `${c.startX.value},${c.startY.value}`);
  params.set("steps", c.steps.value);
  params.set("speed", c.speed.value);
  if (c.gpu.checked) params.set("gpu", "1");
  else params.delete("gpu");
}

/**
 * Sets the controls from URL parameters; returns the start read (null when absent or invalid: the panel
 * then takes the surface's default start).
 */
export function readSurfacesState(
  c: SurfacesControls,
  params: URLSearchParams,
): { start: [number, number] | null } {
  const name = params.get("fn");
  const known = name === "custom" || testFunctions.some((fn) => fn.name === name);
  c.fnSelect.value = known && name !== null ? name : testFunctions[0]!.name;
  if (c.fnSelect.value === "custom") {
    c.formula.value = params.get("f") ?? DEFAULT_FORMULA;
    const xr = readPair(params.get("xr")) ?? DEFAULT_DOMAIN.x;
    const yr = readPair(params.get("yr")) ?? DEFAULT_DOMAIN.y;
    c.range.x0.value = formatNumber(xr[0]);
    c.range.x1.value = formatNumber(xr[1]);
    c.range.y0.value = formatNumber(yr[0]);
    c.range.y1.value = formatNumber(yr[1]);
  }
  const fn = testFunctions.find((f) => f.name === c.fnSelect.value);
  const suggested = fn ?? { suggestedLr: { sgd: 0.01, adaptive: 0.05 } };
  const items: Item[] = params.has("opt")
    ? decodeItems(params.get("opt"))
    : DEFAULT_OPTIMIZERS.map((id) => ({ id, values: {} }));
  for (const row of c.rows) {
    const item = items.find((it) => it.id === row.spec.id && optimizerSpec(it.id) !== undefined);
    row.enabled.checked = item !== undefined;
    const lr = readNumber(item?.values.lr, Number.NaN, { min: 0 });
    row.lr.value = String(Number.isNaN(lr) ? defaultLr(row.spec, suggested) : lr);
    const defaults = defaultValues(row.spec);
    for (const o of row.spec.options) {
      const input = row.inputs.get(o.key)!;
      const text = item?.values[o.key];
      if (o.kind === "boolean") input.checked = text === undefined ? o.default : text === "1";
      else input.value = String(readNumber(text, defaults[o.key] as number));
    }
  }
  const start = readPair(params.get("start"));
  c.startX.value = start === null ? "" : formatNumber(start[0]);
  c.startY.value = start === null ? "" : formatNumber(start[1]);
  c.steps.value = String(readNumber(params.get("steps"), 300, { min: 1, max: 5000, integer: true }));
  const speed = readNumber(params.get("speed"), 2);
  c.speed.value = String(SPEEDS.includes(speed) ? speed : 2);
  c.gpu.checked = params.get("gpu") === "1";
  return { start };
}
