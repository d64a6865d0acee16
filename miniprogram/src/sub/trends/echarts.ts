// Tree-shaken ECharts: only what 经营趋势 draws. Imported from this subpackage page only, so its
// ~500 KB lands in `sub/` and never in the main package.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export { echarts };
export type { EChartsCoreOption, EChartsType } from 'echarts/core';
