import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import { call } from '../../services/api';
import { useShopLoad } from '../../services/useLoad';
import { CONFIRM_NOTE, sendTimeText, STATUS_TEXT } from '../../services/campaigns';
import { Failed, Loading, NoShop } from '../../components/StateView';
import { SettingsCard } from './SettingsCard';
import './index.scss';

type Campaign = ApiResult<'campaigns.list'>['campaigns'][number];
type Data = { campaigns: Campaign[]; settings: ApiResult<'marketing.settings.get'> } | null;

/** 营销: the way to 标签和规则; for owners the 群发 list, 新建群发 and the shop's 群发 settings (staff are refused by the server too). */
export default function MarketingPage() {
  const { state, reload } = useShopLoad<Data>(async (shop) => {
    if (shop.role !== 'owner') return null;
    const [list, settings] = await Promise.all([call({ action: 'campaigns.list', merchantId: shop.id }), call({ action: 'marketing.settings.get', merchantId: shop.id })]);
    return { campaigns: [...list.campaigns].sort((a, b) => b.createdAt - a.createdAt), settings };
  });

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  let body;
  if (state.status === 'loading') body = <Loading text="正在加载群发…" />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else if (!state.data) body = <Text className="mk-staff-note">群发由老板来安排。老板发出后，企业微信会提醒你确认，确认了客户才会收到。</Text>;
  else
    body = (
      <>
        <CampaignList campaigns={state.data.campaigns} />
        <SettingsCard merchantId={state.shop.id} initial={state.data.settings} />
      </>
    );

  return (
    <View className="page-marketing">
      <View className="mk-tags" onClick={() => void Taro.navigateTo({ url: '/sub/tags/index' })}>
        <View className="mk-tags-text">
          <Text className="mk-item-title">标签和规则</Text>
          <Text className="mk-item-text">按消费、来店频率、聊天说过的话，自动给客户打上标签，比如「VIP」「沉睡」「咨询过大码」。</Text>
        </View>
        <Text className="mk-tags-go">去设置</Text>
      </View>
      {state.status === 'ready' && state.data && (
        <View className="mk-tags mk-followups" style={{ marginTop: '12px' }} onClick={() => void Taro.navigateTo({ url: '/sub/followups/index' })}>
          <View className="mk-tags-text">
            <Text className="mk-item-title">自动跟进</Text>
            <Text className="mk-item-text">沉睡客户唤醒、生日关怀、售后回访、复购提醒：打开后每天自动发，打开前不会发。</Text>
          </View>
          <Text className="mk-tags-go">去设置</Text>
        </View>
      )}
      {body}
    </View>
  );
}

function CampaignList({ campaigns }: { campaigns: Campaign[] }) {
  const now = Date.now();
  return (
    <View className="mk-card mk-campaigns">
      <View className="mk-card-head">
        <Text className="mk-card-title">群发</Text>
        <Button className="btn mk-new" onClick={() => void Taro.navigateTo({ url: '/sub/campaign-edit/index' })}>
          新建群发
        </Button>
      </View>
      <Text className="mk-hint">{`按标签挑一批客户，把新品和优惠发给他们。${CONFIRM_NOTE}`}</Text>
      {campaigns.length === 0 ? (
        <Text className="mk-empty">还没有发过群发。点「新建群发」，先看看能发到多少人，再决定发不发。</Text>
      ) : (
        campaigns.map((c) => (
          <View key={c.id} className={`mk-campaign mk-status-${c.status}`} onClick={() => void Taro.navigateTo({ url: `/sub/campaign/index?id=${encodeURIComponent(c.id)}` })}>
            <View className="mk-campaign-head">
              <Text className="mk-campaign-name">{c.name}</Text>
              <Text className="mk-campaign-status">{STATUS_TEXT[c.status]}</Text>
            </View>
            <Text className="mk-campaign-when">{sendTimeText(c, now)}</Text>
            <Text className="mk-campaign-numbers">{c.status === 'draft' ? `预计 ${c.recipients} 人能收到` : `发给 ${c.recipients} 人 · 已送达 ${c.delivered} 人`}</Text>
          </View>
        ))
      )}
    </View>
  );
}
