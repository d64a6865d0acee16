import { useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Picker, Text, View } from '@tarojs/components';
import { call } from '../../services/api';
import { asApiError, useShopLoad } from '../../services/useLoad';
import { Failed, Loading, NoShop } from '../../components/StateView';
import { OwnerOnly } from '../settings/OwnerOnly';
import { FollowupCard, type Followup, type Preview } from './FollowupCard';
import './index.scss';

type Data = { followups: Followup[]; previews: Preview[]; dailyCap: number; loadedAt: number } | null;

/** The shop's follow-up messages a day, all follow-ups together: the choices offered. */
const CAP_CHOICES = [50, 100, 200, 300, 500, 1000];

/** 自动跟进 (owners): each follow-up's switch, setting, this week's preview, text and numbers. */
export default function FollowupsPage() {
  const { state, reload } = useShopLoad<Data>(
    async (shop) => {
      if (shop.role !== 'owner') return null;
      const m = shop.id;
      const [list, preview, settings] = await Promise.all([
        call({ action: 'followups.list', merchantId: m }),
        call({ action: 'followups.preview', merchantId: m }),
        call({ action: 'marketing.settings.get', merchantId: m }),
      ]);
      return { followups: list.followups, previews: preview.previews, dailyCap: settings.settings.followupDailyCap, loadedAt: Date.now() };
    },
    // coming back must not wipe a text being written
    { refreshOnShow: false },
  );

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  let body;
  if (state.status === 'loading') body = <Loading text="正在加载自动跟进…" />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else if (!state.data) body = <OwnerOnly />;
  else {
    const { followups, previews, dailyCap, loadedAt } = state.data;
    const merchantId = state.shop.id;
    body = (
      <>
        <View className="card fu-intro">
          <Text className="fu-intro-text">打开哪个，哪个才会发；没打开的一条都不会发。打开前会把要发的话给你确认一遍。</Text>
        </View>
        {followups.map((f) => (
          // a card keeps what is being written until a fresh load (pull to refresh, another shop) starts it over
          <FollowupCard key={`${f.kind}:${loadedAt}`} merchantId={merchantId} initial={f} preview={previews.find((p) => p.kind === f.kind)} />
        ))}
        <HowSent key={loadedAt} merchantId={merchantId} initialCap={dailyCap} />
      </>
    );
  }
  return <View className="page-followups">{body}</View>;
}

/** How the messages reach customers, in plain words, and the shop's daily limit. */
function HowSent({ merchantId, initialCap }: { merchantId: string; initialCap: number }) {
  const [cap, setCap] = useState(initialCap);
  const [error, setError] = useState<string | null>(null);
  const choices = [...new Set([...CAP_CHOICES, cap])].sort((a, b) => a - b);

  const change = async (next: number) => {
    if (next === cap) return;
    setError(null);
    try {
      const { settings } = await call({ action: 'marketing.settings.save', merchantId, settings: { followupDailyCap: next } });
      setCap(settings.followupDailyCap);
      void Taro.showToast({ title: '改好了', icon: 'success' });
    } catch (err) {
      setError(asApiError(err).message);
    }
  };

  return (
    <View className="card fu-how">
      <Text className="fu-label">怎么发出去的</Text>
      <Text className="fu-how-line">客户联系的客户：由对应的店员在企业微信里确认后发出。</Text>
      <Text className="fu-how-line">微信客服的客户：只在他们 48 小时内找过我们时才发，其余的不发。</Text>
      <View className="fu-cap">
        <Text className="fu-how-line fu-cap-text">{`所有自动跟进加起来，每天最多发 ${cap} 条。`}</Text>
        <Picker mode="selector" range={choices.map((n) => `${n} 条`)} value={choices.indexOf(cap)} onChange={(e) => void change(choices[Number(e.detail.value)]!)}>
          <Text className="fu-cap-change">改 ›</Text>
        </Picker>
      </View>
      {error && <Text className="form-error">{error}</Text>}
    </View>
  );
}
