// A path cut to a rectangle, for drawing: a diverged run's coordinates (1e30, then ±Infinity) must not
// reach the SVG, where the rasteriser aborts on them. Each segment is clipped with Liang–Barsky; a
// non-finite point ends a piece.

export type XY = readonly [number, number];

/** The segment p→q cut to the box, as the parameters [t0, t1] ⊆ [0, 1] that stay inside, or undefined. */
function clipSegment(p: XY, q: XY, [x1, x2]: XY, [y1, y2]: XY): XY | undefined {
  const dx = q[0] - p[0];
  const dy = q[1] - p[1];
  if (!Number.isFinite(dx) || !Number.isFinite(dy)) return undefined;
  let t0 = 0;
  let t1 = 1;
  const edges: Array<[number, number]> = [
    [-dx, p[0] - x1],
    [dx, x2 - p[0]],
    [-dy, p[1] - y1],
    [dy, y2 - p[1]],
  ];
  for (const [towards, room] of edges) {
    if (towards === 0) {
      if (room < 0) return undefined;
      continue;
    }
    const t = room / towards;
    if (towards < 0) {
      if (t > t1) return undefined;
      if (t > t0) t0 = t;
    } else {
      if (t < t0) return undefined;
      if (t < t1) t1 = t;
    }
  }
  return [t0, t1];
}

/**
 * The pieces of the polyline `points` inside the box x ∈ `xDomain`, y ∈ `yDomain`, cut where it crosses
 * the edge (so a path that leaves ends on the frame, and one that comes back starts a new piece).
 * @example
 * clipPolyline([[0, 0], [0.5, 0.5], [1e30, 1e30]], [-1, 1], [-1, 1]); // [[[0, 0], [0.5, 0.5], [1, 1]]]
 * clipPolyline([[0, 0], [0.5, 0.5], [1e30, 1e30]], [-1, 1], [-1, 1])[0]!.at(-1); // → [1, 1]
 */
export function clipPolyline(points: readonly XY[], xDomain: XY, yDomain: XY): XY[][] {
  const pieces: XY[][] = [];
  let piece: XY[] | undefined;
  const inside = (p: XY) =>
    p[0] >= xDomain[0] && p[0] <= xDomain[1] && p[1] >= yDomain[0] && p[1] <= yDomain[1];
  if (points.length === 1 && inside(points[0]!)) return [[points[0]!]];
  for (let i = 1; i < points.length; i++) {
    const p = points[i - 1]!;
    const q = points[i]!;
    const kept = Number.isFinite(p[0] + p[1] + q[0] + q[1]) ? clipSegment(p, q, xDomain, yDomain) : undefined;
    if (kept === undefined) {
      piece = undefined;
      continue;
    }
    const [t0, t1] = kept;
    const at = (t: number): XY =>
      t === 0 ? p : t === 1 ? q : [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
    if (piece === undefined || t0 > 0) {
      piece = [at(t0)];
      pieces.push(piece);
    }
    piece.push(at(t1));
    if (t1 < 1) piece = undefined;
  }
  return pieces;
}
