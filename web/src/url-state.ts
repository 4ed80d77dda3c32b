// The lab's view in the URL hash, so a view can be shared: `#tab=surfaces&fn=rosenbrock&opt=adam(lr=0.05)`.
// Lists of configured items (optimizers, schedulers) are written `id(key=value;key=value),id2(...)`.
// Reading never throws: a malformed or out-of-range value falls back to the panel's default.

/** One configured item: an id and its option values as written in the URL. */
export interface Item {
  readonly id: string;
  readonly values: Readonly<Record<string, string>>;
}

const ID = /^[a-z][a-z0-9-]*$/i;
const KEY = /^[a-z][a-z0-9]*$/i;

/** Formats a number for the URL: short, and read back exactly. */
export function formatNumber(v: number): string {
  const short = Number(v.toPrecision(12));
  return String(short === v ? short : v);
}

/** encodeURIComponent leaves parentheses alone; the item syntax needs them escaped too. */
const escapeValue = (v: string) => encodeURIComponent(v).replace(/\(/g, "%28").replace(/\)/g, "%29");

/**
 * Writes items as `id(key=value;…),…`; values are URI-encoded.
 * @example
 * encodeItems([{ id: "adam", values: { lr: "0.05" } }, { id: "sgd", values: {} }]); // "adam(lr=0.05),sgd"
 */
export function encodeItems(items: readonly Item[]): string {
  return items
    .map((item) => {
      const pairs = Object.entries(item.values).map(([k, v]) => `${k}=${escapeValue(v)}`);
      return pairs.length === 0 ? item.id : `${item.id}(${pairs.join(";")})`;
    })
    .join(",");
}

/**
 * Reads `id(key=value;…),…`; skips malformed items and keys rather than failing.
 * @example
 * decodeItems("adam(lr=0.05),sgd"); // [{ id: "adam", values: { lr: "0.05" } }, { id: "sgd", values: {} }]
 */
export function decodeItems(text: string | null): Item[] {
  if (text === null || text === "") return [];
  const items: Item[] = [];
  // split on commas outside parentheses
  let depth = 0;
  let start = 0;
  const parts: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  for (const part of parts) {
    const m = /^([^()]+)(?:\(([^()]*)\))?$/.exec(part.trim());
    if (m === null || !ID.test(m[1]!)) continue;
    const values: Record<string, string> = {};
    for (const pair of (m[2] ?? "").split(";")) {
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const key = pair.slice(0, eq);
      if (!KEY.test(key)) continue;
      try {
        values[key] = decodeURIComponent(pair.slice(eq + 1));
      } catch {
        // a broken %-escape: drop the value, keep the rest
      }
    }
    items.push({ id: m[1]!, values });
  }
  return items;
}

/**
 * A finite number from a URL value inside [min, max] (and an integer when asked), else `fallback`.
 * @example
 * readNumber("0.5", 0.9, { min: 0, max: 1 }); // 0.5
 * readNumber("7", 0.9, { min: 0, max: 1 }); // 0.9
 */
export function readNumber(
  text: string | null | undefined,
  fallback: number,
  range: { min?: number; max?: number; integer?: boolean } = {},
): number {
  if (text === null || text === undefined || text.trim() === "") return fallback;
  const v = Number(text);
  if (!Number.isFinite(v)) return fallback;
  if (range.integer === true && !Number.isInteger(v)) return fallback;
  if (range.min !== undefined && v < range.min) return fallback;
  if (range.max !== undefined && v > range.max) return fallback;
  return v;
}

/** A boolean from a URL value ("1"/"true" or "0"/"false"), else `fallback`. */
export function readBoolean(text: string | null | undefined, fallback: boolean): boolean {
  if (text === "1" || text === "true") return true;
  if (text === "0" || text === "false") return false;
  return fallback;
}

/**
 * Two finite numbers written "a,b", else null.
 * @example
 * readPair("-1.5,2.5"); // [-1.5, 2.5]
 */
export function readPair(text: string | null | undefined): [number, number] | null {
  if (typeof text !== "string") return null;
  const parts = text.split(",");
  if (parts.length !== 2 || parts.some((p) => p.trim() === "")) return null;
  const a = Number(parts[0]);
  const b = Number(parts[1]);
  return Number.isFinite(a) && Number.isFinite(b) ? [a, b] : null;
}

/** The hash's parameters (a leading "#" is ignored). */
export function readHash(hash: string): URLSearchParams {
  return new URLSearchParams(hash.startsWith("#") ? hash.slice(1) : hash);
}
