import { echarts } from './echarts';
import { EChartsCanvas, platformFor } from './echarts-canvas';
import { recordingContext } from '../../components/trend/fakeContext';

/** A weapp canvas node stand-in: width/height fields and a 2D context that records calls. */
function fakeNode(ctx: object = recordingContext()) {
  return { width: 300, height: 150, getContext: jest.fn(() => ctx) };
}

/** Records every method call; any property write is kept and read back, unknown reads are methods. */
function permissiveContext() {
  const calls: string[] = [];
  const props: Record<string, unknown> = {};
  const ctx = new Proxy(props, {
    get(_t, key) {
      if (key === 'calls') return calls;
      if (key in props) return props[key as string];
      if (key === 'measureText') return (t: string) => ({ width: String(t).length * 6 });
      if (key === 'getLineDash') return () => [];
      if (typeof key !== 'string' || key.startsWith('__') || key === 'then' || key === 'canvas') return undefined;
      return (...args: unknown[]) => {
        calls.push(key);
        return key.startsWith('create') ? { addColorStop: () => undefined } : args.length ? undefined : undefined;
      };
    },
    set(_t, key, value) {
      props[key as string] = value;
      return true;
    },
  });
  return ctx as unknown as { calls: string[] };
}

describe('EChartsCanvas (weapp canvas adapter)', () => {
  it('hands out the node’s 2D context and nothing for other context types', () => {
    const ctx = recordingContext();
    const node = fakeNode(ctx);
    const canvas = new EChartsCanvas(node);
    expect(node.getContext).toHaveBeenCalledWith('2d');
    expect(canvas.getContext('2d')).toBe(ctx);
    expect(canvas.getContext('webgl')).toBeNull();
  });

  it('reads and writes width/height through to the node', () => {
    const node = fakeNode();
    const canvas = new EChartsCanvas(node);
    expect([canvas.width, canvas.height]).toEqual([300, 150]);
    canvas.width = 960;
    canvas.height = 480;
    expect([node.width, node.height]).toEqual([960, 480]);
  });

  it('accepts and ignores DOM event registration', () => {
    const canvas = new EChartsCanvas(fakeNode());
    expect(() => {
      canvas.addEventListener();
      canvas.removeEventListener();
      canvas.attachEvent();
      canvas.detachEvent();
    }).not.toThrow();
  });

  it('measures text with the node’s context in the asked font, and so do the platform hooks', () => {
    const ctx = recordingContext();
    const canvas = new EChartsCanvas(fakeNode(ctx));
    expect(canvas.measureText('营业额', '14px sans-serif')).toEqual({ width: 18 });
    expect(ctx.font).toBe('14px sans-serif');
    const platform = platformFor(canvas);
    expect(platform.createCanvas()).toBe(canvas);
    expect(platform.measureText('abcd').width).toBe(24);
    expect(ctx.font).toBe('12px sans-serif');
  });

  it('turns canvas touches into the mouse events zrender’s tooltip listens to', () => {
    const dispatch = jest.fn();
    const canvas = new EChartsCanvas(fakeNode());
    canvas.touch('start', { touches: [{ x: 1, y: 2 }] }); // before setChart: ignored
    canvas.setChart({ getZr: () => ({ handler: { dispatch } }) });
    canvas.touch('start', { touches: [{ x: 10, y: 20 }] });
    canvas.touch('move', { touches: [{ x: 11, y: 21 }] });
    canvas.touch('end', { touches: [], changedTouches: [{ x: 12, y: 22 }] });
    expect(dispatch.mock.calls).toEqual([
      ['mousedown', { zrX: 10, zrY: 20 }],
      ['mousemove', { zrX: 10, zrY: 20 }],
      ['mousemove', { zrX: 11, zrY: 21 }],
      ['mouseup', { zrX: 12, zrY: 22 }],
      ['click', { zrX: 12, zrY: 22 }],
    ]);
  });

  it('lets ECharts draw a chart onto the node, sized to CSS size × devicePixelRatio', () => {
    const ctx = permissiveContext();
    const node = fakeNode(ctx);
    const canvas = new EChartsCanvas(node);
    echarts.setPlatformAPI(platformFor(canvas)); // as EChart.tsx does on weapp
    const chart = echarts.init(canvas as unknown as HTMLElement, undefined, { width: 320, height: 200, devicePixelRatio: 3 });
    chart.setOption({
      animation: false,
      xAxis: { type: 'category', data: ['11/21', '11/22'] },
      yAxis: { type: 'value' },
      series: [{ type: 'line', data: [3, 5] }],
    });
    chart.getZr().flush();
    expect([node.width, node.height]).toEqual([960, 600]);
    expect(ctx.calls).toEqual(expect.arrayContaining(['moveTo', 'lineTo', 'stroke', 'fillText']));
    chart.dispose();
  });
});
