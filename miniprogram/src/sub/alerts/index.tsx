import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { AlertKind } from '@xiaoer/shared/domain/alert';
import { call } from '../../services/api';
import { useShopLoad } from '../../services/useLoad';
import { Empty, Failed, Loading, NoShop } from '../../components/StateView';
import './index.scss';

/** The tag beside each alert: what kind of thing needs a look. */
export const KIND_LABEL: Record<AlertKind, string> = {
  bigOrder: '大单',
  unfulfilled: '订单没处理',
  refund: '退款',
  stockYellow: '库存偏少',
  stockRed: '快卖完了',
  slowMovers: '卖得慢',
  badReview: '差评',
};

const pad = (n: number) => String(n).padStart(2, '0');
/** "11月22日 09:00" in the phone's time. */
export const formatAt = (ms: number) => {
  const d = new Date(ms);
  return `${d.getMonth() + 1}月${d.getDate()}日 ${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

const pageParams = (): Record<string, string | undefined> => Taro.getCurrentInstance()?.router?.params ?? {};

/**
 * 提醒: the alerts of the last 30 days, newest first (staff see them without money). An alert
 * push opens it with ?merchant=<the shop it is about>: the app switches to that shop first.
 */
export default function AlertsPage() {
  const { state, reload } = useShopLoad((shop) => call({ action: 'alerts.list', merchantId: shop.id, limit: 100 }), { linkedShop: pageParams().merchant });

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  let body;
  if (state.status === 'loading') body = <Loading />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else if (state.data.items.length === 0) body = <Empty title="暂时没有提醒" text="大单、退款、订单超时没处理、库存快没了，都会提醒在这里，也会发到你的企业微信。" />;
  else
    body = (
      <View className="alert-list">
        {state.data.items.map((a) => (
          <View key={`${a.day}|${a.key}`} className={`alert-item alert-${a.kind}`}>
            <View className="alert-row">
              <Text className="alert-kind">{KIND_LABEL[a.kind]}</Text>
              <Text className="alert-time">{formatAt(a.at)}</Text>
            </View>
            <Text className="alert-text">{a.text}</Text>
          </View>
        ))}
      </View>
    );

  return <View className="page-alerts">{body}</View>;
}
