import { useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Canvas } from '@tarojs/components';
import { drawTrend, type TrendContext, type TrendOptions, type TrendSeries } from './drawTrend';

/** What both platforms' 2D contexts offer on top of what drawTrend needs. */
type Ctx2D = TrendContext & { setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void };

type Target = { ctx: Ctx2D; width: number; height: number; dpr: number };

let nextId = 0;

// read at call time: tests switch TARO_ENV per case; builds inline it either way
const isH5 = () => process.env.TARO_ENV === 'h5';

function pixelRatio(): number {
  if (isH5()) return (typeof window !== 'undefined' && window.devicePixelRatio) || 1;
  try {
    return Taro.getSystemInfoSync().pixelRatio || 1;
  } catch {
    return 2;
  }
}

function paint(t: Target, series: TrendSeries[], opts: TrendOptions) {
  // weapp keeps the transform across draws and H5 resets it with the canvas size: set it outright
  t.ctx.setTransform(t.dpr, 0, 0, t.dpr, 0, 0);
  drawTrend(t.ctx, { width: t.width, height: t.height }, series, opts);
}

/**
 * The 今日 trend lines on a plain <Canvas type='2d'>. weapp: the canvas node comes from a selector
 * query and is sized to CSS size × pixelRatio by hand. H5: Taro renders <taro-canvas-core> around a
 * real <canvas> and re-sizes (which clears) that canvas to its `width`/`height` props whenever it
 * re-renders, so those props carry the device-pixel size and drawing waits until they are applied.
 */
export default function TrendCanvas(props: { series: TrendSeries[]; labels: string[]; height?: number; className?: string }) {
  const { series, labels, height = 160, className } = props;
  const [id] = useState(() => `trend-canvas-${++nextId}`);
  const [h5Px, setH5Px] = useState<{ width: number; height: number; dpr: number } | null>(null);
  const target = useRef<Target | null>(null);
  const latest = useRef({ series, labels });
  latest.current = { series, labels };

  const opts = (l: string[]): TrendOptions => ({ labels: l, background: '#ffffff' });

  // H5: measure the host once it is in the DOM, then hand the device-pixel size to <Canvas>.
  useEffect(() => {
    if (!isH5()) return;
    let cancelled = false;
    let tries = 0;
    const measure = () => {
      if (cancelled) return;
      const host = document.getElementById(id);
      // a page mounted before it is attached to the document: look again shortly
      if (!host) {
        if (++tries < 30) setTimeout(measure, 16);
        return;
      }
      const cssWidth = host.clientWidth || host.getBoundingClientRect().width || 320;
      setH5Px({ width: Math.round(cssWidth), height, dpr: pixelRatio() });
    };
    measure();
    return () => {
      cancelled = true;
    };
  }, [id, height]);

  // H5: draw once Taro's canvas carries the size we asked for (its own render is asynchronous).
  useEffect(() => {
    if (!isH5() || !h5Px) return;
    let cancelled = false;
    let tries = 0;
    const attempt = () => {
      if (cancelled) return;
      const canvas = document.getElementById(id)?.querySelector('canvas');
      const wantW = Math.round(h5Px.width * h5Px.dpr);
      const wantH = Math.round(h5Px.height * h5Px.dpr);
      if (canvas && canvas.width === wantW && canvas.height === wantH) {
        const ctx = canvas.getContext('2d') as unknown as Ctx2D | null;
        if (!ctx) return;
        target.current = { ctx, width: h5Px.width, height: h5Px.height, dpr: h5Px.dpr };
        paint(target.current, latest.current.series, opts(latest.current.labels));
        return;
      }
      if (++tries < 60) setTimeout(attempt, 16);
    };
    attempt();
    return () => {
      cancelled = true;
    };
  }, [id, h5Px]);

  // weapp: the node is only queryable after the first render has reached the view layer.
  useEffect(() => {
    if (isH5()) return;
    let cancelled = false;
    let tries = 0;
    const query = () => {
      Taro.createSelectorQuery()
        .select(`#${id}`)
        .fields({ node: true, size: true })
        .exec((res: Array<{ node?: { width: number; height: number; getContext(type: '2d'): unknown }; width?: number; height?: number } | null>) => {
          if (cancelled) return;
          const r = res?.[0];
          if (!r?.node || !r.width) {
            if (++tries < 10) setTimeout(query, 50);
            return;
          }
          const dpr = pixelRatio();
          r.node.width = Math.round(r.width * dpr);
          r.node.height = Math.round((r.height || height) * dpr);
          const ctx = r.node.getContext('2d') as Ctx2D;
          target.current = { ctx, width: r.width, height: r.height || height, dpr };
          paint(target.current, latest.current.series, opts(latest.current.labels));
        });
    };
    Taro.nextTick(query);
    return () => {
      cancelled = true;
    };
  }, [id, height]);

  // new data on a canvas that is already set up: repaint in place
  useEffect(() => {
    if (target.current) paint(target.current, series, opts(labels));
  }, [series, labels]);

  const sizeProps = isH5() && h5Px ? { width: String(Math.round(h5Px.width * h5Px.dpr)), height: String(Math.round(h5Px.height * h5Px.dpr)) } : {};
  return <Canvas type="2d" id={id} className={`trend-canvas ${className ?? ''}`} style={{ width: '100%', height: `${height}px`, display: 'block' }} {...sizeProps} />;
}
