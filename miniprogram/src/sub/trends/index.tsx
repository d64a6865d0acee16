import { useEffect, useMemo, useRef, useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { call } from '../../services/api';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import { useShopLoad, type LoadState } from '../../services/useLoad';
import { Empty, Failed, Loading, NoShop } from '../../components/StateView';
import EChart from './EChart';
import { PARTIAL_LABEL, trendCharts } from './options';
import './index.scss';

type Days = 7 | 30;

export default function TrendsPage() {
  const [days, setDays] = useState<Days>(7);
  // the loader closes over `days`; useShopLoad reads the newest one on every reload
  const { state, reload } = useShopLoad((shop) => call({ action: 'dashboard.trends', merchantId: shop.id, days }));

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  // a new range: fetch it, keeping the old charts up meanwhile (the mount load covers the first)
  const mounted = useRef(false);
  useEffect(() => {
    if (!mounted.current) {
      mounted.current = true;
      return;
    }
    void reload(true);
  }, [days, reload]);

  return (
    <View className="page-trends">
      <View className="trends-switch">
        {([7, 30] as const).map((d) => (
          <Text key={d} className={`trends-${d} trends-tab ${days === d ? 'trends-tab-on' : ''}`} onClick={() => setDays(d)}>
            近 {d} 天
          </Text>
        ))}
      </View>
      <TrendsBody state={state} onRetry={() => void reload()} />
    </View>
  );
}

function TrendsBody({ state, onRetry }: { state: LoadState<ApiResult<'dashboard.trends'>>; onRetry: () => void }) {
  const charts = useMemo(() => (state.status === 'ready' ? trendCharts(state.data) : []), [state]);
  if (state.status === 'loading') return <Loading text="正在加载经营趋势…" />;
  if (state.status === 'noShop') return <NoShop />;
  if (state.status === 'error') return <Failed error={state.error} onRetry={onRetry} />;
  // a new shop: nothing happened in the range, so no chart would say anything but "0"
  if (state.data.days.length === 0 || charts.every((c) => c.empty)) return <Empty title="还没有数据" text="开店接待客户后，这里会按天画出趋势。" />;
  return (
    <View className="trends-charts">
      {charts.map((c) => (
        <View key={c.key} className={`trends-card trends-${c.key}`}>
          <Text className="trends-title">{c.title}</Text>
          {c.empty ? (
            <Text className="trends-empty">{c.emptyText}</Text>
          ) : (
            <>
              <Text className="trends-summary">{c.summary}</Text>
              <EChart option={c.option} />
            </>
          )}
        </View>
      ))}
      <Text className="trends-note trends-partial">“今天”是{PARTIAL_LABEL}的数，还没过完：柱子画得浅一些，线的最后一段是虚线。</Text>
      {!state.data.revenueShown && <Text className="trends-note">营业额只有老板能看。</Text>}
    </View>
  );
}
