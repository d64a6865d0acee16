import { useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { DashboardToday, WecomProblemView } from '@xiaoer/shared/contracts/api';
import type { CounterName } from '@xiaoer/shared/domain/counters';
import { isAuthExpired } from '../../services/api';
import { switchShop } from '../../services/session';
import { SignedOut } from '../../components/StateView';
import { formatCount, formatDay, formatFen, sameTimeNote } from './format';
import { TrendCard } from './TrendCard';
import { SetupChecklist } from './SetupChecklist';
import { JoinShop } from './JoinShop';
import { useToday, type Badges, type TodayState } from './useToday';
import './index.scss';

/** The counters an owner reads first, in the order they read them. */
const SHOWN: { name: CounterName; label: string; hint: string }[] = [
  { name: 'newCustomers', label: '新客户', hint: '今天新加的客户' },
  { name: 'consultations', label: '咨询人数', hint: '今天来问的人' },
  { name: 'customerMessages', label: '客户消息', hint: '客户发来的消息' },
  { name: 'aiAnswered', label: 'AI 已回复', hint: 'AI 自己答好的问题' },
  { name: 'aiHandoffs', label: '转人工', hint: 'AI 交给人处理的问题' },
  { name: 'orders', label: '订单', hint: '今天的订单' },
];

export default function TodayPage() {
  const { state, reload } = useToday();

  usePullDownRefresh(() => {
    void reload({ quiet: true, fresh: true }).finally(() => Taro.stopPullDownRefresh());
  });

  return (
    <View className="today page-today">
      <TodayBody state={state} onRetry={() => void reload()} onSwitch={switchShop} onJoined={() => void reload({ fresh: true })} />
    </View>
  );
}

export function TodayBody(props: { state: TodayState; onRetry: () => void; onSwitch: (merchantId: string) => void; onJoined?: () => void }) {
  const { state, onRetry, onSwitch } = props;
  // while a new shop's checklist shows, "AI 都答上来了" would be an empty boast
  const [setupShown, setSetupShown] = useState(false);

  if (state.status === 'loading') {
    return (
      <View className="today-loading state">
        <Text className="state-text">正在加载今天的数据…</Text>
      </View>
    );
  }

  if (state.status === 'empty') {
    return (
      <View className="today-empty state">
        <Text className="state-title">还没有店铺</Text>
        <Text className="state-text">你还没有加入任何店铺。请向老板要一个邀请码，填在下面。</Text>
        <JoinShop onJoined={props.onJoined ?? onRetry} />
      </View>
    );
  }

  if (state.status === 'error') {
    if (isAuthExpired(state.error)) return <SignedOut className="today-error today-auth-expired" />;
    return (
      <View className="today-error state">
        <Text className="state-title">加载失败</Text>
        <Text className="state-text error-message">{state.error.message}</Text>
        <Button className="btn retry" onClick={onRetry}>
          重试
        </Button>
      </View>
    );
  }

  const { dashboard, merchants } = state;
  const chooseShop = () => {
    const others = merchants.slice(0, 6);
    Taro.showActionSheet({ itemList: others.map((m) => m.name) })
      .then(({ tapIndex }) => {
        const picked = others[tapIndex];
        if (picked && picked.id !== dashboard.merchant.id) onSwitch(picked.id);
      })
      .catch(() => undefined); // cancelled
  };

  return (
    <View className="today-ready">
      <View className="shop card">
        <View className="shop-row">
          <Text className="shop-name">{dashboard.merchant.name}</Text>
          {merchants.length > 1 && (
            <Text className="shop-switch" onClick={chooseShop}>
              切换店铺
            </Text>
          )}
        </View>
        <Text className="shop-meta">
          {formatDay(dashboard.day)} · {dashboard.role === 'owner' ? '老板' : '店员'}
        </Text>
      </View>

      <WecomProblems problems={dashboard.wecomProblems} />

      {dashboard.role === 'owner' && <SetupChecklist merchantId={dashboard.merchant.id} loadNo={state.loadNo} onShown={setSetupShown} />}

      <WaitingCard waiting={dashboard.waitingHuman} />

      {!(setupShown && state.badges?.unanswered === 0) && <TeachLink badges={state.badges} />}

      {dashboard.revenueFen !== null && (dashboard.hasOrders ? <RevenueCard dashboard={dashboard} revenueFen={dashboard.revenueFen} /> : <NoOrdersCard />)}

      <View className="counters">
        {SHOWN.map(({ name, label, hint }) => {
          return (
            <View key={name} className={`counter counter-${name}`}>
              <Text className="counter-label">{label}</Text>
              {name === 'orders' && !dashboard.hasOrders ? (
                <>
                  <Text className="counter-value counter-none">—</Text>
                  <Text className="counter-hint">接入订单后显示</Text>
                </>
              ) : (
                <>
                  <Text className="counter-value">{formatCount(dashboard.today[name])}</Text>
                  <Text className="counter-delta">{sameTimeNote(dashboard.day, dashboard.yesterday[name], dashboard.lastWeek[name])}</Text>
                  <Text className="counter-hint">{hint}</Text>
                </>
              )}
            </View>
          );
        })}
      </View>

      {SHOWN.every(({ name }) => dashboard.today[name] === 0) && <Text className="today-quiet">今天还没有客户来消息，AI 一直在线等着。</Text>}

      <View className="card reports-link" onClick={() => void Taro.navigateTo({ url: '/sub/reports/index' })}>
        <Text className="link-title">看报表 ›</Text>
        <Text className="link-hint">日报、周报、月报，推送过的都在这里，可以导出 Excel</Text>
      </View>

      <TrendCard merchantId={dashboard.merchant.id} loadNo={state.loadNo} />

      <View className="card kb-link" onClick={() => void Taro.navigateTo({ url: '/sub/kb/index' })}>
        <Text className="link-title">知识库 ›</Text>
        <Text className="link-hint">AI 按这里的问答回复客户，可以加、改、试问</Text>
      </View>
    </View>
  );
}

/**
 * WeCom configuration problems real calls ran into (owners only): first on the page, since while
 * one lasts the AI may not reach customers at all. Each says what is wrong and what to do; it
 * goes away by itself once a call works again.
 */
function WecomProblems({ problems }: { problems: WecomProblemView[] }) {
  if (problems.length === 0) return null;
  const open = () => void Taro.navigateTo({ url: '/sub/setup/index' });
  return (
    <View className="card wecom-problems" onClick={open}>
      <Text className="problems-title">企业微信连接出了问题</Text>
      {problems.map((p) => (
        <View key={p.kind} className={`problem problem-${p.kind}`}>
          <Text className="problem-title">
            {p.title}，{p.effect}
          </Text>
          <Text className="problem-fix">怎么改：{p.fix}</Text>
        </View>
      ))}
      <Text className="problems-note">改好以后，下一次连接成功这条提示就会自己消失。看连接检查 ›</Text>
    </View>
  );
}

function WaitingCard({ waiting }: { waiting: number }) {
  const open = () => void Taro.switchTab({ url: '/pages/conversations/index' });
  return (
    <View className={`card waiting counter-waitingHuman ${waiting > 0 ? 'waiting-busy' : ''}`} onClick={open}>
      <View className="waiting-main">
        <Text className="counter-label">待人工</Text>
        <Text className="counter-value">{formatCount(waiting)}</Text>
      </View>
      <Text className="counter-delta">{waiting > 0 ? '有客户在等你回复，点这里去处理 ›' : '现在没有要你回复的客户'}</Text>
    </View>
  );
}

/** The "AI 没答上来" queue: loud when there is something to teach, quiet when there is not. */
function TeachLink({ badges }: { badges: Badges | null | undefined }) {
  const open = () => void Taro.navigateTo({ url: '/sub/teach/index' });
  const n = badges?.unanswered;
  if (n === 0) {
    return (
      <View className="card teach-link teach-none" onClick={open}>
        <Text className="link-hint">AI 都答上来了 ✓</Text>
      </View>
    );
  }
  return (
    <View className={`card teach-link ${n ? 'teach-busy' : ''}`} onClick={open}>
      <View className="waiting-main">
        <Text className="counter-label">AI 没答上来</Text>
        {n !== undefined && <Text className="counter-value teach-count">{formatCount(n)}</Text>}
      </View>
      <Text className="counter-delta">{n ? '教 AI 一次，下次它就会答了 ›' : '看看 AI 没答上来的问题 ›'}</Text>
    </View>
  );
}

/** Before the shop's first order: where orders come from, instead of a ¥0 that looks real. */
function NoOrdersCard() {
  return (
    <View className="card revenue revenue-none" onClick={() => void Taro.navigateTo({ url: '/sub/settings/index' })}>
      <Text className="counter-label">营业额</Text>
      <Text className="revenue-none-title">接入订单后这里显示营业额</Text>
      <Text className="counter-hint">订单从你的收银或点单系统来：在「店铺设置 · 订单接入」生成密钥，让系统把每一单推给店小二；也可以用电脑导入订单表格。</Text>
    </View>
  );
}

function RevenueCard({ dashboard, revenueFen }: { dashboard: DashboardToday; revenueFen: number }) {
  return (
    <View className="card revenue counter-revenueFen">
      <Text className="counter-label">营业额</Text>
      <Text className="counter-value revenue-value">{formatFen(revenueFen)}</Text>
      <Text className="counter-delta">{sameTimeNote(dashboard.day, dashboard.yesterday.revenueFen, dashboard.lastWeek.revenueFen, true)}</Text>
    </View>
  );
}
