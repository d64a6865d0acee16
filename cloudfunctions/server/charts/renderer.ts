import path from 'node:path';
import { type ChartImage, type ChartRenderer, TrendChartInput } from '@xiaoer/shared/ports/chart';
import { parseInput } from '@xiaoer/shared/domain/validation';
import { CHART_FONT_FAMILY, CHART_HEIGHT, CHART_SCALE, CHART_WIDTH, trendOption } from './trend-option';

/**
 * The bundled CJK font: a subset of WenQuanYi Micro Hei cut to CHART_CHARSET by
 * scripts/make-chart-font.mjs (Apache-2.0, fonts/NOTICE.txt). scripts/build-functions.mjs copies
 * it to fonts/ beside a function's index.js, so this path holds from source and from a bundle.
 */
export const CHART_FONT_FILE = path.join(__dirname, 'fonts', 'wqy-microhei-chart.ttf');

interface Engine {
  echarts: typeof import('echarts/core');
  renderAsync: typeof import('@resvg/resvg-js').renderAsync;
}

let engine: Promise<Engine> | undefined;

/**
 * ECharts and the resvg native module load on the first chart, not at import: every function
 * that builds the runtime would otherwise pay for them at cold start. A failed load is not kept.
 */
function loadEngine(): Promise<Engine> {
  engine ??= (async () => {
    const [echarts, charts, components, renderers, resvg] = await Promise.all([
      import('echarts/core'),
      import('echarts/charts'),
      import('echarts/components'),
      import('echarts/renderers'),
      import('@resvg/resvg-js'),
    ]);
    echarts.use([charts.BarChart, charts.LineChart, components.GridComponent, components.LegendComponent, components.TitleComponent, renderers.SVGRenderer]);
    return { echarts, renderAsync: resvg.renderAsync };
  })().catch((err) => {
    engine = undefined;
    throw err;
  });
  return engine;
}

/** The chart as SVG (ECharts server-side rendering): what resvg rasterises. */
export async function trendSvg(input: TrendChartInput): Promise<string> {
  const { echarts } = await loadEngine();
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: CHART_WIDTH, height: CHART_HEIGHT });
  try {
    chart.setOption(trendOption(parseInput(TrendChartInput, input)));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * Rasterises SVG with the bundled font only (no system fonts, which CloudBase does not have and
 * a developer's machine has different ones of), off the event loop (resvg's thread pool).
 */
export async function rasterise(svg: string, opts: { fontFiles?: string[]; scale?: number } = {}): Promise<ChartImage> {
  const { renderAsync } = await loadEngine();
  const image = await renderAsync(svg, {
    fitTo: { mode: 'zoom', value: opts.scale ?? CHART_SCALE },
    background: '#ffffff',
    font: { fontFiles: opts.fontFiles ?? [CHART_FONT_FILE], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY, sansSerifFamily: CHART_FONT_FAMILY },
    logLevel: 'off',
  });
  return { png: image.asPng(), width: image.width, height: image.height };
}

export function createChartRenderer(): ChartRenderer {
  return {
    renderTrend: async (input) => rasterise(await trendSvg(input)),
  };
}
