/**
 * A deliberately small line-chart renderer for the 今日 card. ECharts is ~500 KB and must stay out
 * of the main package, so the tab page draws its two lines with a handful of 2D-context calls.
 * Pure over a minimal context interface: the same code runs on a weapp canvas node, an H5
 * <canvas> and a recording fake in tests.
 */

/** The subset of CanvasRenderingContext2D the renderer uses (weapp's 2D context has all of it). */
export interface TrendContext {
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  font: string;
  textAlign: CanvasTextAlign;
  textBaseline: CanvasTextBaseline;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  arc(x: number, y: number, r: number, start: number, end: number): void;
  stroke(): void;
  fill(): void;
  fillText(text: string, x: number, y: number): void;
}

export interface TrendSeries {
  name: string;
  color: string;
  values: number[];
}

export interface TrendOptions {
  /** One label per point, e.g. "11/22"; only a few are printed so they never overlap. */
  labels: string[];
  /** The card's background (the canvas is cleared to it so exported pixels are not transparent). */
  background?: string;
  gridColor?: string;
  textColor?: string;
  fontSize?: number;
}

export interface TrendLayout {
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** Top of the y axis (a "nice" number ≥ the largest value, at least 1). */
  max: number;
  x(i: number): number;
  y(v: number): number;
}

/** Rounds up to 1, 2 or 5 × 10ⁿ so the grid labels read like numbers people use. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function layoutTrend(size: { width: number; height: number }, series: TrendSeries[], opts: TrendOptions): TrendLayout {
  const fs = opts.fontSize ?? 11;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const left = Math.ceil(fs * 0.6 * String(max).length) + 10;
  const right = size.width - 8;
  const top = 8;
  const bottom = size.height - fs - 10;
  const n = Math.max(1, ...series.map((s) => s.values.length), opts.labels.length);
  const x = (i: number) => (n === 1 ? (left + right) / 2 : left + ((right - left) * i) / (n - 1));
  const y = (v: number) => bottom - ((bottom - top) * Math.max(0, v)) / max;
  return { left, right, top, bottom, max, x, y };
}

/** Which x labels to print: first, last, and evenly between, at most `most`. */
export function labelIndexes(n: number, most = 4): number[] {
  if (n <= 0) return [];
  if (n <= most) return Array.from({ length: n }, (_, i) => i);
  const out = new Set<number>();
  for (let k = 0; k < most; k++) out.add(Math.round(((n - 1) * k) / (most - 1)));
  return [...out];
}

export function drawTrend(ctx: TrendContext, size: { width: number; height: number }, series: TrendSeries[], opts: TrendOptions): TrendLayout {
  const { width, height } = size;
  const fs = opts.fontSize ?? 11;
  const L = layoutTrend(size, series, opts);

  ctx.clearRect(0, 0, width, height);
  if (opts.background) {
    ctx.fillStyle = opts.background;
    ctx.fillRect(0, 0, width, height);
  }

  // grid: 0, half and max, labelled on the left; no half line when it would read 0.5 or 2.5 (counts)
  ctx.font = `${fs}px sans-serif`;
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of Number.isInteger(L.max / 2) ? [0, L.max / 2, L.max] : [0, L.max]) {
    const y = Math.round(L.y(v)) + 0.5;
    ctx.strokeStyle = opts.gridColor ?? '#e5e7eb';
    ctx.beginPath();
    ctx.moveTo(L.left, y);
    ctx.lineTo(L.right, y);
    ctx.stroke();
    ctx.fillStyle = opts.textColor ?? '#9ca3af';
    ctx.fillText(formatTick(v), L.left - 4, y);
  }

  ctx.textBaseline = 'top';
  const n = opts.labels.length;
  for (const i of labelIndexes(n)) {
    ctx.textAlign = n === 1 ? 'center' : i === 0 ? 'left' : i === n - 1 ? 'right' : 'center';
    ctx.fillText(opts.labels[i] ?? '', L.x(i), L.bottom + 4);
  }

  // a dot per day only when there is room for it (7 days yes, 30 days no)
  for (const s of series) {
    if (s.values.length === 0) continue;
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    s.values.forEach((v, i) => (i === 0 ? ctx.moveTo(L.x(i), L.y(v)) : ctx.lineTo(L.x(i), L.y(v))));
    ctx.stroke();
    if (s.values.length <= 10 || s.values.length === 1) {
      s.values.forEach((v, i) => {
        ctx.beginPath();
        ctx.arc(L.x(i), L.y(v), 2.5, 0, Math.PI * 2);
        ctx.fill();
      });
    }
  }
  return L;
}

function formatTick(v: number): string {
  if (v >= 10000) return `${Math.round(v / 1000) / 10}万`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
