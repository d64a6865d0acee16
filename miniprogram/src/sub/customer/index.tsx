import Taro, { usePullDownRefresh, useRouter } from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import { call } from '../../services/api';
import { useShopLoad } from '../../services/useLoad';
import { Empty, Failed, Loading, NoShop } from '../../components/StateView';
import { SENDER_LABEL, describeMessage, formatDate, formatFen, formatTime, sourceLabel, useNow } from '../../pages/conversations/format';
import './index.scss';

type Profile = ApiResult<'customers.get'>;

/** How many of the latest messages the profile shows: enough to remember who this is. */
const RECENT = 8;

export default function CustomerPage() {
  const router = useRouter();
  const id = router?.params?.id ? decodeURIComponent(router.params.id) : '';
  return <View className="page-customer">{id ? <CustomerLoader id={id} /> : <Empty title="找不到这个客户" text="请回到客户列表重新打开。" />}</View>;
}

function CustomerLoader({ id }: { id: string }) {
  const { state, reload } = useShopLoad<Profile>((shop) => call({ action: 'customers.get', merchantId: shop.id, externalUserId: id }));

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  if (state.status === 'loading') return <Loading text="正在加载客户资料…" />;
  if (state.status === 'noShop') return <NoShop />;
  if (state.status === 'error') return <Failed error={state.error} onRetry={() => void reload()} />;
  return <ProfileBody profile={state.data} />;
}

function Row({ name, label, value }: { name: string; label: string; value: string }) {
  return (
    <View className={`row row-${name}`}>
      <Text className="row-label">{label}</Text>
      <Text className="row-value" userSelect>
        {value}
      </Text>
    </View>
  );
}

function ProfileBody({ profile }: { profile: Profile }) {
  const { customer: c, recentMessages } = profile;
  const now = useNow();
  const recent = recentMessages.slice(-RECENT);
  const lastConversation = recentMessages.length > 0 ? recentMessages[recentMessages.length - 1]!.conversationId : null;

  const openThread = () => {
    if (lastConversation) void Taro.navigateTo({ url: `/sub/thread/index?id=${encodeURIComponent(lastConversation)}` });
  };

  return (
    <View className="profile">
      <View className="card">
        <Text className="customer-name">{c.name || '客户'}</Text>
        {c.tags.length > 0 && (
          <View className="customer-tags">
            {c.tags.map((t) => (
              <Text key={t} className="customer-tag">
                {t}
              </Text>
            ))}
          </View>
        )}
      </View>

      <View className="card rows">
        <Row name="phone" label="手机号" value={c.phone ?? '没留'} />
        <Row name="source" label="来源" value={sourceLabel(c.source)} />
        {c.totalSpentFen !== null && <Row name="spend" label="累计消费" value={formatFen(c.totalSpentFen)} />}
        <Row name="orders" label="订单" value={`${c.orderCount} 单`} />
        <Row name="joined" label="成为客户" value={formatDate(c.createdAt)} />
        <Row name="last" label="最近聊天" value={c.lastMessageAt !== null ? formatTime(c.lastMessageAt, now) : '还没聊过'} />
      </View>

      <View className="card recent">
        <Text className="card-title">最近的消息</Text>
        {recent.length === 0 ? (
          <Text className="recent-empty">还没有聊天记录</Text>
        ) : (
          recent.map((m) => (
            <View key={m.id} className={`recent-msg recent-${m.sender}`}>
              <View className="recent-head">
                <Text className="recent-who">{SENDER_LABEL[m.sender]}</Text>
                <Text className="recent-time">{formatTime(m.at, now)}</Text>
              </View>
              <Text className="recent-text">{describeMessage(m)}</Text>
            </View>
          ))
        )}
        {lastConversation && (
          <Button className="btn btn-plain open-thread" onClick={openThread}>
            查看完整聊天
          </Button>
        )}
      </View>
    </View>
  );
}
