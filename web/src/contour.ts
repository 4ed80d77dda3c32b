// Contours of a surface sampled on a grid: the grid itself, contour levels (linear, log or quantile
// spacing), a color scale position per value, and marching squares (Lorensen & Cline's cell cases, saddle
// cells resolved by the cell's mean value) giving each level as line segments in grid coordinates.

export type LevelScale = "linear" | "log" | "quantile";

/** Values of f on an nx × ny grid over [x0, x1] × [y0, y1]; `values[j * nx + i]` is f(x_i, y_j). */
export interface Grid {
  readonly nx: number;
  readonly ny: number;
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
  readonly values: Float64Array;
}

/**
 * Samples `f` on an nx × ny grid (non-finite values are kept as NaN).
 * @example
 * sampleGrid((x, y) => x + y, { x: [0, 1], y: [0, 1] }, 2, 2).values; // [0, 1, 1, 2]
 */
export function sampleGrid(
  f: (x: number, y: number) => number,
  domain: { readonly x: readonly [number, number]; readonly y: readonly [number, number] },
  nx: number,
  ny: number,
): Grid {
  if (!Number.isInteger(nx) || nx < 2 || !Number.isInteger(ny) || ny < 2) {
    throw new RangeError(`sampleGrid: nx and ny must be integers ≥ 2, got ${nx} × ${ny}`);
  }
  const [x0, x1] = domain.x;
  const [y0, y1] = domain.y;
  const values = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    const y = y0 + ((y1 - y0) * j) / (ny - 1);
    for (let i = 0; i < nx; i++) {
      const v = f(x0 + ((x1 - x0) * i) / (nx - 1), y);
      values[j * nx + i] = Number.isFinite(v) ? v : Number.NaN;
    }
  }
  return { nx, ny, x: [x0, x1], y: [y0, y1], values };
}

function finiteSorted(values: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) out.push(v);
  }
  return Float64Array.from(out).sort();
}

/**
 * `count` contour levels strictly inside the range of the finite `values`: evenly spaced ("linear"),
 * evenly spaced in log(f − min) ("log", for surfaces whose values span decades), or at evenly spaced
 * quantiles ("quantile", for surfaces of unknown shape). Empty when there is no range to split.
 * @example
 * contourLevels([0, 10], 4, "linear"); // [2, 4, 6, 8]
 */
export function contourLevels(values: ArrayLike<number>, count: number, scale: LevelScale): number[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`contourLevels: count must be a positive integer, got ${count}`);
  }
  const sorted = finiteSorted(values);
  if (sorted.length === 0) return [];
  const lo = sorted[0]!;
  const hi = sorted[sorted.length - 1]!;
  if (!(hi > lo)) return [];
  const levels: number[] = [];
  if (scale === "linear") {
    for (let k = 1; k <= count; k++) levels.push(lo + ((hi - lo) * k) / (count + 1));
  } else if (scale === "log") {
    // from 1e-5 of the range up to the whole range above the minimum
    const a = Math.log((hi - lo) * 1e-5);
    const b = Math.log(hi - lo);
    for (let k = 1; k <= count; k++) levels.push(lo + Math.exp(a + ((b - a) * k) / (count + 1)));
  } else {
    for (let k = 1; k <= count; k++) {
      const v = sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * k) / (count + 1)))]!;
      if (v > lo && v < hi && v !== levels[levels.length - 1]) levels.push(v);
    }
  }
  return levels;
}

/**
 * A function mapping a value to [0, 1] for coloring, with the same spacing as the levels.
 * @example
 * colorPosition([0, 10], "linear")(5); // 0.5
 */
export function colorPosition(values: ArrayLike<number>, scale: LevelScale): (v: number) => number {
  const sorted = finiteSorted(values);
  const lo = sorted[0] ?? 0;
  const hi = sorted[sorted.length - 1] ?? 1;
  const clamp = (t: number) => Math.min(1, Math.max(0, t));
  if (!(hi > lo)) return () => 0.5;
  if (scale === "linear") return (v) => clamp((v - lo) / (hi - lo));
  if (scale === "log") {
    const eps = (hi - lo) * 1e-5;
    const a = Math.log(eps);
    const b = Math.log(hi - lo + eps);
    return (v) => clamp((Math.log(v - lo + eps) - a) / (b - a));
  }
  return (v) => {
    // rank by binary search: the share of grid values below v
    let l = 0;
    let h = sorted.length;
    while (l < h) {
      const m = (l + h) >> 1;
      if (sorted[m]! < v) l = m + 1;
      else h = m;
    }
    return clamp(l / (sorted.length - 1));
  };
}

/** A segment from (x1, y1) to (x2, y2) in grid coordinates (i along x, j along y, fractional). */
export type Segment = readonly [number, number, number, number];

/**
 * The `level` contour of `grid` as line segments in grid coordinates, by marching squares. Cells with a
 * non-finite corner are skipped.
 * @example
 * const g = sampleGrid((x, y) => x * x + y * y, { x: [-1, 1], y: [-1, 1] }, 21, 21);
 * isoSegments(g, 0.25).length > 0; // true: a circle of radius 0.5
 */
export function isoSegments(grid: Grid, level: number): Segment[] {
  const { nx, ny, values } = grid;
  const out: Segment[] = [];
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const a = values[j * nx + i]!; // (i, j)
      const b = values[j * nx + i + 1]!; // (i + 1, j)
      const c = values[(j + 1) * nx + i + 1]!; // (i + 1, j + 1)
      const d = values[(j + 1) * nx + i]!; // (i, j + 1)
      if (!(Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c) && Number.isFinite(d))) continue;
      const code = (a > level ? 1 : 0) | (b > level ? 2 : 0) | (c > level ? 4 : 0) | (d > level ? 8 : 0);
      if (code === 0 || code === 15) continue;
      const t = (p: number, q: number) => (level - p) / (q - p);
      // crossing points on the four edges: bottom (a–b), right (b–c), top (d–c), left (a–d)
      const bottom = (): [number, number] => [i + t(a, b), j];
      const right = (): [number, number] => [i + 1, j + t(b, c)];
      const top = (): [number, number] => [i + t(d, c), j + 1];
      const left = (): [number, number] => [i, j + t(a, d)];
      const seg = (p: [number, number], q: [number, number]) => out.push([p[0], p[1], q[0], q[1]]);
      switch (code) {
        case 1:
        case 14:
          seg(left(), bottom());
          break;
        case 2:
        case 13:
          seg(bottom(), right());
          break;
        case 3:
        case 12:
          seg(left(), right());
          break;
        case 4:
        case 11:
          seg(right(), top());
          break;
        case 6:
        case 9:
          seg(bottom(), top());
          break;
        case 7:
        case 8:
          seg(left(), top());
          break;
        case 5:
        case 10: {
          // saddle cell: the mean decides whether the high corners connect through the middle
          const centerHigh = (a + b + c + d) / 4 > level;
          if ((code === 5) === centerHigh) {
            seg(left(), top());
            seg(bottom(), right());
          } else {
            seg(left(), bottom());
            seg(right(), top());
          }
          break;
        }
      }
    }
  }
  return out;
}
