/**
 * ECharts on a WeChat `<canvas type="2d">` node. ECharts expects a DOM canvas; a weapp canvas node
 * has width/height and getContext but no DOM events, and Taro's `document` shim cannot make a
 * canvas for text measuring. This adapter stands in for the DOM canvas (the same idea as
 * echarts-for-weixin's WxCanvas), and `platformFor` gives ECharts' platform hooks a real context.
 */

/** What a weapp canvas node offers (and what a test fake must provide). */
export interface CanvasNode {
  width: number;
  height: number;
  getContext(type: '2d'): unknown;
}

type MeasureContext = { font: string; measureText(text: string): { width: number } };

type ZrHandler = { dispatch(event: string, payload: { zrX: number; zrY: number }): void };
type ChartLike = { getZr(): { handler: ZrHandler } };

/** A touch as weapp reports it for canvas: x/y relative to the canvas. */
type CanvasTouch = { x?: number; y?: number; clientX?: number; clientY?: number };
export type CanvasTouchEvent = { touches?: CanvasTouch[]; changedTouches?: CanvasTouch[] };

export class EChartsCanvas {
  private chart: ChartLike | null = null;
  private readonly ctx: unknown;

  constructor(
    readonly node: CanvasNode,
    ctx?: unknown,
  ) {
    this.ctx = ctx ?? node.getContext('2d');
  }

  getContext(type: string): unknown {
    return type === '2d' ? this.ctx : null;
  }

  get width(): number {
    return this.node.width;
  }
  set width(w: number) {
    this.node.width = w;
  }
  get height(): number {
    return this.node.height;
  }
  set height(h: number) {
    this.node.height = h;
  }

  // ECharts/zrender register DOM listeners on their root; a canvas node has none to give.
  addEventListener(): void {}
  removeEventListener(): void {}
  attachEvent(): void {}
  detachEvent(): void {}

  setChart(chart: ChartLike): void {
    this.chart = chart;
  }

  measureText(text: string, font?: string): { width: number } {
    const c = this.ctx as MeasureContext;
    c.font = font || '12px sans-serif';
    return c.measureText(text);
  }

  /**
   * Forwards a canvas touch to zrender as the mouse events its tooltip listens to:
   * start → mousedown + mousemove, move → mousemove, end → mouseup + click.
   */
  touch(phase: 'start' | 'move' | 'end', e: CanvasTouchEvent): void {
    if (!this.chart) return;
    const t = (phase === 'end' ? e.changedTouches?.[0] : e.touches?.[0]) ?? e.touches?.[0];
    if (!t) return;
    const at = { zrX: t.x ?? t.clientX ?? 0, zrY: t.y ?? t.clientY ?? 0 };
    const handler = this.chart.getZr().handler;
    const events = phase === 'start' ? ['mousedown', 'mousemove'] : phase === 'move' ? ['mousemove'] : ['mouseup', 'click'];
    for (const ev of events) handler.dispatch(ev, at);
  }
}

/** ECharts' platform hooks (echarts.setPlatformAPI) backed by the adapter. */
export function platformFor(canvas: EChartsCanvas) {
  return {
    createCanvas: () => canvas as unknown as HTMLCanvasElement,
    measureText: (text: string, font?: string) => canvas.measureText(text, font) as TextMetrics,
  };
}
