import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import { call } from '../../services/api';
import { currentShop } from '../../services/session';
import { useShopLoad } from '../../services/useLoad';
import { Failed, Loading, NoShop } from '../../components/StateView';
import './index.scss';

type Report = ApiResult<'reports.get'>;
type Push = NonNullable<Report['push']>;

function pageParams(): Record<string, string | undefined> {
  return Taro.getCurrentInstance()?.router?.params ?? {};
}

const pad = (n: number) => String(n).padStart(2, '0');
const localDay = (d = new Date()) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const clock = (ms: number) => {
  const d = new Date(ms);
  return `${d.getMonth() + 1}月${d.getDate()}日 ${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** How the push went, in the owner's words. */
export function pushText(p: Push | null): string {
  if (!p) return '还没推送';
  if (p.state === 'sent') return `${p.at ? `${clock(p.at)} ` : ''}已推送给 ${p.to.length} 人${p.detail ? `（${p.detail}）` : ''}`;
  if (p.state === 'failed') return `推送没成功：${p.detail ?? '稍后会再试'}`;
  if (p.state === 'skipped') return `没有推送：${p.detail ?? ''}`;
  return '正在推送…';
}

/**
 * 日报: the page the daily report's push opens (?merchant=&kind=daily&date=). Today's report is
 * recomputed when opened; an earlier day's is the one that was sent. Staff see it without revenue.
 */
export default function ReportPage() {
  const { state, reload } = useShopLoad(async (shop) => {
    const p = pageParams();
    // the push names its shop: open that one when the person belongs to it
    const { shops } = await currentShop();
    const target = shops.find((s) => s.id === p.merchant) ?? shop;
    return call({ action: 'reports.get', merchantId: target.id, kind: 'daily', date: p.date ?? localDay() });
  });

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  if (state.status === 'loading') return <Loading text="正在加载日报…" />;
  if (state.status === 'noShop') return <NoShop />;
  if (state.status === 'error') return <Failed error={state.error} onRetry={() => void reload()} />;
  const r = state.data;
  const [title, ...lines] = r.text.split('\n');
  return (
    <View className="page-report">
      <Text className="report-title">{title?.replace(/^【店小二】/, '')}</Text>
      {r.live && <Text className="report-live">按现在的数据算的，晚些再看会变</Text>}
      <View className="report-card">
        {lines.map((line, i) => (
          <Text key={i} className={`report-line ${line.startsWith('明天：') ? 'report-advice' : ''} ${/^\d+\. /.test(line) ? 'report-item' : ''}`}>
            {line}
          </Text>
        ))}
      </View>
      <Text className="report-push">{pushText(r.push)}</Text>
    </View>
  );
}
