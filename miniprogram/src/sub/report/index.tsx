import { useEffect, useMemo, useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import { ApiError, call } from '../../services/api';
import { useShopLoad } from '../../services/useLoad';
import { Failed, Loading, NoShop } from '../../components/StateView';
import { formatCount, formatFen } from '../../pages/today/format';
import EChart from '../trends/EChart';
import { HEALTH_PARTS, PART_MAX, pct, weeklyOption, type Buyers, type MonthlyDetails, type MonthlyView, type WeeklyDetails, type WeeklyView } from './views';
import { saveWorkbook, SaveFileError } from './saveFile';
import './index.scss';

type Report = ApiResult<'reports.get'>;
type Push = NonNullable<Report['push']>;
type Kind = Report['kind'];

function pageParams(): Record<string, string | undefined> {
  return Taro.getCurrentInstance()?.router?.params ?? {};
}

const pad = (n: number) => String(n).padStart(2, '0');
const localDay = (d = new Date()) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const clock = (ms: number) => {
  const d = new Date(ms);
  return `${d.getMonth() + 1}月${d.getDate()}日 ${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
const kindOf = (k: string | undefined): Kind => (k === 'weekly' || k === 'monthly' ? k : 'daily');
const KIND_NAME: Record<Kind, string> = { daily: '日报', weekly: '周报', monthly: '月报' };

/** How the push went, in the owner's words. */
export function pushText(p: Push | null): string {
  if (!p) return '还没推送';
  if (p.state === 'sent') return `${p.at ? `${clock(p.at)} ` : ''}已推送给 ${p.to.length} 人${p.detail ? `（${p.detail}）` : ''}`;
  if (p.state === 'failed') return `推送没成功：${p.detail ?? '稍后会再试'}`;
  if (p.state === 'skipped') return `没有推送：${p.detail ?? ''}`;
  return '正在推送…';
}

const CHANNEL_NAME = { robot: '群机器人', subscribe: '微信订阅消息' } as const;

/** The robot's and the subscribe message's outcome, in the owner's words. */
export function channelText(c: Report['channels'][number]): string {
  const name = CHANNEL_NAME[c.channel];
  if (c.state === 'sent') return `${name}：${c.at ? `${clock(c.at)} ` : ''}已发出`;
  if (c.state === 'queued') return `${name}：排队中${c.at ? `，${clock(c.at)} 发出` : ''}`;
  if (c.state === 'failed') return `${name}：没发出去，${c.detail || '稍后会再试'}`;
  return `${name}：没发，${c.detail}`;
}

/**
 * 日报 / 周报 / 月报: the page a push opens (?merchant=&kind=&date=) and the 报表 list's detail.
 * The running day, week or month is recomputed when opened; an earlier one is the one that was
 * sent. Weekly: the trend drawn with ECharts (this subpackage only), sellers and buyers; monthly:
 * the health score, its parts and the suggestions. Staff see everything but revenue.
 */
export default function ReportPage() {
  const [kind] = useState(() => kindOf(pageParams().kind));
  // one page for the three kinds: its config can only name one of them
  useEffect(() => {
    Taro.setNavigationBarTitle({ title: KIND_NAME[kind] }).catch(() => undefined);
  }, [kind]);
  // the push names its shop: the whole app switches to it when the person belongs to it (what
  // they open next is about the same shop); one they are not in leaves them on the current shop
  const { state, reload } = useShopLoad((shop) => call({ action: 'reports.get', merchantId: shop.id, kind, date: pageParams().date ?? localDay() }), {
    linkedShop: pageParams().merchant,
  });

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  if (state.status === 'loading') return <Loading text={`正在加载${KIND_NAME[kind]}…`} />;
  if (state.status === 'noShop') return <NoShop />;
  if (state.status === 'error') return <Failed error={state.error} onRetry={() => void reload()} />;
  const r = state.data;
  const [title, ...lines] = r.text.split('\n');
  return (
    <View className={`page-report page-report-${r.kind}`}>
      <Text className="report-title">{title?.replace(/^【店小二】/, '')}</Text>
      {r.live && <Text className="report-live">按现在的数据算的，晚些再看会变</Text>}
      {r.kind === 'weekly' ? (
        <WeeklyBody n={r.numbers as unknown as WeeklyView} d={r.details as unknown as WeeklyDetails} />
      ) : r.kind === 'monthly' ? (
        <MonthlyBody n={r.numbers as unknown as MonthlyView} d={r.details as unknown as MonthlyDetails} />
      ) : (
        <View className="report-card">
          {lines.map((line, i) => (
            <Text key={i} className={`report-line ${line.startsWith('明天：') ? 'report-advice' : ''} ${/^\d+\. /.test(line) ? 'report-item' : ''}`}>
              {line}
            </Text>
          ))}
        </View>
      )}
      <Text className="report-push">{pushText(r.push)}</Text>
      {(r.channels ?? []).map((c) => (
        <Text key={c.channel} className={`report-push report-push-channel report-push-${c.channel}`}>
          {channelText(c)}
        </Text>
      ))}
      <ExportButton merchantId={state.shop.id} kind={r.kind} date={r.date} />
    </View>
  );
}

function Stat({ name, label, value, note }: { name: string; label: string; value: string; note?: string }) {
  return (
    <View className={`report-stat stat-${name}`}>
      <Text className="stat-label">{label}</Text>
      <Text className="stat-value">{value}</Text>
      {note && <Text className="stat-note">{note}</Text>}
    </View>
  );
}

/** Revenue for owners once the shop has orders; staff get a plain note instead of a number. */
function Totals({ n, before, beforeName }: { n: WeeklyView | MonthlyView; before?: WeeklyView['weekBefore']; beforeName: string }) {
  const vs = (now: number | null, was: number | null | undefined, money = false) =>
    before && was !== null && was !== undefined && now !== null ? `${beforeName} ${money ? formatFen(was) : formatCount(was)}` : undefined;
  return (
    <View className="report-stats">
      {n.revenueFen !== null &&
        (n.hasOrders ? (
          <Stat name="revenue" label="营业额" value={formatFen(n.revenueFen)} note={vs(n.revenueFen, before?.revenueFen, true)} />
        ) : (
          <Stat name="revenue" label="营业额" value="—" note="接入订单后这里显示营业额" />
        ))}
      {n.hasOrders && <Stat name="orders" label="订单" value={`${formatCount(n.orders)} 笔`} note={vs(n.orders, before?.orders)} />}
      <Stat name="consultations" label="咨询" value={`${formatCount(n.consultations)} 人次`} note={vs(n.consultations, before?.consultations)} />
      <Stat name="newCustomers" label="新客户" value={`${formatCount(n.newCustomers)} 位`} note={vs(n.newCustomers, before?.newCustomers)} />
      <Stat name="aiRate" label="AI 回答率" value={pct(n.aiAnswerRate)} note={`答了 ${n.aiAnswered} 个，转人工 ${n.aiHandoffs} 个`} />
      {n.revenueFen === null && <Text className="report-note">营业额只有老板能看。</Text>}
    </View>
  );
}

function BuyersCard({ buyers }: { buyers: Buyers }) {
  if (!buyers || buyers.buyers === 0) return null;
  return (
    <View className="report-card report-buyers">
      <Text className="card-title">下单的客户</Text>
      <Text className="report-line">{`${buyers.buyers} 位：新客 ${buyers.newBuyers} 位，回头客 ${buyers.returningBuyers} 位，复购率 ${pct(buyers.repurchaseRate)}`}</Text>
    </View>
  );
}

function Sellers({ name, title, items }: { name: string; title: string; items: { name: string; qty: number }[] }) {
  if (!items.length) return null;
  return (
    <View className={`report-card report-${name}`}>
      <Text className="card-title">{title}</Text>
      {items.map((s, i) => (
        <View key={`${s.name}|${i}`} className="seller-row">
          <Text className="seller-name">{`${i + 1}. ${s.name}`}</Text>
          <Text className="seller-qty">{`${s.qty} 件`}</Text>
        </View>
      ))}
    </View>
  );
}

function WeeklyBody({ n, d }: { n: WeeklyView; d: WeeklyDetails }) {
  const option = useMemo(() => weeklyOption(n), [n]);
  return (
    <>
      <Totals n={n} before={n.weekBefore} beforeName="上周" />
      <View className="report-card report-chart">
        <Text className="card-title">{n.hasOrders ? (n.dailyRevenueFen ? '每天的营业额和咨询' : '每天的订单和咨询') : '每天的咨询人数'}</Text>
        <EChart option={option} />
      </View>
      <BuyersCard buyers={n.buyers} />
      {d.sellersOmitted && <Text className="report-note">这周订单太多，卖得好和卖得慢的商品没有算出来。</Text>}
      <Sellers name="best" title="卖得最好" items={d.bestSellers} />
      <Sellers name="slow" title="卖得慢" items={d.slowSellers} />
    </>
  );
}

function MonthlyBody({ n, d }: { n: MonthlyView; d: MonthlyDetails }) {
  return (
    <>
      <View className="report-card report-health">
        <Text className="card-title">经营健康分</Text>
        <Text className="health-score">
          {n.health.score}
          <Text className="health-max"> / 100</Text>
        </Text>
        {HEALTH_PARTS.map((p) => (
          <View key={p.key} className={`health-part part-${p.key}`}>
            <Text className="part-label">{p.label}</Text>
            <View className="part-bar">
              <View className="part-fill" style={{ width: `${Math.round((n.health.parts[p.key] / PART_MAX) * 100)}%` }} />
            </View>
            <Text className="part-value">{`${n.health.parts[p.key]}/${PART_MAX}`}</Text>
          </View>
        ))}
      </View>
      <Totals n={n} beforeName="上月" />
      <BuyersCard buyers={n.buyers} />
      <View className="report-card report-suggestions">
        <Text className="card-title">下个月可以这样做</Text>
        {d.suggestions.map((s, i) => (
          <Text key={i} className="report-line report-suggestion">{`${i + 1}. ${s}`}</Text>
        ))}
      </View>
    </>
  );
}

/** 导出 Excel: the server writes the workbook (exceljs), the phone or browser saves it. */
function ExportButton({ merchantId, kind, date }: { merchantId: string; kind: Kind; date: string }) {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    if (busy) return;
    setBusy(true);
    try {
      const file = await call({ action: 'reports.export', merchantId, kind, date });
      const how = await saveWorkbook(file);
      if (how === 'downloaded') void Taro.showToast({ title: `已下载 ${file.filename}`, icon: 'none' });
    } catch (err) {
      void Taro.showToast({ title: err instanceof ApiError || err instanceof SaveFileError ? err.message : '没导出来，请重试', icon: 'none' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button className="btn btn-plain report-export" disabled={busy || undefined} onClick={() => void run()}>
      {busy ? '正在导出…' : '导出 Excel'}
    </Button>
  );
}
