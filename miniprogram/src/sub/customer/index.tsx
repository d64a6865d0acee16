import { useEffect, useState } from 'react';
import Taro, { usePullDownRefresh, useRouter } from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import type { OrderStatus } from '@xiaoer/shared/domain/commerce';
import { call } from '../../services/api';
import { useShopLoad } from '../../services/useLoad';
import { Empty, Failed, Loading, NoShop } from '../../components/StateView';
import { SENDER_LABEL, describeMessage, formatDate, formatFen, formatTime, useNow } from '../../pages/conversations/format';
import { NoteBirthdayCard, TagEditor, type Editable } from './ProfileEdit';
import './index.scss';

type Profile = ApiResult<'customers.get'>;

/** An order's status as the owner says it. */
export const ORDER_STATUS_LABEL: Record<OrderStatus, string> = { paid: '已付款', fulfilled: '已完成', refunded: '已退款', cancelled: '已取消' };

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
  return <ProfileBody profile={state.data} merchantId={state.shop.id} />;
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

function ProfileBody({ profile, merchantId }: { profile: Profile; merchantId: string }) {
  const { customer: c, recentMessages, orders } = profile;
  const now = useNow();
  // what the shop changed by hand on this page, as the server saved it
  const [edit, setEdit] = useState<Editable>({ tags: c.tags, note: c.note, birthday: c.birthday });
  // a pull-to-refresh brings the server's latest
  useEffect(() => setEdit({ tags: profile.customer.tags, note: profile.customer.note, birthday: profile.customer.birthday }), [profile]);
  const recent = recentMessages.slice(-RECENT);
  const lastConversation = recentMessages.length > 0 ? recentMessages[recentMessages.length - 1]!.conversationId : null;

  const openThread = () => {
    if (lastConversation) void Taro.navigateTo({ url: `/sub/thread/index?id=${encodeURIComponent(lastConversation)}` });
  };

  return (
    <View className="profile">
      <View className="card">
        <Text className="customer-name">{c.name || '客户'}</Text>
        <TagEditor merchantId={merchantId} externalUserId={c.externalUserId} tags={edit.tags} onSaved={setEdit} />
      </View>

      <View className="card rows">
        <Row name="phone" label="手机号" value={c.phone ?? '没留'} />
        <Row name="source" label="来源" value={c.sourceText} />
        {c.storeName && <Row name="store" label="门店" value={c.storeName} />}
        {c.totalSpentFen !== null && <Row name="spend" label="累计消费" value={formatFen(c.totalSpentFen)} />}
        <Row name="orders" label="订单" value={`${c.orderCount} 单`} />
        {orders.firstOrderAt !== null && <Row name="first-order" label="第一次下单" value={formatDate(orders.firstOrderAt)} />}
        {orders.lastOrderAt !== null && <Row name="last-order" label="最近下单" value={formatTime(orders.lastOrderAt, now)} />}
        {orders.categories.length > 0 && <Row name="categories" label="买过" value={orders.categories.join('、')} />}
        <Row name="joined" label="成为客户" value={formatDate(c.createdAt)} />
        <Row name="last" label="最近聊天" value={c.lastMessageAt !== null ? formatTime(c.lastMessageAt, now) : '还没聊过'} />
      </View>

      <NoteBirthdayCard merchantId={merchantId} externalUserId={c.externalUserId} note={edit.note} birthday={edit.birthday} onSaved={setEdit} />

      <OrdersCard orders={orders.recent} now={now} />

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

/** The latest orders (the server sends at most 20, newest first); amounts only reach owners. */
function OrdersCard({ orders, now }: { orders: Profile['orders']['recent']; now: number }) {
  return (
    <View className="card customer-orders">
      <Text className="card-title">最近的订单</Text>
      {orders.length === 0 ? (
        <Text className="recent-empty">还没有订单</Text>
      ) : (
        orders.map((o) => (
          <View key={o.orderNo} className={`order order-${o.status}`}>
            <View className="order-head">
              <Text className="order-no" userSelect>
                {o.orderNo}
              </Text>
              <Text className="order-status">{ORDER_STATUS_LABEL[o.status]}</Text>
            </View>
            <Text className="order-summary">{o.summary || '没有商品明细'}</Text>
            <View className="order-foot">
              <Text className="order-time">{formatTime(o.placedAt, now)}</Text>
              {o.amountFen !== null && <Text className="order-amount">{formatFen(o.amountFen)}</Text>}
            </View>
          </View>
        ))
      )}
    </View>
  );
}
