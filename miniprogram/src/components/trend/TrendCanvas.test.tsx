import { render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import TrendCanvas from './TrendCanvas';
import { recordingContext } from './fakeContext';

const series = [
  { name: '咨询人数', color: '#e0502d', values: [1, 4, 2] },
  { name: 'AI 已回复', color: '#2f7cf6', values: [1, 3, 2] },
];
const labels = ['11/20', '11/21', '11/22'];

afterEach(() => {
  process.env.TARO_ENV = 'h5';
  jest.restoreAllMocks();
});

describe('<TrendCanvas> on H5', () => {
  it('sizes Taro’s inner <canvas> to CSS size × devicePixelRatio and draws on its 2D context', async () => {
    const ctx = recordingContext();
    const getContext = jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(() => ctx as never);
    Object.defineProperty(window, 'devicePixelRatio', { value: 2, configurable: true });
    jest.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(300);

    const { container } = render(<TrendCanvas series={series} labels={labels} height={150} />);

    await waitFor(() => expect(ctx.ops.some((o) => o.op === 'stroke')).toBe(true));
    const canvas = container.querySelector('canvas')!;
    expect(canvas.width).toBe(600);
    expect(canvas.height).toBe(300);
    expect(getContext).toHaveBeenCalledWith('2d');
    expect(ctx.ops).toContainEqual({ op: 'setTransform', args: [2, 0, 0, 2, 0, 0] });
    // drawn in CSS pixels: the clear covers 300×150
    expect(ctx.ops).toContainEqual({ op: 'clearRect', args: [0, 0, 300, 150] });
  });

  it('repaints in place when the data changes', async () => {
    const ctx = recordingContext();
    jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(() => ctx as never);
    const { rerender } = render(<TrendCanvas series={series} labels={labels} />);
    await waitFor(() => expect(ctx.ops.some((o) => o.op === 'stroke')).toBe(true));
    const before = ctx.ops.filter((o) => o.op === 'clearRect').length;
    rerender(<TrendCanvas series={[{ ...series[0]!, values: [9, 9, 9] }]} labels={labels} />);
    await waitFor(() => expect(ctx.ops.filter((o) => o.op === 'clearRect').length).toBe(before + 1));
  });
});

describe('<TrendCanvas> on weapp', () => {
  it('gets the canvas node by selector query, scales it by pixelRatio and draws', async () => {
    process.env.TARO_ENV = 'weapp';
    const ctx = recordingContext();
    const node = { width: 0, height: 0, getContext: jest.fn(() => ctx) };
    const selected: string[] = [];
    const fields = jest.fn();
    jest.spyOn(Taro, 'getSystemInfoSync').mockReturnValue({ pixelRatio: 3 } as never);
    jest.spyOn(Taro, 'nextTick').mockImplementation((fn: () => void) => fn());
    jest.spyOn(Taro, 'createSelectorQuery').mockImplementation(
      () =>
        ({
          select(sel: string) {
            selected.push(sel);
            return {
              fields(f: unknown) {
                fields(f);
                return { exec: (cb: (res: unknown[]) => void) => cb([{ node, width: 320, height: 160 }]) };
              },
            };
          },
        }) as never,
    );

    const { container } = render(<TrendCanvas series={series} labels={labels} />);

    await waitFor(() => expect(ctx.ops.some((o) => o.op === 'stroke')).toBe(true));
    const id = container.querySelector('taro-canvas-core')!.getAttribute('id');
    expect(selected).toEqual([`#${id}`]);
    expect(fields).toHaveBeenCalledWith({ node: true, size: true });
    expect(node.getContext).toHaveBeenCalledWith('2d');
    expect([node.width, node.height]).toEqual([960, 480]);
    expect(ctx.ops).toContainEqual({ op: 'setTransform', args: [3, 0, 0, 3, 0, 0] });
    expect(ctx.ops).toContainEqual({ op: 'clearRect', args: [0, 0, 320, 160] });
  });
});
