import crypto from 'node:crypto';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { CHART_CHARSET, type TrendChartInput, unsupportedChartChars, WEEKDAY_LABELS } from '@xiaoer/shared/ports/chart';
import { createChartRenderer, rasterise, trendSvg } from './renderer';
import { CHART_COLORS, CHART_FONT_FAMILY, CHART_HEIGHT, CHART_SCALE, CHART_WIDTH, compactNumber, labelNumber, legendName } from './trend-option';
import { SAMPLE_WEEK } from './sample';

const renderer = createChartRenderer();

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const near = (px: number[], hex: string, tol = 24) => rgb(hex).every((c, i) => Math.abs(c - px[i]) <= tol);

function decode(png: Uint8Array) {
  const img = PNG.sync.read(Buffer.from(png));
  const at = (x: number, y: number) => {
    const i = (y * img.width + x) * 4;
    return [img.data[i], img.data[i + 1], img.data[i + 2]];
  };
  /** Pixels in the box that are clearly not the white background. */
  const ink = (x0: number, y0: number, x1: number, y1: number) => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (Math.min(...at(x, y)) < 200) n++;
    return n;
  };
  return { img, at, ink };
}

/** Every SVG text node's characters (entities decoded): what resvg will have to find glyphs for. */
const svgText = (svg: string) =>
  [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)]
    .map((m) => m[1])
    .join('')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

beforeAll(async () => {
  await renderer.renderTrend(SAMPLE_WEEK); // first load of ECharts through jest's transform
}, 120_000);

describe('trend chart PNG', () => {
  it('draws a realistic week: the right size, not blank, the title written, one bar per day in proportion', async () => {
    const out = await renderer.renderTrend(SAMPLE_WEEK);
    expect([out.width, out.height]).toEqual([CHART_WIDTH * CHART_SCALE, CHART_HEIGHT * CHART_SCALE]);
    const { img, at, ink } = decode(out.png);
    expect([img.width, img.height]).toEqual([out.width, out.height]);

    const colours = new Set<number>();
    for (let i = 0; i < img.data.length; i += 4) colours.add((img.data[i] << 16) | (img.data[i + 1] << 8) | img.data[i + 2]);
    expect(colours.size).toBeGreaterThan(50);
    expect(ink(0, 0, img.width, img.height) / (img.width * img.height)).toBeGreaterThan(0.08);

    // the title sits top left (24 px in, 16 px down at layout size): dark text strokes there
    expect(ink(48, 32, 600, 90)).toBeGreaterThan(2000);
    // and nowhere in a strip of margin above it
    expect(ink(0, 0, img.width, 24)).toBe(0);

    // bars: runs of the primary colour along a row just above the x axis, one per day
    const row = Math.round(img.height * 0.85);
    const runs: [number, number][] = [];
    for (let x = 0; x < img.width; x++) {
      if (!near(at(x, row), CHART_COLORS.primary)) continue;
      const last = runs[runs.length - 1];
      if (last && last[1] === x - 1) last[1] = x;
      else runs.push([x, x]);
    }
    expect(runs).toHaveLength(7);
    // a bar runs from the highest primary pixel of its middle column (below the legend, whose key
    // has that colour too; the line may cross it) down to where the colour ends at the axis
    const heights = runs.map(([a, b]) => {
      const x = Math.round((a + b) / 2);
      let top = 200;
      while (top < row && !near(at(x, top), CHART_COLORS.primary)) top++;
      let bottom = row;
      while (bottom < img.height - 1 && near(at(x, bottom + 1), CHART_COLORS.primary)) bottom++;
      return bottom - top + 1;
    });
    const revenue = SAMPLE_WEEK.series[0].values as number[];
    const tallest = Math.max(...heights);
    heights.forEach((h, i) => expect(Math.abs(h / tallest - revenue[i] / Math.max(...revenue))).toBeLessThan(0.02));

    // the line series is drawn in its own colour
    let blue = 0;
    for (let y = 0; y < img.height; y += 2) for (let x = 0; x < img.width; x += 2) if (near(at(x, y), CHART_COLORS.blue)) blue++;
    expect(blue).toBeGreaterThan(300);
  });

  it('gives the same bytes for the same input', async () => {
    const a = await renderer.renderTrend(SAMPLE_WEEK);
    const b = await renderer.renderTrend(structuredClone(SAMPLE_WEEK));
    expect(crypto.createHash('sha256').update(a.png).digest('hex')).toBe(crypto.createHash('sha256').update(b.png).digest('hex'));
  });

  it('draws a month with gaps, one series, or two of the same unit', async () => {
    const labels = Array.from({ length: 30 }, (_, i) => `11/${i + 1}`);
    const month: TrendChartInput = {
      title: '本月咨询和订单',
      labels,
      series: [
        { name: '咨询数', unit: 'count', values: labels.map((_, i) => (i === 10 ? null : 20 + ((i * 7) % 13))) },
        { name: '订单', unit: 'count', values: labels.map((_, i) => 5 + (i % 4)) },
      ],
    };
    for (const input of [month, { ...month, series: [month.series[0]] }]) {
      const out = await renderer.renderTrend(input);
      const { ink } = decode(out.png);
      expect(ink(0, 0, out.width, out.height)).toBeGreaterThan(out.width * out.height * 0.03);
    }
    // a shop with no numbers yet still gets a chart (axes and title), not an error
    const empty = await renderer.renderTrend({ ...month, series: [{ name: '营业额', unit: 'fen', values: labels.map(() => null) }] });
    expect([empty.width, empty.height]).toEqual([CHART_WIDTH * CHART_SCALE, CHART_HEIGHT * CHART_SCALE]);
    expect(decode(empty.png).ink(48, 32, 600, 90)).toBeGreaterThan(1000);
  });

  it('refuses text the font cannot draw and series that do not match the days, with INPUT.INVALID', async () => {
    await expect(renderer.renderTrend({ ...SAMPLE_WEEK, title: '上周龘营业额' })).rejects.toMatchObject({ code: 'INPUT.INVALID', message: expect.stringContaining('龘') });
    await expect(renderer.renderTrend({ ...SAMPLE_WEEK, labels: ['周一', '周二'] })).rejects.toMatchObject({ code: 'INPUT.INVALID' });
    await expect(renderer.renderTrend({ ...SAMPLE_WEEK, series: [] })).rejects.toMatchObject({ code: 'INPUT.INVALID' });
    const bad = { ...SAMPLE_WEEK, series: [{ ...SAMPLE_WEEK.series[0], values: [1, 2, 3, 4, 5, 6, Infinity] }] };
    await expect(renderer.renderTrend(bad)).rejects.toMatchObject({ code: 'INPUT.INVALID' });
  });
});

describe('the bundled font', () => {
  /** Each character alone in a 40×40 cell, 30 to a row; the ink in each cell. */
  async function glyphCells(chars: string[], fontFiles?: string[]) {
    const cols = 30;
    const esc = (c: string) => c.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const cells = chars.map((c, i) => `<text x="${(i % cols) * 40 + 6}" y="${Math.floor(i / cols) * 40 + 30}">${esc(c)}</text>`).join('');
    const rows = Math.ceil(chars.length / cols);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * 40}" height="${rows * 40}"><g font-family="${CHART_FONT_FAMILY}" font-size="28" fill="#000">${cells}</g></svg>`;
    const { png } = await rasterise(svg, { scale: 1, ...(fontFiles ? { fontFiles } : {}) });
    const { ink } = decode(png);
    return chars.map((_, i) => ink((i % cols) * 40, Math.floor(i / cols) * 40, (i % cols) * 40 + 40, Math.floor(i / cols) * 40 + 40));
  }

  it('draws every character of CHART_CHARSET (no blanks, no boxes)', async () => {
    const chars = [...CHART_CHARSET].filter((c) => c !== ' ');
    // a character outside the set: whatever the font does with it (nothing, or a box), no charset glyph may look like that
    const [missing] = await glyphCells(['龘']);
    const cells = await glyphCells(chars);
    const blank = chars.filter((_, i) => cells[i] <= Math.max(1, missing));
    expect(blank).toEqual([]);
  });

  it('is what draws them: without it the same characters come out empty (the check above can fail)', async () => {
    const cells = await glyphCells([...'营业额咨询周一AI0'], []);
    expect(cells.every((n) => n === 0)).toBe(true);
  });

  it('covers every character the renderer writes itself and every label of a week', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), fc.constantFrom('fen' as const, 'count' as const), (n, unit) => {
        expect(unsupportedChartChars(compactNumber(n) + labelNumber(unit, n))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
    expect(unsupportedChartChars(WEEKDAY_LABELS.join('') + legendName({ name: '营业额', unit: 'fen', values: [0] }))).toEqual([]);
  });

  it('covers every text node of the SVGs ECharts writes for varied inputs', async () => {
    const value = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 50_000_000 }));
    const input = fc.integer({ min: 1, max: 31 }).chain((days) =>
      fc.record({
        labels: fc.constant(Array.from({ length: days }, (_, i) => WEEKDAY_LABELS[i % 7])),
        fen: fc.array(value, { minLength: days, maxLength: days }),
        count: fc.array(value, { minLength: days, maxLength: days }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(input, async ({ labels, fen, count }) => {
        const svg = await trendSvg({
          title: '上周营业额和咨询',
          subtitle: '11月16日–11月22日',
          labels,
          series: [
            { name: '营业额', unit: 'fen', values: fen },
            { name: '咨询数', unit: 'count', values: count },
          ],
        });
        expect(unsupportedChartChars(svgText(svg))).toEqual([]);
      }),
      { numRuns: 15 },
    );
  }, 60_000);
});
