import { useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Canvas, View } from '@tarojs/components';
import { echarts, type EChartsType } from './echarts';
import { EChartsCanvas, platformFor, type CanvasNode } from './echarts-canvas';

let nextId = 0;

/**
 * One ECharts chart. H5: echarts.init on the real DOM element. weapp: on a `<Canvas type="2d">`
 * node through EChartsCanvas, touches forwarded so the tooltip works.
 */
export default function EChart({ option, height = 220 }: { option: Record<string, unknown>; height?: number }) {
  const [id] = useState(() => `echart-${++nextId}`);
  const chart = useRef<EChartsType | null>(null);
  const adapter = useRef<EChartsCanvas | null>(null);
  const latest = useRef(option);
  latest.current = option;
  const applied = useRef<Record<string, unknown> | null>(null);

  useEffect(() => {
    let cancelled = false;
    if (process.env.TARO_ENV === 'h5') {
      const el = document.getElementById(id);
      if (!el) return;
      const c = echarts.init(el, undefined, { renderer: 'canvas' });
      c.setOption(latest.current);
      applied.current = latest.current;
      chart.current = c;
      const onResize = () => c.resize();
      window.addEventListener('resize', onResize);
      return () => {
        window.removeEventListener('resize', onResize);
        c.dispose();
        chart.current = null;
      };
    }

    let tries = 0;
    const query = () =>
      Taro.createSelectorQuery()
        .select(`#${id}`)
        .fields({ node: true, size: true })
        .exec((res: Array<{ node?: CanvasNode; width?: number; height?: number } | null>) => {
          if (cancelled) return;
          const r = res?.[0];
          if (!r?.node || !r.width) {
            if (++tries < 10) setTimeout(query, 50);
            return;
          }
          const canvas = new EChartsCanvas(r.node);
          echarts.setPlatformAPI(platformFor(canvas));
          let dpr = 2;
          try {
            dpr = Taro.getSystemInfoSync().pixelRatio || 2;
          } catch {
            // keep 2: sharp enough on every phone WeChat runs on
          }
          const c = echarts.init(canvas as unknown as HTMLElement, undefined, {
            width: r.width,
            height: r.height || height,
            devicePixelRatio: dpr,
          });
          canvas.setChart(c);
          c.setOption({ animation: false, ...latest.current });
          applied.current = latest.current;
          adapter.current = canvas;
          chart.current = c;
        });
    Taro.nextTick(query);
    return () => {
      cancelled = true;
      chart.current?.dispose();
      chart.current = null;
      adapter.current = null;
    };
  }, [id, height]);

  // new data (7 ↔ 30 days): replace the option on the chart that is already there
  useEffect(() => {
    if (!chart.current || applied.current === option) return;
    chart.current.setOption(process.env.TARO_ENV === 'h5' ? option : { animation: false, ...option }, true);
    applied.current = option;
  }, [option]);

  if (process.env.TARO_ENV === 'h5') {
    return <View id={id} className="echart" style={{ width: '100%', height: `${height}px`, display: 'block' }} />;
  }
  return (
    <Canvas
      type="2d"
      id={id}
      className="echart"
      style={{ width: '100%', height: `${height}px`, display: 'block' }}
      onTouchStart={(e) => adapter.current?.touch('start', e as never)}
      onTouchMove={(e) => adapter.current?.touch('move', e as never)}
      onTouchEnd={(e) => adapter.current?.touch('end', e as never)}
    />
  );
}
