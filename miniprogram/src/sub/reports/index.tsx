import { useEffect, useRef, useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import { ApiError, call } from '../../services/api';
import { useShopLoad } from '../../services/useLoad';
import { Empty, Failed, Loading, NoShop } from '../../components/StateView';
import { LoadMore } from '../../components/LoadMore';
import { KIND_TABS, periodLabel, pushLabel, type ReportKindName } from './format';
import './index.scss';

type Page = ApiResult<'reports.list'>;

const PAGE = 20;
const EMPTY: Record<ReportKindName, string> = {
  daily: '每天到了推送时间，店小二会把当天的日报存在这里，也发到你的企业微信。',
  weekly: '每周一上午会出上一周的周报：营业额和咨询的走势、卖得好和卖得慢的商品。',
  monthly: '每月 5 号会出上个月的月报：经营健康分和下个月可以怎么做。',
};

function initialKind(): ReportKindName {
  const k = Taro.getCurrentInstance()?.router?.params?.kind;
  return k === 'weekly' || k === 'monthly' ? k : 'daily';
}

/**
 * 报表: the stored daily, weekly and monthly reports, newest first, a page at a time, each with
 * how its push went. Tapping one opens it (sub/report), where it can be exported to Excel.
 */
export default function ReportsPage() {
  const [kind, setKind] = useState<ReportKindName>(initialKind);
  // the loader closes over `kind`; useShopLoad reads the newest one on every reload
  const { state, reload, setState } = useShopLoad((shop) => call({ action: 'reports.list', merchantId: shop.id, kind, limit: PAGE }));
  const [more, setMore] = useState<{ loading: boolean; error: string | null }>({ loading: false, error: null });
  const loadingMore = useRef(false);

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  // another segment: load its first page (the mount load covers the first segment)
  const mounted = useRef(false);
  useEffect(() => {
    if (!mounted.current) {
      mounted.current = true;
      return;
    }
    setMore({ loading: false, error: null });
    void reload();
  }, [kind, reload]);

  const loadMore = async () => {
    if (loadingMore.current || state.status !== 'ready' || !state.data.nextBefore) return;
    loadingMore.current = true;
    setMore({ loading: true, error: null });
    const shown = state.data;
    try {
      const page = await call({ action: 'reports.list', merchantId: state.shop.id, kind, limit: PAGE, before: shown.nextBefore! });
      const next: Page = { items: [...shown.items, ...page.items.filter((i) => !shown.items.some((s) => s.date === i.date))], nextBefore: page.nextBefore };
      setState((s) => (s.status === 'ready' ? { ...s, data: next } : s));
      setMore({ loading: false, error: null });
    } catch (err) {
      setMore({ loading: false, error: err instanceof ApiError ? err.message : '没加载出来，请重试' });
    } finally {
      loadingMore.current = false;
    }
  };

  let body;
  if (state.status === 'loading') body = <Loading text="正在加载报表…" />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else if (state.data.items.length === 0) body = <Empty title={`还没有${KIND_TABS.find((t) => t.kind === kind)!.label}`} text={EMPTY[kind]} />;
  else {
    const shop = state.shop;
    body = (
      <View className="report-list">
        {state.data.items.map((r) => (
          <View
            key={`${r.kind}|${r.date}`}
            className={`report-row report-row-${r.kind} push-${r.push}`}
            onClick={() => void Taro.navigateTo({ url: `/sub/report/index?merchant=${encodeURIComponent(shop.id)}&kind=${r.kind}&date=${r.date}` })}
          >
            <View className="report-row-head">
              <Text className="report-period">{periodLabel(r.kind, r.date)}</Text>
              <Text className="report-push-state">{pushLabel(r)}</Text>
            </View>
            {r.headline && <Text className="report-headline">{r.headline}</Text>}
          </View>
        ))}
        <LoadMore hasMore={Boolean(state.data.nextBefore)} loading={more.loading} error={more.error} onMore={() => void loadMore()} />
      </View>
    );
  }

  return (
    <View className="page-reports">
      <View className="reports-switch">
        {KIND_TABS.map((t) => (
          <Text key={t.kind} className={`reports-tab reports-tab-${t.kind} ${kind === t.kind ? 'reports-tab-on' : ''}`} onClick={() => setKind(t.kind)}>
            {t.label}
          </Text>
        ))}
      </View>
      {body}
    </View>
  );
}
