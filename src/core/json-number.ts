// Numbers JSON cannot hold (NaN, ±Infinity, and −0, which JSON.stringify writes as 0), in one table with two
// spellings:
// - tagged, `{ $number: "NaN" | "Infinity" | "-Infinity" | "-0" }`, where a slot may hold any value, strings
//   included (checkpoint metadata, the TF.js adapter's state manifest and config);
// - bare, the strings "NaN", "Infinity", "-Infinity", where a slot only ever holds a number (scheduler state
//   dicts, as torch's state_dict looks in JSON; the CLI's --json output). Bare keeps −0 as 0.

const SPECIAL: Readonly<Record<string, number>> = Object.freeze({
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
  "-0": -0,
});

/** A tagged special number, or the number itself when JSON holds it as it is. */
export function tagNumber(x: number): number | { $number: string } {
  if (Number.isNaN(x)) return { $number: "NaN" };
  if (x === Number.POSITIVE_INFINITY) return { $number: "Infinity" };
  if (x === Number.NEGATIVE_INFINITY) return { $number: "-Infinity" };
  if (Object.is(x, -0)) return { $number: "-0" };
  return x;
}

/** The number a `$number` tag names, or undefined when the tag is not one of the four. */
export function untagNumber(tag: unknown): number | undefined {
  return typeof tag === "string" && Object.hasOwn(SPECIAL, tag) ? SPECIAL[tag] : undefined;
}

/** A number for a number-only slot: non-finite as its bare string. */
export function bareNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/** The number a number-only slot holds (a number, or "NaN", "Infinity", "-Infinity"), or undefined. */
export function unbareNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  return value === "NaN" || value === "Infinity" || value === "-Infinity" ? SPECIAL[value] : undefined;
}
