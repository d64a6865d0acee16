import { useEffect, useMemo, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import { ApiError, call } from '../../services/api';
import TrendCanvas from '../../components/trend/TrendCanvas';
import type { TrendSeries } from '../../components/trend/drawTrend';
import { formatCount, shortDay } from './format';

type Trends = ApiResult<'dashboard.trends'>;
type Days = 7 | 30;
type CardState = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; data: Trends };

export const TREND_COLORS = { consultations: '#e0502d', aiAnswered: '#2f7cf6' } as const;

/** The two lines an owner cares about on the first screen: people asking, and the AI answering. */
export function trendSeries(data: Trends): { series: TrendSeries[]; labels: string[] } {
  return {
    labels: data.days.map((d) => shortDay(d.day)),
    series: [
      { name: '咨询人数', color: TREND_COLORS.consultations, values: data.days.map((d) => d.counters.consultations) },
      { name: 'AI 已回复', color: TREND_COLORS.aiAnswered, values: data.days.map((d) => d.counters.aiAnswered) },
    ],
  };
}

/**
 * 近 7 / 30 天 trend card. Fetches when shown, when the range switches and when the page reloads
 * (`loadNo` changes); a range already fetched in this load is not fetched again.
 */
export function TrendCard({ merchantId, loadNo }: { merchantId: string; loadNo: number }) {
  const [days, setDays] = useState<Days>(7);
  const [state, setState] = useState<CardState>({ status: 'loading' });
  const [retries, setRetries] = useState(0);
  const cache = useRef(new Map<string, Trends>());

  useEffect(() => {
    const key = `${merchantId}:${loadNo}:${days}`;
    const hit = cache.current.get(key);
    if (hit) {
      setState({ status: 'ready', data: hit });
      return;
    }
    let live = true;
    setState((s) => (s.status === 'ready' ? s : { status: 'loading' }));
    call({ action: 'dashboard.trends', merchantId, days })
      .then((data) => {
        cache.current.set(key, data);
        if (live) setState({ status: 'ready', data });
      })
      .catch((err: unknown) => {
        if (live) setState({ status: 'error', message: err instanceof ApiError ? err.message : '趋势没加载出来' });
      });
    return () => {
      live = false;
    };
  }, [merchantId, loadNo, days, retries]);

  const chart = useMemo(() => (state.status === 'ready' ? trendSeries(state.data) : null), [state]);
  const total = (name: 'consultations' | 'aiAnswered') => (state.status === 'ready' ? state.data.days.reduce((sum, d) => sum + d.counters[name], 0) : 0);

  return (
    <View className="card trend-card">
      <View className="trend-head">
        <Text className="trend-title">近 {days} 天</Text>
        <View className="trend-switch">
          <Text className={`trend-7 trend-tab ${days === 7 ? 'trend-tab-on' : ''}`} onClick={() => setDays(7)}>
            7天
          </Text>
          <Text className={`trend-30 trend-tab ${days === 30 ? 'trend-tab-on' : ''}`} onClick={() => setDays(30)}>
            30天
          </Text>
        </View>
      </View>

      {state.status === 'error' && (
        <View className="trend-failed">
          <Text className="trend-failed-text">{state.message}</Text>
          <Button className="btn trend-retry" onClick={() => setRetries((n) => n + 1)}>
            重试
          </Button>
        </View>
      )}
      {state.status === 'loading' && <Text className="trend-loading">正在加载趋势…</Text>}
      {chart && total('consultations') + total('aiAnswered') === 0 && (
        // a new shop: an axis from 0 to 1 says nothing; words do
        <Text className="trend-empty">这 {days} 天还没有客户来问。客户发来消息后，这里按天画出来。</Text>
      )}
      {chart && total('consultations') + total('aiAnswered') > 0 && (
        <View className="trend-body">
          <View className="trend-legend">
            {chart.series.map((s) => (
              <View key={s.name} className="trend-legend-item">
                <View className="trend-dot" style={{ backgroundColor: s.color }} />
                <Text className="trend-legend-text">{s.name}</Text>
              </View>
            ))}
          </View>
          <TrendCanvas series={chart.series} labels={chart.labels} height={150} />
          <Text className="trend-sum">
            {days} 天里 {formatCount(total('consultations'))} 人次来问，AI 回复了 {formatCount(total('aiAnswered'))} 个问题
          </Text>
        </View>
      )}

      <View className="trend-more" onClick={() => void Taro.navigateTo({ url: '/sub/trends/index' })}>
        <Text>看更多趋势 ›</Text>
      </View>
    </View>
  );
}
