// A small canvas line chart (axes with round ticks, lines and dots, linear or log y), sized to its element
// at the device's pixel ratio. Enough for the EWMA, schedule and loss plots without a charting library.

export interface Series {
  readonly values: ArrayLike<number>;
  /** x of values[i] is `x0 + i` unless `xs` is given. */
  readonly xs?: ArrayLike<number>;
  readonly x0?: number;
  readonly color: string;
  readonly kind?: "line" | "dots" | "steps";
  readonly width?: number;
  readonly dash?: readonly number[];
}

export interface ChartOptions {
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly logY?: boolean;
  readonly yDomain?: readonly [number, number];
  /** Height in CSS pixels (the width follows the element). */
  readonly height?: number;
}

/** Sizes the canvas's pixel buffer to its CSS box at the device pixel ratio; returns the CSS size. */
export function fitCanvas(canvas: HTMLCanvasElement, cssHeight?: number): { width: number; height: number } {
  const dpr = Math.min(3, window.devicePixelRatio || 1);
  const width = Math.max(50, Math.round(canvas.clientWidth || canvas.parentElement?.clientWidth || 300));
  const height = Math.max(50, Math.round(cssHeight ?? (canvas.clientHeight || width * 0.6)));
  if (cssHeight !== undefined) canvas.style.height = `${height}px`;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx?.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { width, height };
}

/**
 * About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10ᵏ).
 * @example
 * niceTicks(0, 1, 5); // [0, 0.2, 0.4, 0.6, 0.8, 1]
 */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return Number.isFinite(lo) ? [lo] : [];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Number((Math.abs(t) < step * 1e-9 ? 0 : t).toPrecision(12)));
  }
  return ticks;
}

const tickLabel = (v: number) => {
  const a = Math.abs(v);
  if (v !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(0);
  return String(Number(v.toPrecision(6)));
};

/** Draws the series into the canvas; non-finite values break lines. Returns the plot's y range. */
export function drawChart(canvas: HTMLCanvasElement, series: readonly Series[], options: ChartOptions = {}) {
  const { width, height } = fitCanvas(canvas, options.height);
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  const styles = getComputedStyle(canvas);
  const ink = styles.getPropertyValue("--ink").trim() || "#222";
  const grid = styles.getPropertyValue("--grid").trim() || "#ddd";
  ctx.clearRect(0, 0, width, height);
  const logY = options.logY === true;
  const ty = (v: number) => (logY ? Math.log10(v) : v);
  let xmin = Number.POSITIVE_INFINITY;
  let xmax = Number.NEGATIVE_INFINITY;
  let ymin = Number.POSITIVE_INFINITY;
  let ymax = Number.NEGATIVE_INFINITY;
  for (const s of series) {
    for (let i = 0; i < s.values.length; i++) {
      const x = s.xs?.[i] ?? (s.x0 ?? 0) + i;
      const y = ty(s.values[i]!);
      if (!Number.isFinite(y) || !Number.isFinite(x)) continue;
      xmin = Math.min(xmin, x);
      xmax = Math.max(xmax, x);
      ymin = Math.min(ymin, y);
      ymax = Math.max(ymax, y);
    }
  }
  if (options.yDomain !== undefined) [ymin, ymax] = [ty(options.yDomain[0]), ty(options.yDomain[1])];
  if (!Number.isFinite(xmin)) [xmin, xmax] = [0, 1];
  if (!Number.isFinite(ymin)) [ymin, ymax] = [0, 1];
  if (xmax === xmin) xmax = xmin + 1;
  if (ymax === ymin) {
    const pad = Math.abs(ymin) * 0.1 || 1;
    ymin -= pad;
    ymax += pad;
  } else if (options.yDomain === undefined) {
    const pad = (ymax - ymin) * 0.05;
    ymin -= pad;
    ymax += pad;
  }
  const m = { left: 52, right: 12, top: 10, bottom: options.xLabel ? 38 : 24 };
  const px = (x: number) => m.left + ((x - xmin) / (xmax - xmin)) * (width - m.left - m.right);
  const py = (y: number) => height - m.bottom - ((y - ymin) / (ymax - ymin)) * (height - m.top - m.bottom);
  ctx.font = "11px system-ui, sans-serif";
  ctx.lineWidth = 1;
  ctx.strokeStyle = grid;
  ctx.fillStyle = ink;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const yTicks = logY
    ? niceTicks(Math.ceil(ymin), Math.floor(ymax), 5).filter(Number.isInteger)
    : niceTicks(ymin, ymax, 5);
  for (const t of yTicks) {
    const y = py(t);
    ctx.beginPath();
    ctx.moveTo(m.left, y);
    ctx.lineTo(width - m.right, y);
    ctx.stroke();
    ctx.fillText(logY ? `1e${t}` : tickLabel(t), m.left - 6, y);
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of niceTicks(xmin, xmax, Math.max(2, Math.floor(width / 90)))) {
    const x = px(t);
    ctx.beginPath();
    ctx.moveTo(x, m.top);
    ctx.lineTo(x, height - m.bottom);
    ctx.stroke();
    ctx.fillText(tickLabel(t), x, height - m.bottom + 5);
  }
  if (options.xLabel) ctx.fillText(options.xLabel, (m.left + width - m.right) / 2, height - 14);
  if (options.yLabel) {
    ctx.save();
    ctx.translate(11, (m.top + height - m.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(options.yLabel, 0, -6);
    ctx.restore();
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(m.left, m.top, width - m.left - m.right, height - m.top - m.bottom);
  ctx.clip();
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = s.width ?? 2;
    ctx.setLineDash(s.dash ? [...s.dash] : []);
    const kind = s.kind ?? "line";
    let pen = false;
    ctx.beginPath();
    // long lines: about two points per pixel column is all the screen can show
    const stride =
      kind === "line" ? Math.max(1, Math.floor(s.values.length / (2 * (width - m.left - m.right)))) : 1;
    const n = s.values.length;
    // every stride-th point, and always the last
    for (let i = 0; i < n; i = i === n - 1 ? n : Math.min(i + stride, n - 1)) {
      const x = px(s.xs?.[i] ?? (s.x0 ?? 0) + i);
      const yv = ty(s.values[i]!);
      if (!Number.isFinite(yv) || !Number.isFinite(x)) {
        pen = false;
        continue;
      }
      const y = py(yv);
      if (kind === "dots") {
        ctx.moveTo(x + (s.width ?? 2), y);
        ctx.arc(x, y, s.width ?? 2, 0, 2 * Math.PI);
      } else if (!pen) {
        ctx.moveTo(x, y);
        pen = true;
      } else if (kind === "steps") {
        // hold the previous value until this x: schedules change between steps, not along them
        ctx.lineTo(x, py(ty(s.values[i - 1]!)));
        ctx.lineTo(x, y);
      } else {
        ctx.lineTo(x, y);
      }
    }
    if (kind === "dots") ctx.fill();
    else ctx.stroke();
  }
  ctx.restore();
  ctx.setLineDash([]);
}
