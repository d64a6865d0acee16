import { useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { ApiResult, MemberView } from '@xiaoer/shared/contracts/api';
import { call } from '../../services/api';
import { asApiError, useShopLoad } from '../../services/useLoad';
import type { ShopSummary } from '../../services/session';
import { CONFIRM_NOTE, sendTimeText, STATUS_TEXT } from '../../services/campaigns';
import { othersText, shortUrl, type LinkAttachment } from '../../services/campaign-link';
import { formatFen } from '../../pages/conversations/format';
import { Failed, Loading, NoShop } from '../../components/StateView';
import { OwnerOnly } from '../settings/OwnerOnly';
import './index.scss';

type Got = ApiResult<'campaigns.get'>;
type Stats = Got['stats'];
type Arm = Stats['arms'][number];

function pageParams(): Record<string, string | undefined> {
  return Taro.getCurrentInstance()?.router?.params ?? {};
}

const pct = (n: number, of: number) => (of ? `${Math.round((n / of) * 1000) / 10}%` : '0%');

/** 群发详情 (owners): what was sent to whom, the numbers since, who still has to confirm, the A/B comparison; 取消 and 编辑. */
export default function CampaignPage() {
  const [id] = useState(() => decodeURIComponent(pageParams().id ?? ''));
  const { state, reload } = useShopLoad(async (shop): Promise<{ got: Got; members: MemberView[] } | null> => {
    if (shop.role !== 'owner') return null;
    const [got, team] = await Promise.all([call({ action: 'campaigns.get', merchantId: shop.id, id }), call({ action: 'members.list', merchantId: shop.id })]);
    return { got, members: team.members };
  });

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  let body;
  if (state.status === 'loading') body = <Loading text="正在加载群发…" />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else if (!state.data) body = <OwnerOnly />;
  else body = <Detail shop={state.shop} got={state.data.got} members={state.data.members} onChanged={() => reload(true)} />;
  return <View className="page-campaign">{body}</View>;
}

function Detail({ shop, got, members, onChanged }: { shop: ShopSummary; got: Got; members: MemberView[]; onChanged: () => Promise<void> }) {
  const { campaign: c, plan, stats } = got;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nameOf = (userid: string) => members.find((m) => m.wecomUserId === userid)?.name || userid;
  const ab = c.texts.length === 2;
  const links = c.attachments.filter((a): a is LinkAttachment => a.type === 'link');
  const others = othersText(c.attachments) || null;

  const cancel = async () => {
    if (busy) return;
    const { confirm } = await Taro.showModal({
      title: '取消这次群发？',
      content: '还没发出去的不再发，店员那边的确认也会撤掉。已经发出去的收不回来。',
      confirmText: '取消群发',
      cancelText: '不取消',
    });
    if (!confirm) return;
    setBusy(true);
    setError(null);
    try {
      await call({ action: 'campaigns.cancel', merchantId: shop.id, id: c.id });
      await onChanged();
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <View className="card cp-head">
        <View className="cp-title-row">
          <Text className="cp-name">{c.name}</Text>
          <Text className={`cp-status cp-status-${c.status}`}>{STATUS_TEXT[c.status]}</Text>
        </View>
        <Text className="cp-line cp-when">{sendTimeText(c)}</Text>
        <Text className="cp-line cp-audience">{`发给：${c.audienceText}的客户${c.excludeMessagedDays ? `（最近 ${c.excludeMessagedDays} 天收到过群发的不发）` : ''}`}</Text>
        {plan?.quietNote && <Text className="cp-line cp-quiet">{plan.quietNote}</Text>}
        {c.waitingMembers.length > 0 && (c.status === 'sending' || c.status === 'scheduled') && (
          <View className="cp-waiting">
            <Text className="cp-waiting-title">{`还要这些店员在企业微信里点确认：${c.waitingMembers.map(nameOf).join('、')}`}</Text>
            <Text className="cp-waiting-text">他们确认之前，客户收不到。店小二会提醒他们。</Text>
          </View>
        )}
        {(c.status === 'draft' || c.status === 'scheduled') && <Text className="cp-line cp-note">{CONFIRM_NOTE}</Text>}
      </View>

      {c.status === 'draft' ? (
        <View className="card cp-draft">
          <Text className="card-title">{`预计 ${plan?.recipients ?? c.recipients} 人能收到`}</Text>
          <Text className="form-hint">存草稿时算的；打开「编辑」会按现在的客户重新算。发出后，这里会有送达、回复和下单的人数。</Text>
          {plan && plan.excluded.length > 0 && <Text className="form-hint cp-excluded">{`收不到的：${plan.excluded.map((e) => `${e.text} ${e.count} 人`).join('，')}`}</Text>}
        </View>
      ) : (
        <View className="card cp-numbers">
          <Text className="card-title">效果</Text>
          <View className="cp-grid">
            <Num cls="planned" label="计划发" value={`${stats.planned}`} />
            <Num cls="confirmed" label="店员已确认" value={`${stats.confirmed}`} />
            <Num cls="delivered" label="已送达" value={`${stats.delivered}`} />
            <Num cls="failed" label="没发出去" value={`${stats.failed}`} />
            <Num cls="waiting" label="等店员确认" value={`${stats.waiting}`} />
            <Num cls="replied" label="7天内回复" value={`${stats.replied}`} />
            <Num cls="ordered" label="7天内下单" value={`${stats.ordered}`} />
            <Num cls="revenue" label="带来的营业额" value={formatFen(stats.revenueFen)} />
          </View>
          {stats.failed > 0 && <Text className="form-hint">没发出去的，多半是客户删了店员好友，或者这段时间能收的群发已经满了。</Text>}
          {plan && plan.excluded.length > 0 && <Text className="form-hint cp-excluded">{`发之前就排除的：${plan.excluded.map((e) => `${e.text} ${e.count} 人`).join('，')}`}</Text>}
        </View>
      )}

      {ab && stats.arms.length === 2 && <AbCard arms={stats.arms} verdict={stats.ab} />}

      <View className="card cp-texts">
        <Text className="card-title">发的内容</Text>
        {c.texts.length === 0 && <Text className="form-hint">还没写内容。</Text>}
        {c.texts.map((t, i) => (
          <View key={i} className={`cp-text cp-text-${i}`}>
            {ab && <Text className="cp-text-label">{i === 0 ? 'A 版' : 'B 版'}</Text>}
            <Text className="cp-text-body">{t}</Text>
          </View>
        ))}
        {links.map((l, i) => (
          // the card as the customer sees it under the text: title, the one line, where it goes
          <View key={i} className="cp-link">
            <Text className="cp-link-title">{l.title}</Text>
            {l.desc ? <Text className="cp-link-desc">{l.desc}</Text> : null}
            <Text className="cp-link-url">{shortUrl(l.url)}</Text>
          </View>
        ))}
        {others && <Text className="form-hint cp-others">{`还带着 ${others}，和文字一起发。`}</Text>}
      </View>

      {error && <Text className="form-error">{error}</Text>}
      {c.status === 'draft' && (
        <Button className="btn cp-edit" onClick={() => void Taro.navigateTo({ url: `/sub/campaign-edit/index?id=${encodeURIComponent(c.id)}` })}>
          编辑
        </Button>
      )}
      {(c.status === 'scheduled' || c.status === 'sending') && (
        <Button className="btn btn-danger cp-cancel" loading={busy} onClick={() => void cancel()}>
          取消群发
        </Button>
      )}
    </>
  );
}

function Num({ cls, label, value }: { cls: string; label: string; value: string }) {
  return (
    <View className={`cp-num cp-num-${cls}`}>
      <Text className="cp-num-value">{value}</Text>
      <Text className="cp-num-label">{label}</Text>
    </View>
  );
}

/** A 版 against B 版: each arm's counts behind its percentages, and the backend's verdict as given. */
function AbCard({ arms, verdict }: { arms: Arm[]; verdict: Stats['ab'] }) {
  return (
    <View className="card cp-ab">
      <Text className="card-title">A 版和 B 版哪个好</Text>
      {arms.map((a, i) => (
        <View key={i} className={`cp-arm cp-arm-${i}`}>
          <Text className="cp-arm-name">{i === 0 ? 'A 版' : 'B 版'}</Text>
          <Text className="cp-arm-line">{`送达 ${a.delivered} 人 · 回复 ${a.replied} 人（${pct(a.replied, a.delivered)}）· 下单 ${a.ordered} 人（${pct(a.ordered, a.delivered)}）`}</Text>
        </View>
      ))}
      {verdict && (
        <>
          <Text className="cp-verdict cp-verdict-replied">{verdict.replied.text}</Text>
          <Text className="cp-verdict cp-verdict-ordered">{verdict.ordered.text}</Text>
        </>
      )}
    </View>
  );
}
