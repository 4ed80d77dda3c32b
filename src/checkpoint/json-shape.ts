// A linear pre-scan of JSON text, run before JSON.parse on anything read from a file: it refuses duplicate
// keys (JSON.parse keeps the last, a first-wins reader would see another file), nesting deeper than a limit
// and more top-level members than a limit, so that a forged header costs one pass over its bytes and never
// the time and memory of parsing it. Malformed JSON is left to JSON.parse to name.

export interface JsonLimits {
  /** The deepest nesting of objects and arrays allowed (the outermost one is level 1). */
  maxDepth: number;
  /** The most members the outermost object or array may have. */
  maxTopLevelMembers: number;
}

/** Why `text` breaks `limits` or has a repeated key, or null. */
export function jsonShapeProblem(text: string, limits: JsonLimits): string | null {
  const n = text.length;
  // per open container: the keys seen (objects) or null (arrays)
  const open: Array<Set<string> | null> = [];
  let expectKey = false;
  let topCommas = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) {
          escaped = true;
          j += 2;
        } else if (d === 0x22) break;
        else j++;
      }
      if (j >= n) return null; // unterminated: JSON.parse names it
      const keys = open[open.length - 1];
      if (expectKey && keys !== null && keys !== undefined) {
        let key: string;
        try {
          key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        } catch {
          return null;
        }
        if (keys.has(key)) return `the key ${JSON.stringify(key).slice(0, 80)} appears twice in one object`;
        keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      if (open.length >= limits.maxDepth) return `it nests deeper than ${limits.maxDepth} levels`;
      open.push(c === 0x7b ? new Set() : null);
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      open.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      // n members are n − 1 commas apart
      if (open.length === 1 && ++topCommas >= limits.maxTopLevelMembers)
        return `it has more than ${limits.maxTopLevelMembers} top-level entries`;
      expectKey = open[open.length - 1] instanceof Set;
    } else if (c === 0x3a) {
      expectKey = false;
    }
  }
  return null;
}

/** The nesting depth of a JSON-able value (1 for an object or array holding only scalars), up to `stop`. */
export function jsonDepth(value: unknown, stop: number): number {
  if (value === null || typeof value !== "object") return 0;
  if (stop <= 0) return 1;
  let deepest = 0;
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    const d = jsonDepth(v, stop - 1);
    if (d > deepest) deepest = d;
    if (deepest >= stop) break;
  }
  return 1 + deepest;
}
