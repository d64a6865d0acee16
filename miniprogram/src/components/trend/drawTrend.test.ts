import { drawTrend, labelIndexes, layoutTrend, niceMax } from './drawTrend';
import { recordingContext } from './fakeContext';

const size = { width: 320, height: 160 };
const series = [
  { name: '咨询人数', color: '#e0502d', values: [3, 8, 5, 0, 12, 7, 9] },
  { name: 'AI 已回复', color: '#2f7cf6', values: [2, 6, 5, 0, 10, 6, 9] },
];
const labels = ['11/16', '11/17', '11/18', '11/19', '11/20', '11/21', '11/22'];

describe('drawTrend()', () => {
  it('clears, paints the background and draws one stroked line per series through every point', () => {
    const ctx = recordingContext();
    const L = drawTrend(ctx, size, series, { labels, background: '#fff' });

    expect(ctx.ops[0]).toEqual({ op: 'clearRect', args: [0, 0, 320, 160] });
    expect(ctx.ops).toContainEqual({ op: 'fillRect', args: [0, 0, 320, 160] });
    // each line: moveTo the first point then lineTo the 6 others, in the series colour
    const moves = ctx.ops.filter((o) => o.op === 'moveTo');
    const first = moves.find((o) => o.args[0] === L.x(0) && o.args[1] === L.y(3));
    expect(first).toBeDefined();
    const i = ctx.ops.indexOf(first!);
    expect(ctx.ops.slice(i + 1, i + 7).map((o) => o.op)).toEqual(Array(6).fill('lineTo'));
    expect(ctx.ops.slice(i + 1, i + 7).map((o) => o.args)).toEqual(series[0]!.values.slice(1).map((v, k) => [L.x(k + 1), L.y(v)]));
    expect(ctx.ops.filter((o) => o.op === 'set:strokeStyle').map((o) => o.args[0])).toEqual(expect.arrayContaining(['#e0502d', '#2f7cf6']));
    // a dot per day at 7 days
    expect(ctx.ops.filter((o) => o.op === 'arc')).toHaveLength(14);
  });

  it('keeps every point inside the plot area, the largest on the top grid line when it is round', () => {
    const L = layoutTrend(size, series, { labels });
    expect(L.max).toBe(20);
    for (const s of series)
      s.values.forEach((v, i) => {
        expect(L.x(i)).toBeGreaterThanOrEqual(L.left);
        expect(L.x(i)).toBeLessThanOrEqual(L.right);
        expect(L.y(v)).toBeGreaterThanOrEqual(L.top);
        expect(L.y(v)).toBeLessThanOrEqual(L.bottom);
      });
    expect(L.y(0)).toBe(L.bottom);
    expect(L.y(20)).toBe(L.top);
  });

  it('labels the y grid and only a few x days, so 30 days do not overlap', () => {
    const ctx = recordingContext();
    const days = Array.from({ length: 30 }, (_, i) => `11/${i + 1}`);
    drawTrend(ctx, size, [{ name: 'a', color: '#000', values: days.map((_, i) => i) }], { labels: days });
    const texts = ctx.ops.filter((o) => o.op === 'fillText').map((o) => o.args[0]);
    expect(texts).toEqual(['0', '25', '50', '11/1', '11/11', '11/20', '11/30']);
    expect(ctx.ops.filter((o) => o.op === 'arc')).toHaveLength(0); // no dots at 30 days
  });

  it('draws an all-zero week as a flat line on the bottom grid instead of dividing by zero', () => {
    const ctx = recordingContext();
    const L = drawTrend(ctx, size, [{ name: 'a', color: '#000', values: [0, 0, 0] }], { labels: ['a', 'b', 'c'] });
    expect(L.max).toBe(1);
    const ys = ctx.ops.filter((o) => o.op === 'lineTo' && o.args[0] !== L.right).map((o) => o.args[1]);
    expect(ys.every((y) => y === L.bottom)).toBe(true);
    expect(ctx.ops.some((o) => o.args.some((a) => typeof a === 'number' && !Number.isFinite(a)))).toBe(false);
  });

  it('labels counts in whole numbers only: no 0.5 or 2.5 line on a quiet week', () => {
    for (const top of [1, 4, 5]) {
      const ctx = recordingContext();
      drawTrend(ctx, size, [{ name: 'a', color: '#000', values: [0, top, 0] }], { labels: ['a', 'b', 'c'] });
      const ticks = ctx.ops.filter((o) => o.op === 'fillText' && !['a', 'b', 'c'].includes(o.args[0] as string)).map((o) => Number(o.args[0]));
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.every(Number.isInteger)).toBe(true);
    }
  });

  it('rounds the axis top to 1, 2 or 5 × 10ⁿ', () => {
    expect([0, 1, 3, 7, 12, 48, 150, 999].map(niceMax)).toEqual([1, 1, 5, 10, 20, 50, 200, 1000]);
    expect(labelIndexes(3)).toEqual([0, 1, 2]);
    expect(labelIndexes(7)).toEqual([0, 2, 4, 6]);
  });
});
